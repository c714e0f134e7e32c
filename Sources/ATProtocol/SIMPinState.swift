/// What the SIM waits for, from `+CPIN?` (27.007 §8.3) or Huawei `^CPIN?`.
public enum SIMPinState: Sendable, Equatable {
    /// No password needed.
    case ready
    /// The SIM PIN is needed.
    case simPIN
    /// The SIM is blocked; the PUK is needed.
    case simPUK
    /// PIN2 is needed.
    case simPIN2
    /// PUK2 is needed.
    case simPUK2
    /// The phone-to-SIM lock password is needed.
    case phoneSIMPIN
    /// Any other code, as sent (e.g. `PH-NET PIN`).
    case other(String)

    /// Maps the code text of a `+CPIN:` line (quotes and case ignored).
    public init(code: String) {
        let normalized = ATText.unquoted(ATText.trimmed(code))
        switch normalized.uppercased() {
        case "READY": self = .ready
        case "SIM PIN": self = .simPIN
        case "SIM PUK": self = .simPUK
        case "SIM PIN2": self = .simPIN2
        case "SIM PUK2": self = .simPUK2
        case "PH-SIM PIN", "PH SIM PIN": self = .phoneSIMPIN
        default: self = .other(normalized)
        }
    }

    /// The code text as 27.007 spells it (`READY`, `SIM PIN`, ...).
    public var code: String {
        switch self {
        case .ready: "READY"
        case .simPIN: "SIM PIN"
        case .simPUK: "SIM PUK"
        case .simPIN2: "SIM PIN2"
        case .simPUK2: "SIM PUK2"
        case .phoneSIMPIN: "PH-SIM PIN"
        case .other(let text): text
        }
    }
}
