#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The one JSON text the ledger writes for an event's `detail`: a flat object of strings.
///
/// Canonical so that the same detail always yields the same bytes (and so the same hash):
/// keys sorted by their UTF-8 bytes, no whitespace, `"` `\` escaped, control characters below
/// U+0020 escaped as `\b \f \n \r \t` or `\u00XX` (lower-case hex), everything else (including
/// `/` and non-ASCII) written as UTF-8 unescaped. Any JSON parser reads it back.
enum CanonicalJSON {
    /// Encodes `object` canonically.
    static func encode(_ object: [String: String]) -> String {
        let keys = object.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        var out = "{"
        for (index, key) in keys.enumerated() {
            if index > 0 { out += "," }
            appendString(key, to: &out)
            out += ":"
            appendString(object[key] ?? "", to: &out)
        }
        out += "}"
        return out
    }

    /// Decodes a flat object of strings; nil if the text is not one.
    static func decode(_ text: String) -> [String: String]? {
        try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))
    }

    private static func appendString(_ string: String, to out: inout String) {
        out += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
