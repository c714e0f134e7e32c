/// Why a reply could not be turned into a typed value.
///
/// `command` names the parser's command form (`+CGSN`, `^ICCID`, `+CRSM`), not the full text sent.
public enum ATParseError: Error, Sendable, Equatable {
    /// The reply had no line the parser could use.
    case noInformation(command: String)
    /// A line had the right form but wrong content; `reason` says what was wrong.
    case malformed(command: String, line: String, reason: String)
    /// The SIM answered a `+CRSM` access with status words other than `144,0` (`90 00`).
    case simStatus(command: String, sw1: Int, sw2: Int)
}
