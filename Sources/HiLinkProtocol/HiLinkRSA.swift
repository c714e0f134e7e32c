import _CryptoExtras
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// HiLink's RSA body encryption: base64 the plaintext, cut it into blocks the padding allows, encrypt each block
/// with the device's public key and hex-concatenate the results.
public enum HiLinkRSA {
    /// The padding the firmware asks for (`rsapadingtype`).
    public enum Padding: Sendable, Equatable {
        /// `rsapadingtype=0`: PKCS#1 v1.5 (block = key size − 11 bytes).
        case pkcs1v15
        /// `rsapadingtype=1`: OAEP with SHA-1 (block = key size − 42 bytes).
        case oaepSHA1

        /// The padding for an `rsapadingtype` value (anything but 1 is PKCS#1 v1.5, as the web UI does).
        public init(rsaPaddingType: Int?) {
            self = rsaPaddingType == 1 ? .oaepSHA1 : .pkcs1v15
        }

        /// Plaintext bytes per block for a key of `keyBytes`.
        public func blockSize(keyBytes: Int) -> Int {
            switch self {
            case .pkcs1v15: return keyBytes - 11
            case .oaepSHA1: return keyBytes - 42
            }
        }
    }

    /// Why a body could not be encrypted.
    public enum Failure: Error, Sendable, Equatable {
        /// The key's modulus or exponent is not usable hex, or the key is too small or too large.
        case badKey(String)
        /// The crypto library refused.
        case encryptionFailed
    }

    /// A device's public key (`encpubkeyn`/`encpubkeye` or SCRAM's `rsan`/`rsae`, hex).
    public struct PublicKey: Sendable, Equatable {
        /// The modulus, big-endian, no leading zero.
        public var modulus: [UInt8]
        /// The public exponent, big-endian.
        public var exponent: [UInt8]

        /// Reads a key from hex; 1024 to 4096 bits.
        public init(modulusHex: String, exponentHex: String) throws(Failure) {
            let n = modulusHex.trimmingBlanks
            let e = exponentHex.trimmingBlanks
            guard n.utf8.count <= 1100, var modulus = HiLinkHex.decode(n.utf8.count % 2 == 0 ? n : "0" + n) else {
                throw .badKey("the modulus is not hex")
            }
            guard e.utf8.count <= 16, let exponent = HiLinkHex.decode(e.utf8.count % 2 == 0 ? e : "0" + e),
                  exponent.contains(where: { $0 != 0 }) else {
                throw .badKey("the exponent is not hex")
            }
            while modulus.first == 0 { modulus.removeFirst() }
            guard (128...512).contains(modulus.count), let last = modulus.last, last & 1 == 1 else {
                throw .badKey("the modulus has \(modulus.count * 8) bits or is even")
            }
            self.modulus = modulus
            self.exponent = exponent
        }
    }

    /// Encrypts `plaintext` the HiLink way and returns the hex string to send.
    public static func encrypt(_ plaintext: String, key: PublicKey, padding: Padding) throws(Failure) -> String {
        let encoded = Array(Data(plaintext.utf8).base64EncodedString().utf8)
        let keyBytes = key.modulus.count
        let block = padding.blockSize(keyBytes: keyBytes)
        var out = ""
        var start = 0
        repeat {
            let chunk = Array(encoded[start..<min(start + block, encoded.count)])
            let cipher: [UInt8]
            switch padding {
            case .oaepSHA1:
                do {
                    let publicKey = try _RSA.Encryption.PublicKey(n: key.modulus, e: key.exponent)
                    cipher = Array(try publicKey.encrypt(chunk, padding: .PKCS1_OAEP))
                } catch {
                    throw .encryptionFailed
                }
            case .pkcs1v15:
                cipher = try pkcs1v15(chunk, key: key)
            }
            out += HiLinkHex.encode(cipher)
            start += block
        } while start < encoded.count
        return out
    }

