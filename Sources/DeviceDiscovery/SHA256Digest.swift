import Crypto

/// SHA-256 as lowercase hex, for `ATPortMemory`'s pseudonymous keys; the digest itself is swift-crypto's, the same
/// the ledger's hash chain uses.
enum SHA256Digest {
    /// The digest of `message` as lowercase hex.
    static func hex(_ message: [UInt8]) -> String {
        SHA256.hash(data: message).map { byte in
            let digits = String(byte, radix: 16)
            return byte < 16 ? "0" + digits : digits
        }.joined()
    }
}
