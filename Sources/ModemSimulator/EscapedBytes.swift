/// Turns the reply strings of a personality's raw table into exact bytes.
///
/// JSON already carries `\r`, `\n`, `\t` and `\u00XX`; on top of that a backslash followed by `x`
/// and two hex digits (written `\\x1A` in JSON) is one raw byte, and a doubled backslash is one
/// backslash. Everything else is sent as its UTF-8 bytes.
public enum EscapedBytes {
    /// Decodes one escaped reply; throws `invalidPersonality` on a malformed `\x` escape.
    public static func decode(_ text: String) throws(SimulatorError) -> [UInt8] {
        var out: [UInt8] = []
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\"), index + 1 < bytes.count {
                let next = bytes[index + 1]
                if next == UInt8(ascii: "\\") {
                    out.append(byte)
                    index += 2
                    continue
                }
                if next == UInt8(ascii: "x") || next == UInt8(ascii: "X") {
                    guard index + 3 < bytes.count,
                          let high = hexValue(bytes[index + 2]),
                          let low = hexValue(bytes[index + 3]) else {
                        throw SimulatorError(.invalidPersonality, "malformed \\x escape in raw reply \(text.debugDescription)")
                    }
                    out.append(high << 4 | low)
                    index += 4
                    continue
                }
            }
            out.append(byte)
            index += 1
        }
        return out
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