    /// PKCS#1 v1.5 encryption (RFC 8017 §7.2.1): `00 02 PS 00 M` with PS at least 8 random non-zero bytes, then
    /// the RSA public operation. swift-crypto offers this padding for signatures only, so it is done here.
    static func pkcs1v15(_ message: [UInt8], key: PublicKey, random: () -> UInt8 = { UInt8.random(in: 1...255) }) throws(Failure) -> [UInt8] {
        let k = key.modulus.count
        guard message.count <= k - 11 else { throw .encryptionFailed }
        var block: [UInt8] = [0x00, 0x02]
        for _ in 0..<(k - 3 - message.count) { block.append(random()) }
        block.append(0x00)
        block += message
        let result = BigModulus(modulus: key.modulus).power(block, exponent: key.exponent)
        return result
    }
}

extension HiLinkRSA {
    /// A private key's modulus and private exponent, read from PKCS#1 `RSAPrivateKey` DER — what a simulated unit
    /// needs to undo PKCS#1 v1.5 bodies, which swift-crypto does not decrypt.
    public struct PrivateKey: Sendable {
        /// The modulus, big-endian, no leading zero.
        public var modulus: [UInt8]
        /// The private exponent, big-endian.
        public var privateExponent: [UInt8]

        /// Reads `SEQUENCE { version, n, e, d, … }`; nil when the DER is not of that shape.
        public init?(pkcs1DER der: [UInt8]) {
            var reader = DERReader(bytes: der, index: 0)
            guard let sequence = reader.next(tag: 0x30) else { return nil }
            var inner = DERReader(bytes: sequence, index: 0)
            guard inner.next(tag: 0x02) != nil, var n = inner.next(tag: 0x02), inner.next(tag: 0x02) != nil,
                  var d = inner.next(tag: 0x02) else { return nil }
            while n.first == 0 { n.removeFirst() }
            while d.first == 0 { d.removeFirst() }
            guard !n.isEmpty, !d.isEmpty else { return nil }
            modulus = n
            privateExponent = d
        }
    }

    /// Undoes one PKCS#1 v1.5 block (`00 02 PS 00 M`); nil when the padding is wrong.
    public static func decryptPKCS1v15Block(_ block: [UInt8], key: PrivateKey) -> [UInt8]? {
        guard block.count == key.modulus.count else { return nil }
        let plain = BigModulus(modulus: key.modulus).power(block, exponent: key.privateExponent)
        guard plain.count > 11, plain[0] == 0, plain[1] == 2, let zero = plain[2...].firstIndex(of: 0), zero >= 10 else { return nil }
        return Array(plain[(zero + 1)...])
    }

    /// A minimal DER reader: tag, definite length, contents.
    struct DERReader {
        let bytes: [UInt8]
        var index: Int

        mutating func next(tag: UInt8) -> [UInt8]? {
            guard index + 2 <= bytes.count, bytes[index] == tag else { return nil }
            var length = Int(bytes[index + 1])
            index += 2
            if length & 0x80 != 0 {
                let count = length & 0x7F
                guard (1...4).contains(count), index + count <= bytes.count else { return nil }
                length = bytes[index..<index + count].reduce(0) { $0 << 8 | Int($1) }
                index += count
            }
            guard length >= 0, index + length <= bytes.count else { return nil }
            defer { index += length }
            return Array(bytes[index..<index + length])
        }
    }
}

/// Modular exponentiation over one odd modulus with Montgomery multiplication (32-bit limbs), enough for an RSA
/// public operation.
struct BigModulus {
    /// The modulus, little-endian limbs.
    let n: [UInt32]
    /// Bytes in the modulus.
    let byteCount: Int
    /// −n⁻¹ mod 2³².
    let nPrime: UInt32
    /// R² mod n, R = 2^(32·limbs).
    let rSquared: [UInt32]

