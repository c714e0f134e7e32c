/// Small text helpers shared by the parsers: trimming, quotes, comma-separated fields.
///
/// Internal: the AT syntax rules (quoted strings may contain commas) live here once.
enum ATText {
    /// Trims spaces and tabs at both ends.
    static func trimmed(_ text: String) -> String {
        trimmed(text[...])
    }

    /// Trims spaces and tabs at both ends (scans bytes; spaces are ASCII so indices stay valid).
    static func trimmed(_ text: Substring) -> String {
        let utf8 = text.utf8
        var start = utf8.startIndex
        var end = utf8.endIndex
        while start < end, utf8[start] == 0x20 || utf8[start] == 0x09 { start = utf8.index(after: start) }
        while end > start {
            let before = utf8.index(before: end)
            guard utf8[before] == 0x20 || utf8[before] == 0x09 else { break }
            end = before
        }
        return String(text[start..<end])
    }

    /// Removes one pair of surrounding double quotes, if present.
    static func unquoted(_ text: String) -> String {
        isQuoted(text) ? String(text.dropFirst().dropLast()) : text
    }

    /// A normalised key for comparing verbose error texts: lowercase letters and digits only.
    static func errorKey(_ text: String) -> String {
        String(text.lowercased().unicodeScalars.filter {
            ($0.value >= 0x61 && $0.value <= 0x7A) || ($0.value >= 0x30 && $0.value <= 0x39)
        }.map(Character.init))
    }

    /// If `line` starts with `prefix` followed by `:` (case-insensitive), returns the trimmed rest.
    static func value(of line: String, prefix: String) -> String? {
        let utf8 = line.utf8
        var index = utf8.startIndex
        for byte in prefix.utf8 {
            guard index < utf8.endIndex, upperASCII(utf8[index]) == upperASCII(byte) else { return nil }
            index = utf8.index(after: index)
        }
        while index < utf8.endIndex, utf8[index] == 0x20 { index = utf8.index(after: index) }
        guard index < utf8.endIndex, utf8[index] == UInt8(ascii: ":") else { return nil }
        return trimmed(line[utf8.index(after: index)...])
    }

    /// True when `bytes` equals the uppercase ASCII `literal`, ignoring ASCII case.
    static func equalsIgnoringCase(_ bytes: some Collection<UInt8>, _ literal: [UInt8]) -> Bool {
        guard bytes.count == literal.count else { return false }
        return hasPrefixIgnoringCase(bytes, literal)
    }

    /// True when `bytes` starts with the uppercase ASCII `literal`, ignoring ASCII case.
    static func hasPrefixIgnoringCase(_ bytes: some Collection<UInt8>, _ literal: [UInt8]) -> Bool {
        var index = bytes.startIndex
        for expected in literal {
            guard index < bytes.endIndex, upperASCII(bytes[index]) == expected else { return false }
            index = bytes.index(after: index)
        }
        return true
    }

    /// True when `bytes` ends with the uppercase ASCII `literal`, ignoring ASCII case.
    static func hasSuffixIgnoringCase(_ bytes: some BidirectionalCollection<UInt8>, _ literal: [UInt8]) -> Bool {
        var index = bytes.endIndex
        for expected in literal.reversed() {
            guard index > bytes.startIndex else { return false }
            index = bytes.index(before: index)
            if upperASCII(bytes[index]) != expected { return false }
        }
        return true
    }

    /// Uppercase ASCII bytes of a string (other bytes unchanged).
    static func upperBytes(_ text: some StringProtocol) -> [UInt8] {
        text.utf8.map(upperASCII)
    }

    /// The response prefix of a line (`+CREG`, `^RSSI`, `!ICCID`, `#CCID`), or nil when it has none.
    ///
    /// A prefix is a marker character (`+ ^ ! # $ *`) and name characters up to a colon.
    static func prefix(of line: String) -> Substring? {
        let utf8 = line.utf8
        guard let first = utf8.first else { return nil }
        switch first {
        case UInt8(ascii: "+"), UInt8(ascii: "^"), UInt8(ascii: "!"), UInt8(ascii: "#"),
             UInt8(ascii: "$"), UInt8(ascii: "*"), UInt8(ascii: "%"):
            break
        default:
            return nil
        }
        var index = utf8.index(after: utf8.startIndex)
        var length = 0
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: ":") {
                guard length > 0 else { return nil }
                var end = index
                // Allow "+CSQ :" by trimming spaces before the colon.
                while end > utf8.startIndex, utf8[utf8.index(before: end)] == 0x20 { end = utf8.index(before: end) }
                return line[line.startIndex..<end]
            }
            let isName = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: "_") || byte == 0x20
            if !isName || length > 24 { return nil }
            length += 1
            index = utf8.index(after: index)
        }
        return nil
    }

    /// Splits a parameter list on commas outside double quotes; fields are trimmed, quotes kept.
    static func fields(_ text: String) -> [String] {
        fields(text[...])
    }

    /// Splits a parameter list on commas outside double quotes; fields are trimmed, quotes kept.
    static func fields(_ text: Substring) -> [String] {
        var result: [String] = []
        let utf8 = text.utf8
        var start = utf8.startIndex
        var index = start
        var inQuotes = false
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == 0x22 {
                inQuotes.toggle()
            } else if byte == 0x2C, !inQuotes {
                result.append(trimmed(text[start..<index]))
                start = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        result.append(trimmed(text[start..<utf8.endIndex]))
        return result
    }

    /// True when the field was written in double quotes.
    static func isQuoted(_ field: String) -> Bool {
        let utf8 = field.utf8
        return utf8.count >= 2 && utf8.first == 0x22 && utf8.last == 0x22
    }

    /// Parses a decimal integer field (quotes allowed); nil for empty or non-numeric fields.
    static func int(_ field: String) -> Int? {
        Int(unquoted(field))
    }

    /// ASCII uppercase of one byte.
    static func upperASCII(_ byte: UInt8) -> UInt8 {
        (byte >= 0x61 && byte <= 0x7A) ? byte - 0x20 : byte
    }

    /// ASCII lowercase of one byte.
    static func lowerASCII(_ byte: UInt8) -> UInt8 {
        (byte >= 0x41 && byte <= 0x5A) ? byte + 0x20 : byte
    }

    /// True when every character is an ASCII decimal digit (and there is at least one).
    static func isDigits(_ text: some StringProtocol) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// True when every character is an ASCII hex digit (and there is at least one).
    static func isHex(_ text: some StringProtocol) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { hexValue($0) != nil }
    }

    /// The value of one ASCII hex digit.
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }

    /// Decodes an even-length hex string into bytes; nil if it is not hex.
    static func hexBytes(_ text: some StringProtocol) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard !utf8.isEmpty, utf8.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = hexValue(utf8[index]), let low = hexValue(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    /// Uppercase hex of bytes.
    static func hexString(_ bytes: some Sequence<UInt8>) -> String {
        let digits: [UInt8] = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
