/// Reed–Solomon error-correction codewords over GF(256), as QR codes use them (ISO/IEC 18004 §7.5.2).
enum ReedSolomon {
    /// The generator polynomial ∏(x − αⁱ) for i in 0..<degree, coefficients from xᵈᵉᵍʳᵉᵉ (always 1) down to x⁰.
    static func generator(degree: Int) -> [UInt8] {
        var polynomial: [UInt8] = [1]
        for power in 0..<degree {
            let root = GaloisField256.exp[power]
            var next = [UInt8](repeating: 0, count: polynomial.count + 1)
            for (index, coefficient) in polynomial.enumerated() {
                next[index] ^= coefficient                                      // · x
                next[index + 1] ^= GaloisField256.multiply(coefficient, root)   // · αⁱ (minus is plus in GF(2⁸))
            }
            polynomial = next
        }
        return polynomial
    }

    /// The `degree` error-correction codewords for `data`: the remainder of data(x)·x^degree ÷ generator(x).
    static func errorCorrection(for data: [UInt8], degree: Int) -> [UInt8] {
        let generator = generator(degree: degree)
        var remainder = [UInt8](repeating: 0, count: degree)
        for byte in data {
            let factor = byte ^ (remainder.first ?? 0)
            remainder.removeFirst()
            remainder.append(0)
            for index in 0..<degree {
                remainder[index] ^= GaloisField256.multiply(generator[index + 1], factor)
            }
        }
        return remainder
    }
}