    init(modulus: [UInt8]) {
        byteCount = modulus.count
        n = Self.limbs(modulus, count: (modulus.count + 3) / 4)
        var inverse: UInt32 = 1
        for _ in 0..<5 { inverse = inverse &* (2 &- n[0] &* inverse) }
        nPrime = 0 &- inverse
        // R² mod n by doubling 1 as many times as R² has bits, reducing each time.
        var x = [UInt32](repeating: 0, count: n.count)
        x[0] = 1
        for _ in 0..<(64 * n.count) {
            var carry: UInt32 = 0
            for i in 0..<x.count {
                let next = x[i] >> 31
                x[i] = x[i] << 1 | carry
                carry = next
            }
            if carry == 1 || !Self.less(x, n) { Self.subtract(&x, n) }
        }
        rSquared = x
    }

    /// `base^exponent mod n`, both big-endian; `base` must be below the modulus. The result has the modulus's length.
    func power(_ base: [UInt8], exponent: [UInt8]) -> [UInt8] {
        var one = [UInt32](repeating: 0, count: n.count)
        one[0] = 1
        let b = multiply(Self.limbs(base, count: n.count), rSquared)
        var accumulator = multiply(one, rSquared)
        for byte in exponent {
            for bit in (0..<8).reversed() {
                accumulator = multiply(accumulator, accumulator)
                if (byte >> UInt8(bit)) & 1 == 1 { accumulator = multiply(accumulator, b) }
            }
        }
        let result = multiply(accumulator, one)
        var bytes: [UInt8] = []
        for limb in result.reversed() {
            bytes += [UInt8(truncatingIfNeeded: limb >> 24), UInt8(truncatingIfNeeded: limb >> 16),
                      UInt8(truncatingIfNeeded: limb >> 8), UInt8(truncatingIfNeeded: limb)]
        }
        return Array(bytes.suffix(byteCount))
    }

    /// Montgomery product a·b·R⁻¹ mod n.
    func multiply(_ a: [UInt32], _ b: [UInt32]) -> [UInt32] {
        let k = n.count
        var t = [UInt32](repeating: 0, count: k + 2)
        for i in 0..<k {
            var carry: UInt64 = 0
            let bi = UInt64(b[i])
            for j in 0..<k {
                let s = UInt64(t[j]) + UInt64(a[j]) * bi + carry
                t[j] = UInt32(truncatingIfNeeded: s)
                carry = s >> 32
            }
            var s = UInt64(t[k]) + carry
            t[k] = UInt32(truncatingIfNeeded: s)
            t[k + 1] = UInt32(truncatingIfNeeded: s >> 32)
            let m = UInt64(t[0] &* nPrime)
            s = UInt64(t[0]) + m * UInt64(n[0])
            carry = s >> 32
            for j in 1..<k {
                s = UInt64(t[j]) + m * UInt64(n[j]) + carry
                t[j - 1] = UInt32(truncatingIfNeeded: s)
                carry = s >> 32
            }
            s = UInt64(t[k]) + carry
            t[k - 1] = UInt32(truncatingIfNeeded: s)
            t[k] = t[k + 1] &+ UInt32(truncatingIfNeeded: s >> 32)
            t[k + 1] = 0
        }
        var result = Array(t[0..<k])
        if t[k] != 0 || !Self.less(result, n) { Self.subtract(&result, n) }
        return result
    }

    static func limbs(_ bytes: [UInt8], count: Int) -> [UInt32] {
        var out = [UInt32](repeating: 0, count: count)
        for (i, byte) in bytes.reversed().enumerated() where i / 4 < count {
            out[i / 4] |= UInt32(byte) << UInt32(8 * (i % 4))
        }
        return out
    }

    static func less(_ a: [UInt32], _ b: [UInt32]) -> Bool {
        for i in (0..<a.count).reversed() where a[i] != b[i] { return a[i] < b[i] }
        return false
    }

    /// a −= b, modulo 2^(32·limbs) (a borrow out of the top is the bit the caller knows is there).
    static func subtract(_ a: inout [UInt32], _ b: [UInt32]) {
        var borrow: Int64 = 0
        for i in 0..<a.count {
            let d = Int64(a[i]) - Int64(b[i]) - borrow
            a[i] = UInt32(truncatingIfNeeded: d)
            borrow = d < 0 ? 1 : 0
        }
    }
}
