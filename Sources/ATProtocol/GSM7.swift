/// The GSM 7-bit default alphabet and its extension table (3GPP TS 23.038 §6.2.1), with the
/// septet packing used by USSD and SMS (§6.1.2.1) and the USSD CR fill rule (§6.1.2.3.1).
public enum GSM7 {
    /// The default alphabet: the Unicode scalar of each septet value 0x00–0x7F (0x1B = escape).
    static let basic: [Unicode.Scalar] = [
        "@", "\u{00A3}", "$", "\u{00A5}", "\u{00E8}", "\u{00E9}", "\u{00F9}", "\u{00EC}",
        "\u{00F2}", "\u{00C7}", "\n", "\u{00D8}", "\u{00F8}", "\r", "\u{00C5}", "\u{00E5}",
        "\u{0394}", "_", "\u{03A6}", "\u{0393}", "\u{039B}", "\u{03A9}", "\u{03A0}", "\u{03A8}",
        "\u{03A3}", "\u{0398}", "\u{039E}", "\u{001B}", "\u{00C6}", "\u{00E6}", "\u{00DF}", "\u{00C9}",
        " ", "!", "\"", "#", "\u{00A4}", "%", "&", "'", "(", ")", "*", "+", ",", "-", ".", "/",
        "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", ":", ";", "<", "=", ">", "?",
        "\u{00A1}", "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O",
        "P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z", "\u{00C4}", "\u{00D6}", "\u{00D1}", "\u{00DC}", "\u{00A7}",
        "\u{00BF}", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o",
        "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z", "\u{00E4}", "\u{00F6}", "\u{00F1}", "\u{00FC}", "\u{00E0}",
    ]

    /// The extension table: septet after ESC → scalar.
    static let extensionTable: [UInt8: Unicode.Scalar] = [
        0x0A: "\u{000C}", 0x14: "^", 0x28: "{", 0x29: "}", 0x2F: "\\",
        0x3C: "[", 0x3D: "~", 0x3E: "]", 0x40: "|", 0x65: "\u{20AC}",
    ]

    /// The escape septet that selects the extension table.
    public static let escape: UInt8 = 0x1B
    /// The carriage-return septet used as fill.
    public static let carriageReturn: UInt8 = 0x0D

    private static let basicReverse: [Unicode.Scalar: UInt8] = {
        var map: [Unicode.Scalar: UInt8] = [:]
        for (index, scalar) in basic.enumerated() where index != 0x1B { map[scalar] = UInt8(index) }
        return map
    }()

    private static let extensionReverse: [Unicode.Scalar: UInt8] = {
        var map: [Unicode.Scalar: UInt8] = [:]
        for (septet, scalar) in extensionTable { map[scalar] = septet }
        return map
    }()

