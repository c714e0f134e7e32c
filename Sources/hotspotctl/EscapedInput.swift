/// Turns a reply written out with escapes (`\r`, `\n`, `\t`, `\"`, `\\`, `\xHH`) back into its bytes.
///
/// For `hotspotctl decode --escaped`, where the reply was copied from a log or a test as text. Real line
/// ends in the input are dropped (every line end of the reply is written out), so the text may be wrapped
/// and may end with the newline `echo` adds.
enum EscapedInput {
    /// Why the text could not be read.
    enum Failure: Error, Equatable, Sendable {
        /// A backslash followed by something that is not one of the escapes.
        case unknownEscape(offset: Int, character: String)
        /// `\x` not followed by two hex digits.
        case badHexEscape(offset: Int)
        /// A backslash as the last character.
        case danglingBackslash(offset: Int)

        /// One sentence for stderr.
        var message: String {
            switch self {
            case .unknownEscape(let offset, let character):
                "unknown escape \\\(character) at byte \(offset) of stdin (use \\r \\n \\t \\\" \\\\ or \\xHH)"
            case .badHexEscape(let offset):
                "\\x at byte \(offset) of stdin needs two hex digits"
            case .danglingBackslash(let offset):
                "stdin ends with a lone backslash at byte \(offset)"
            }
        }
    }

    /// The bytes the escaped text stands for.
    static func decode(_ text: [UInt8]) throws(Failure) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            let byte = text[index]
            if byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") {
                index += 1
                continue
            }
            guard byte == UInt8(ascii: "\\") else {
                bytes.append(byte)
                index += 1
                continue
            }
            guard index + 1 < text.count else { throw .danglingBackslash(offset: index) }
            switch text[index + 1] {
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "x"):
                guard index + 3 < text.count, let high = hexValue(text[index + 2]), let low = hexValue(text[index + 3]) else {
                    throw .badHexEscape(offset: index)
                }
                bytes.append(high << 4 | low)
                index += 4
                continue
            default:
                throw .unknownEscape(offset: index, character: String(decoding: [text[index + 1]], as: UTF8.self))
            }
            index += 2
        }
        return bytes
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
