import Crypto
import _CryptoExtras
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The login derivations of HiLink firmware. Pure functions of their inputs; the passwords never leave them.
public enum HiLinkLogin {
    /// `password_type` 4: `base64(sha256hex(user + base64(sha256hex(password)) + token))`, hex in lowercase,
    /// with the same token as the POST's `__RequestVerificationToken` header.
    public static func passwordType4(user: String, password: String, token: String) -> String {
        let inner = Data(sha256Hex(Array(password.utf8)).utf8).base64EncodedString()
        let outer = sha256Hex(Array((user + inner + token).utf8))
        return Data(outer.utf8).base64EncodedString()
    }

    /// `password_type` 0 or 3: `base64(password)`.
    public static func passwordPlain(_ password: String) -> String {
        Data(password.utf8).base64EncodedString()
    }

    /// Lowercase hex of SHA-256.
    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        HiLinkHex.encode(Array(SHA256.hash(data: bytes)))
    }
}

/// Why a SCRAM exchange cannot go on.
public enum HiLinkSCRAMError: Error, Sendable, Equatable {
    /// The challenge is unusable: a server nonce not extending ours, a salt that is not hex, an iteration count out
    /// of bounds (a hostile device could ask for billions).
    case badChallenge(String)
    /// The device's `serversignature` does not prove it knows the password.
    case serverSignatureMismatch
}

/// Huawei's SCRAM-SHA256 variant (`extern_password_type=1`): RFC 5802's shape with the key and message of the two
/// key HMACs swapped, so a standard SCRAM library would compute wrong proofs.
public struct HiLinkSCRAM: Sendable {
    /// The client's first nonce (64 hex characters).
    public let firstNonce: String
    /// Largest iteration count accepted from a device.
    public static let maxIterations = 100_000

    /// A client with a fresh random first nonce.
    public init() {
        var generator = SystemRandomNumberGenerator()
        firstNonce = HiLinkHex.encode((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// A client with a given first nonce (tests, known vectors).
    public init(firstNonce: String) {
        self.firstNonce = firstNonce
    }

    /// The proof to send and the server signature to expect.
    public struct Proof: Sendable, Equatable {
        /// `clientproof`, hex.
        public var clientProof: String
        /// The `serversignature` a device that knows the password answers, hex.
        public var expectedServerSignature: String
    }

    /// Computes the proof for a challenge (`salt` hex, `serverNonce`, `iterations`).
    public func proof(password: String, salt: String, serverNonce: String, iterations: Int) throws(HiLinkSCRAMError) -> Proof {
        guard serverNonce.hasPrefix(firstNonce), serverNonce.utf8.count > firstNonce.utf8.count, serverNonce.utf8.count <= 256 else {
            throw .badChallenge("the server nonce does not extend the client's")
        }
        guard let saltBytes = HiLinkHex.decode(salt), !saltBytes.isEmpty, saltBytes.count <= 128 else {
            throw .badChallenge("the salt is not hex")
        }
        guard (1...Self.maxIterations).contains(iterations) else {
            throw .badChallenge("iteration count \(iterations) out of bounds")
        }
        return try Self.derive(password: password, salt: saltBytes, iterations: iterations,
                               authMessage: firstNonce + "," + serverNonce + "," + serverNonce)
    }

    /// The derivation shared by client and simulator: `SaltedPassword = PBKDF2-HMAC-SHA256(password, salt, i, 32)`,
    /// `ClientKey = HMAC(key: "Client Key", msg: SaltedPassword)`, `StoredKey = SHA256(ClientKey)`,
    /// `ClientProof = ClientKey XOR HMAC(key: AuthMessage, msg: StoredKey)`,
    /// `ServerSignature = HMAC(key: AuthMessage, msg: HMAC(key: "Server Key", msg: SaltedPassword))`.
    public static func derive(password: String, salt: [UInt8], iterations: Int, authMessage: String) throws(HiLinkSCRAMError) -> Proof {
        let salted: SymmetricKey
        do {
            salted = try KDF.Insecure.PBKDF2.deriveKey(from: Array(password.utf8), salt: salt, using: .sha256,
                                                       outputByteCount: 32, unsafeUncheckedRounds: iterations)
        } catch {
            throw .badChallenge("PBKDF2 refused the parameters")
        }
        let saltedBytes = salted.withUnsafeBytes { Array($0) }
        let clientKey = hmac(key: Array("Client Key".utf8), message: saltedBytes)
        let storedKey = Array(SHA256.hash(data: clientKey))
        let authKey = Array(authMessage.utf8)
        let clientSignature = hmac(key: authKey, message: storedKey)
        let proof = zip(clientKey, clientSignature).map { $0 ^ $1 }
        let serverKey = hmac(key: Array("Server Key".utf8), message: saltedBytes)
        let serverSignature = hmac(key: authKey, message: serverKey)
        return Proof(clientProof: HiLinkHex.encode(proof), expectedServerSignature: HiLinkHex.encode(serverSignature))
    }

    /// Checks the device's `serversignature` (constant-time comparison).
    public static func verify(serverSignature: String, expected: String) throws(HiLinkSCRAMError) {
        let a = Array(serverSignature.lowercased().utf8)
        let b = Array(expected.utf8)
        guard a.count == b.count else { throw .serverSignatureMismatch }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        guard difference == 0 else { throw .serverSignatureMismatch }
    }

    private static func hmac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }
}

/// Hex encoding as HiLink writes it (lowercase).
public enum HiLinkHex {
    /// Lowercase hex of bytes.
    public static func encode(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Bytes of a hex string (either case), or nil when it is not an even run of hex digits.
    public static func decode(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        var i = 0
        while i < chars.count {
            guard let high = nibble(chars[i]), let low = nibble(chars[i + 1]) else { return nil }
            out.append(high << 4 | low)
            i += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }
}
