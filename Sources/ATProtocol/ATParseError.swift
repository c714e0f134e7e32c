/// Why a reply could not be turned into a typed value.
///
/// `command` names the parser's command form (`+CGSN`, `^ICCID`, `+CRSM`), not the full text sent.
/// `line` is the device's line as received and may hold a full ICCID, IMSI, IMEI or Wi-Fi key:
/// log `logDescription`, which leaves it out.
public enum ATParseError: Error, Sendable, Equatable {
    /// The reply had no line the parser could use.
    case noInformation(command: String)
    /// A line had the right form but wrong content; `reason` says what was wrong.
    case malformed(command: String, line: String, reason: String)
    /// The SIM answered a `+CRSM` access with status words other than `144,0` (`90 00`).
    case simStatus(command: String, sw1: Int, sw2: Int)

    /// A description safe for logs: the command form and the reason, never the line itself.
    public var logDescription: String {
        switch self {
        case .noInformation(let command):
            return "\(command): no information line"
        case .malformed(let command, _, let reason):
            return "\(command): \(reason)"
        case .simStatus(let command, let sw1, let sw2):
            return "\(command): SIM status words \(sw1),\(sw2)"
        }
    }
}
