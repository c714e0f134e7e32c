/// The final result code that ends a command's reply (3GPP TS 27.007 / V.250).
///
/// `+CME ERROR` and `+CMS ERROR` carry either a number (`AT+CMEE=1`) or a verbose text
/// (`AT+CMEE=2`); both are mapped through the 27.007 / 27.005 tables so callers can switch on `code`.
public enum ATFinalResult: Sendable, Equatable {
    /// `OK`.
    case ok
    /// A bare `ERROR` (extended errors off, or the command is unknown); Huawei's
    /// `TOO MANY PARAMETERS` is reported as this too.
    case error
    /// `+CME ERROR: <n|text>`: a mobile-equipment error.
    case cme(CMEError)
    /// `+CMS ERROR: <n|text>`: a short-message-service error.
    case cms(CMSError)
    /// `NO CARRIER`.
    case noCarrier
    /// `BUSY`.
    case busy
    /// `NO ANSWER`.
    case noAnswer
    /// `NO DIALTONE`.
    case noDialtone
    /// `COMMAND NOT SUPPORT`, sent by some Huawei firmwares instead of `ERROR`.
    case commandNotSupported

    /// Recognises a final result line; returns nil for anything else (information lines, URCs).
    ///
    /// Case-insensitive; tolerates a missing space after the colon and quotes around verbose text.
    public static func parse(_ line: String) -> ATFinalResult? {
        // Every line of a reply comes through here: one pass over the bytes, literals compared
        // by length against static strings, no allocation unless it is a `+CME`/`+CMS` error.
        let kind = ATText.withBytes(line) { bytes -> LineKind in
            guard let first = bytes.first, bytes.count <= 256 else { return .other }
            // Fast reject: every final result starts with O, E, T, +, N, B or C (any case).
            switch ATText.upperASCII(first) {
            case UInt8(ascii: "O"), UInt8(ascii: "E"), UInt8(ascii: "T"), UInt8(ascii: "N"),
                 UInt8(ascii: "B"), UInt8(ascii: "C"):
                return plainFinal(bytes).map { .plain($0) } ?? .other
            case UInt8(ascii: "+"):
                guard bytes.count >= 10 else { return .other }
                let head = UnsafeBufferPointer(rebasing: bytes[0..<10])
                if matches(head, "+CME ERROR") { return .cme }
                if matches(head, "+CMS ERROR") { return .cms }
                return .other
            default:
                return .other
            }
        }
        switch kind {
        case .plain(let result): return result
        case .cme: return errorDetail(line).map { .cme(CMEError(detail: $0)) }
        case .cms: return errorDetail(line).map { .cms(CMSError(detail: $0)) }
        case .other: return nil
        }
    }

    /// What the byte scan of `parse` found; error details are then read from the String.
    private enum LineKind { case plain(ATFinalResult), cme, cms, other }


    /// The plain (non-`+`) final result spelled by `bytes`, ignoring ASCII case.
    private static func plainFinal(_ bytes: UnsafeBufferPointer<UInt8>) -> ATFinalResult? {
        switch bytes.count {
        case 2: return matches(bytes, "OK") ? .ok : nil
        case 4: return matches(bytes, "BUSY") ? .busy : nil
        case 5: return matches(bytes, "ERROR") ? .error : nil
        case 9: return matches(bytes, "NO ANSWER") ? .noAnswer : nil
        case 10: return matches(bytes, "NO CARRIER") ? .noCarrier : nil
        case 11: return matches(bytes, "NO DIALTONE") ? .noDialtone : nil
        case 12: return matches(bytes, "NO DIAL TONE") ? .noDialtone : nil
        case 19:
            if matches(bytes, "TOO MANY PARAMETERS") { return .error }
            return matches(bytes, "COMMAND NOT SUPPORT") ? .commandNotSupported : nil
        case 21: return matches(bytes, "COMMAND NOT SUPPORTED") ? .commandNotSupported : nil
        default: return nil
        }
    }

    /// True when `bytes` equals the uppercase ASCII `literal`, ignoring ASCII case.
    private static func matches(_ bytes: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
        guard bytes.count == literal.utf8CodeUnitCount else { return false }
        let expected = literal.utf8Start
        for index in 0..<bytes.count where ATText.upperASCII(bytes[index]) != expected[index] { return false }
        return true
    }

    /// True only for `.ok`.
    public var isOK: Bool { self == .ok }

    /// Extracts the text after `+CME ERROR:` / `+CMS ERROR:`; nil when the colon is missing.
    private static func errorDetail(_ line: String) -> String? {
        var utf8 = Substring(line).utf8.dropFirst(10)   // "+CME ERROR" / "+CMS ERROR"
        while utf8.first == 0x20 { utf8 = utf8.dropFirst() }
        guard utf8.first == UInt8(ascii: ":") else { return nil }
        let rest = Substring(utf8.dropFirst())
        return ATText.unquoted(ATText.trimmed(rest))
    }
}
