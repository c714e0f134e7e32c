/// Arithmetic in GF(2⁸) with the QR code's reducing polynomial x⁸+x⁴+x³+x²+1 (0x11D), generator α = 2.
enum GaloisField256 {
    /// αⁱ for i in 0..<510 (doubled so `exp[log a + log b]` needs no modulo).
    static let exp: [UInt8] = tables.exp
    /// log_α(x) for x in 1...255 (`log[0]` is unused).
    static let log: [Int] = tables.log

    private static let tables: (exp: [UInt8], log: [Int]) = {
        var exp = [UInt8](repeating: 0, count: 510)
        var log = [Int](repeating: 0, count: 256)
        var value = 1
        for power in 0..<255 {
            exp[power] = UInt8(value)
            exp[power + 255] = UInt8(value)
            log[value] = power
            value <<= 1
            if value & 0x100 != 0 { value ^= 0x11D }
        }
        return (exp, log)
    }()

    /// a·b in the field.
    static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        guard a != 0, b != 0 else { return 0 }
        return exp[log[Int(a)] + log[Int(b)]]
    }
}
