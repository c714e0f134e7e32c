/// One AT command as the modem side sees it: name, form and arguments.
///
/// The line is split on `;` outside quotes into sub-commands (`AT+CMEE=1;+CGSN`). Command names are
/// upper-cased; quoted arguments keep their case.
public struct ModemCommand: Sendable, Equatable {
    /// How the command was written.
    public enum Form: Sendable, Equatable {
        /// `AT+X` (or a basic command such as `ATE0`, whose digits stay in `name`).
        case action
        /// `AT+X?`
        case query
        /// `AT+X=?`
        case test
        /// `AT+X=<args>`
        case set([String])
    }

    /// Upper-cased name without `AT`, e.g. `+CGSN`, `^ICCID`, `E0`, `Z`, `I`, empty for bare `AT`.
    public var name: String
    /// Query, test, set or action.
    public var form: Form
    /// The sub-command as written, with `AT` in front (used for pattern tables).
    public var text: String

    /// Splits a received line into commands; nil when the line does not start with `AT`.
    public static func parse(line: String) -> [ModemCommand]? {
        let trimmed = line.trimmingBlanks()
        guard trimmed.count >= 2, trimmed.prefix(2).uppercased() == "AT" else { return nil }
        let body = String(trimmed.dropFirst(2))
        if body.isEmpty { return [ModemCommand(name: "", form: .action, text: "AT")] }
        return splitOutsideQuotes(body, separator: ";")
            .filter { !$0.trimmingBlanks().isEmpty }
            .map { parseOne($0.trimmingBlanks()) }
    }

    static func parseOne(_ body: String) -> ModemCommand {
        let text = "AT" + body
        let upper = uppercasedOutsideQuotes(body)
        if let equals = upper.firstIndex(of: "=") {
            let name = String(upper[..<equals])
            let rest = String(body[body.index(after: equals)...])
            if rest == "?" { return ModemCommand(name: name, form: .test, text: text) }
            let arguments = splitOutsideQuotes(rest, separator: ",").map { unquote($0.trimmingBlanks()) }
            return ModemCommand(name: name, form: .set(arguments), text: text)
        }
        if upper.hasSuffix("?") {
            return ModemCommand(name: String(upper.dropLast()), form: .query, text: text)
        }
        return ModemCommand(name: upper, form: .action, text: text)
    }

    static func splitOutsideQuotes(_ text: String, separator: Character) -> [String] {
        var parts: [String] = []
        var current = ""
        var quoted = false
        for character in text {
            if character == "\"" { quoted.toggle() }
            if character == separator, !quoted {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current)
        return parts
    }

    static func uppercasedOutsideQuotes(_ text: String) -> String {
        var out = ""
        var quoted = false
        for character in text {
            if character == "\"" { quoted.toggle() }
            out += quoted ? String(character) : character.uppercased()
        }
        return out
    }

    static func unquote(_ text: String) -> String {
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") {
            return String(text.dropFirst().dropLast())
        }
        return text
    }
}