    /// Encodes text as septet values (extension characters become ESC + code); nil when a
    /// character has no GSM 7-bit representation.
    public static func septets(for text: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            if let value = basicReverse[scalar] {
                out.append(value)
            } else if let value = extensionReverse[scalar] {
                out.append(escape)
                out.append(value)
            } else {
                return nil
            }
        }
        return out
    }

    /// The first character of `text` that GSM 7-bit cannot represent, if any.
    public static func firstUnrepresentable(in text: String) -> Unicode.Scalar? {
        text.unicodeScalars.first { basicReverse[$0] == nil && extensionReverse[$0] == nil }
    }

    /// Decodes septet values (only the low 7 bits of each byte are used) into text.
    ///
    /// An ESC followed by a code that is not in the extension table decodes as that code's default
    /// character (the spec's fallback); a trailing lone ESC decodes as a space.
    public static func string(fromSeptets septets: some Sequence<UInt8>) -> String {
        var scalars = String.UnicodeScalarView()
        var escaped = false
        for raw in septets {
            let septet = raw & 0x7F
            if escaped {
                escaped = false
                if let scalar = extensionTable[septet] {
                    scalars.append(scalar)
                } else if septet == escape {
                    scalars.append(" ")
                } else {
                    scalars.append(basic[Int(septet)])
                }
            } else if septet == escape {
                escaped = true
            } else {
                scalars.append(basic[Int(septet)])
            }
        }
        if escaped { scalars.append(" ") }
        return String(scalars)
    }

    /// Packs septets into octets, least significant bits first (§6.1.2.1.1).
    public static func pack(_ septets: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity((septets.count * 7 + 7) / 8)
        var accumulator: UInt32 = 0
        var bits = 0
        for septet in septets {
            accumulator |= UInt32(septet & 0x7F) << UInt32(bits)
            bits += 7
            while bits >= 8 {
                out.append(UInt8(accumulator & 0xFF))
                accumulator >>= 8
                bits -= 8
            }
        }
        if bits > 0 { out.append(UInt8(accumulator & 0xFF)) }
        return out
    }

    /// Unpacks octets into septets: `septetCount` of them, or as many as fit (`8·n/7`).
    public static func unpack(_ octets: [UInt8], septetCount: Int? = nil) -> [UInt8] {
        let available = octets.count * 8 / 7
        let count = min(septetCount ?? available, available)
        var out: [UInt8] = []
        out.reserveCapacity(count)
        var accumulator: UInt32 = 0
        var bits = 0
        var index = 0
        while out.count < count {
            if bits < 7 {
                guard index < octets.count else { break }
                accumulator |= UInt32(octets[index]) << UInt32(bits)
                index += 1
                bits += 8
            }
            out.append(UInt8(accumulator & 0x7F))
            accumulator >>= 7
            bits -= 7
        }
        return out
    }

    /// Packs septets for USSD, applying the CR fill rule of TS 23.038 §6.1.2.3.1: when the
    /// septets would leave 7 spare bits (count = 8n−1) a CR fills them, and a wanted final CR
    /// on an octet boundary is doubled so the receiver does not drop it.
    public static func packUSSD(septets: [UInt8]) -> [UInt8] {
        var septets = septets
        if septets.count % 8 == 7 {
            septets.append(carriageReturn)
        } else if septets.count % 8 == 0, septets.last == carriageReturn {
            septets.append(carriageReturn)
        }
        return pack(septets)
    }

    /// Unpacks USSD octets, dropping the fill CR: when the octets hold exactly 8n septets
    /// (octet count a multiple of 7) and the last septet is CR, it is fill, not text.
    public static func unpackUSSD(_ octets: [UInt8]) -> [UInt8] {
        var septets = unpack(octets)
        if octets.count % 7 == 0, septets.last == carriageReturn { septets.removeLast() }
        return septets
    }

    /// Encodes text as packed GSM 7-bit in uppercase hex, as Huawei `^USSDMODE=1` expects.
    ///
    /// `"*101#"` → `"AA182C3602"`, `"*100*1#"` → `"AA180CA68A8D1A"` (with fill CR).
    public static func packUSSDHex(_ text: String) throws(ATCommandError) -> String {
        if text.isEmpty { throw .empty(field: "ussd") }
        guard let septets = septets(for: text) else {
            let bad = firstUnrepresentable(in: text).map(ATCommand.describe) ?? "?"
            throw .forbiddenCharacter(field: "ussd", character: bad)
        }
        return ATText.hexString(packUSSD(septets: septets))
    }

    /// Decodes packed GSM 7-bit hex (as sent in `+CUSD` by Huawei firmwares), dropping the fill CR.
    public static func unpackUSSDHex(_ hex: String) throws(ATParseError) -> String {
        let trimmed = ATText.trimmed(hex)
        guard let octets = ATText.hexBytes(trimmed) else {
            throw .malformed(command: "+CUSD", line: trimmed, reason: "not an even-length hex string")
        }
        return string(fromSeptets: unpackUSSD(octets))
    }
}
