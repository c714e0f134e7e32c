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
        let utf8 = line.utf8
        guard let first = utf8.first else { return nil }
        // Fast reject: every final result starts with O, E, T, +, N, B or C (any case).
        switch ATText.upperASCII(first) {
        case UInt8(ascii: "O"), UInt8(ascii: "E"), UInt8(ascii: "T"), UInt8(ascii: "+"),
             UInt8(ascii: "N"), UInt8(ascii: "B"), UInt8(ascii: "C"):
            break
        default:
            return nil
        }
        let count = utf8.count
        if count > 256 { return nil }
        if first == UInt8(ascii: "+") {
            if ATText.hasPrefixIgnoringCase(utf8, cmeLiteral) {
                return errorDetail(line).map { .cme(CMEError(detail: $0)) }
            }
            if ATText.hasPrefixIgnoringCase(utf8, cmsLiteral) {
                return errorDetail(line).map { .cms(CMSError(detail: $0)) }
            }
            return nil
        }
        for (literal, result) in plainFinals where literal.count == count {
            if ATText.equalsIgnoringCase(utf8, literal) { return result }
        }
        return nil
    }

    private static let cmeLiteral = Array("+CME ERROR".utf8)
    private static let cmsLiteral = Array("+CMS ERROR".utf8)
    private static let plainFinals: [([UInt8], ATFinalResult)] = {
        let table: [(String, ATFinalResult)] = [
            ("OK", .ok), ("ERROR", .error), ("TOO MANY PARAMETERS", .error), ("NO CARRIER", .noCarrier),
            ("BUSY", .busy), ("NO ANSWER", .noAnswer), ("NO DIALTONE", .noDialtone), ("NO DIAL TONE", .noDialtone),
            ("COMMAND NOT SUPPORT", .commandNotSupported), ("COMMAND NOT SUPPORTED", .commandNotSupported),
        ]
        return table.map { (Array($0.0.utf8), $0.1) }
    }()

    /// True only for `.ok`.
    public var isOK: Bool { self == .ok }

    /// Extracts the text after `+CME ERROR:` / `+CMS ERROR:`; nil when the colon is missing.
    private static func errorDetail(_ line: String) -> String? {
        var utf8 = Substring(line).utf8.dropFirst(cmeLiteral.count)
        while utf8.first == 0x20 { utf8 = utf8.dropFirst() }
        guard utf8.first == UInt8(ascii: ":") else { return nil }
        let rest = Substring(utf8.dropFirst())
        return ATText.unquoted(ATText.trimmed(rest))
    }
}
