import ATProtocol

/// Decodes the SIM's elementary files the station reads: EF_ICCID (2FE2), EF_IMSI (6F07), and the GSM
/// DF status that carries the CHV1 (PIN) state.
public enum SIMFileCodec {
    /// Decodes EF_ICCID's 10 bytes (ETSI TS 102 221 §13.2): swapped BCD (low nibble first), `F`-padded at the end.
    ///
    /// Checks ITU-T E.118's form: 18 to 20 characters, starting `89` (telecommunications), decimal digits
    /// (hex letters are tolerated after the sixth character, as some issuers write them). The Luhn check digit is
    /// computed and flagged in `ICCID.luhnValid`, never used to reject.
    public static func iccid(from content: [UInt8]) throws(SIMCardError) -> ICCID {
        guard content.count == 10 else { throw .malformedICCID("EF_ICCID holds \(content.count) bytes, not 10") }
        var characters: [UInt8] = []
        var padded = false
        for byte in content {
            for nibble in [byte & 0x0F, byte >> 4] {
                if nibble == 0x0F {
                    padded = true
                    continue
                }
                guard !padded else { throw .malformedICCID("digits after the F padding") }
                if nibble <= 9 {
                    characters.append(0x30 + nibble)
                } else {
                    guard characters.count >= 6 else { throw .malformedICCID("a non-decimal digit in the issuer prefix") }
                    characters.append(0x41 + nibble - 10)
                }
            }
        }
        let digits = String(decoding: characters, as: UTF8.self)
        guard (18...20).contains(characters.count) else {
            throw .malformedICCID("\(characters.count) digits, E.118 allows 18 to 20")
        }
        guard digits.hasPrefix("89") else { throw .malformedICCID("it does not start with 89") }
        return ICCID(digits: digits)
    }

    /// Why EF_IMSI holds no identity: the file is erased (`FF…`), which blank and test cards have.
    public static let imsiErased = "EF_IMSI is erased"

    /// Decodes EF_IMSI's 9 bytes (3GPP TS 31.102 §4.2.2): a length byte, then the first digit with the
    /// identity type (`001`) and odd/even flag, then swapped BCD. Nil when the file is erased.
    public static func imsi(from content: [UInt8]) throws(SIMCardError) -> IMSI? {
        guard let length = content.first else { throw .malformedIMSI("EF_IMSI is empty") }
        if length == 0xFF || length == 0 { return nil }
        guard (1...8).contains(length), content.count >= Int(length) + 1 else {
            throw .malformedIMSI("length byte \(length) does not fit the \(content.count)-byte file")
        }
        let first = content[1]
        guard first & 0x07 == 0x01 else { throw .malformedIMSI("the identity type is not IMSI") }
        let odd = first & 0x08 != 0
        var nibbles: [UInt8] = [first >> 4]
        for byte in content[2...Int(length)] {
            nibbles.append(byte & 0x0F)
            nibbles.append(byte >> 4)
        }
        if !odd {
            guard nibbles.last == 0x0F else { throw .malformedIMSI("an even IMSI lacks its F filler") }
            nibbles.removeLast()
        }
        guard nibbles.allSatisfy({ $0 <= 9 }) else { throw .malformedIMSI("a non-decimal digit") }
        let digits = String(decoding: nibbles.map { $0 + 0x30 }, as: UTF8.self)
        guard let imsi = IMSI(validating: digits) else { throw .malformedIMSI("\(nibbles.count) digits") }
        return imsi
    }

    /// The PIN (CHV1) state a GSM SIM gives in the answer to SELECT of the MF or a DF (3GPP TS 51.011 §9.2.1):
    /// byte 14 bit 8 says CHV1 is disabled, byte 19's low nibble counts the tries left (0: blocked).
    /// Nil when the answer is too short to hold them.
    public static func gsmPINStatus(fromDirectoryResponse response: [UInt8]) -> SIMPINStatus? {
        guard response.count >= 19 else { return nil }
        let disabled = response[13] & 0x80 != 0
        let chv1 = response[18]
        guard chv1 & 0x80 != 0 else { return SIMPINStatus(state: .ready, triesLeft: nil) } // no PIN set up
        let tries = Int(chv1 & 0x0F)
        if tries == 0 { return SIMPINStatus(state: .simPUK, triesLeft: 0) }
        return SIMPINStatus(state: disabled ? .ready : .simPIN, triesLeft: tries)
    }
}

/// A SIM's PIN state and, when the card says, the tries left before it blocks.
public struct SIMPINStatus: Sendable, Equatable {
    /// `READY` (no PIN needed now), `SIM PIN` or `SIM PUK`; nil when the card did not say.
    public var state: SIMPinState?
    /// Tries left before the PIN blocks (3 on a fresh card), when the card says.
    public var triesLeft: Int?

    /// Creates a status.
    public init(state: SIMPinState?, triesLeft: Int?) {
        self.state = state
        self.triesLeft = triesLeft
    }
}
