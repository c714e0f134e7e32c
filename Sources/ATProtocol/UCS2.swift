/// UCS2 / UTF-16BE text written as hex digits, four per code unit (as in `+CSCS="UCS2"`).
///
/// Surrogate pairs are accepted (strictly paired), so characters outside the BMP survive.
public enum UCS2 {
    /// Decodes hex of UTF-16BE code units; throws when not hex, not a multiple of 4, or a
    /// surrogate is unpaired.
    public static func decodeHex(_ hex: String) throws(ATParseError) -> String {
        let trimmed = ATText.trimmed(hex)
        guard trimmed.utf8.count % 4 == 0, let bytes = ATText.hexBytes(trimmed) else {
            throw .malformed(command: "UCS2", line: trimmed, reason: "not hex in groups of 4 digits")
        }
        guard let text = decode(bytes: bytes) else {
            throw .malformed(command: "UCS2", line: trimmed, reason: "unpaired UTF-16 surrogate")
        }
        return text
    }

    /// Decodes UTF-16BE bytes; nil when the length is odd or a surrogate is unpaired.
    public static func decode(bytes: [UInt8]) -> String? {
        guard bytes.count % 2 == 0 else { return nil }
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var index = 0
        while index < bytes.count {
            units.append(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]))
            index += 2
        }
        var scalars = String.UnicodeScalarView()
        var iterator = units.makeIterator()
        var decoder = UTF16()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): scalars.append(scalar)
            case .emptyInput: break loop
            case .error: return nil
            }
        }
        return String(scalars)
    }

    /// Encodes text as uppercase hex of its UTF-16BE code units.
    public static func encodeHex(_ text: String) -> String {
        var bytes: [UInt8] = []
        for unit in text.utf16 {
            bytes.append(UInt8(unit >> 8))
            bytes.append(UInt8(unit & 0xFF))
        }
        return ATText.hexString(bytes)
    }
}
