/// Why a command could not be built from the given input.
///
/// Thrown instead of ever emitting a command that contains CR, LF, `"`, `;`, Ctrl-Z, ESC or any
/// character outside the field's allowlist. `character` is one character (or `U+XXXX` for
/// non-printables), so errors are safe to log even when the field is a secret.
public enum ATCommandError: Error, Sendable, Equatable {
    /// The field was empty.
    case empty(field: String)
    /// The field was longer than `max` (characters or bytes, as the field defines).
    case tooLong(field: String, max: Int)
    /// The field contained a character outside its allowlist.
    case forbiddenCharacter(field: String, character: String)
    /// The field was otherwise unacceptable (range, length below minimum, wrong form).
    case invalid(field: String, reason: String)
}

extension ATCommandError: CustomStringConvertible {
    /// The field in words, as a technician names it.
    private static func fieldName(_ field: String) -> String {
        switch field {
        case "ssid": return "the Wi-Fi name"
        case "key": return "the Wi-Fi key"
        case "pin": return "the PIN"
        case "puk": return "the PUK"
        case "ussd", "code": return "the USSD code"
        default: return "the \(field)"
        }
    }

    /// One plain English sentence fragment naming the field and what is wrong with it (never the value itself).
    public var description: String {
        switch self {
        case .empty(let field): return "\(Self.fieldName(field)) is empty"
        case .tooLong(let field, let max): return "\(Self.fieldName(field)) is longer than \(max) characters"
        case .forbiddenCharacter(let field, let character):
            return "\(Self.fieldName(field)) contains \(character.hasPrefix("U+") ? character : "“\(character)”"), which a device cannot store"
        case .invalid(let field, let reason): return "\(Self.fieldName(field)) is refused (\(reason))"
        }
    }

    /// The facts of the error as named values (`field`, and `character`, `max` or `reason`), for a client that words
    /// them in its own language. Like `description`, they never hold the value itself.
    public var facts: [String: String] {
        switch self {
        case .empty(let field): return ["field": field, "problem": "empty"]
        case .tooLong(let field, let max): return ["field": field, "problem": "too-long", "max": String(max)]
        case .forbiddenCharacter(let field, let character): return ["field": field, "problem": "forbidden-character", "character": character]
        case .invalid(let field, let reason): return ["field": field, "problem": "invalid", "reason": reason]
        }
    }
}
