/// Small text helpers shared by the parsers: trimming, quotes, comma-separated fields.
///
/// Internal: the AT syntax rules (quoted strings may contain commas) live here once.
enum ATText {
    /// Trims spaces and tabs at both ends.
    static func trimmed(_ text: some StringProtocol) -> String {
        var slice = Substring(text)
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }

    /// Removes one pair of surrounding double quotes, if present.
    static func unquoted(_ text: String) -> String {
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") {
            return String(text.dropFirst().dropLast())
        }
        return text
    }

    /// A normalised key for comparing verbose error texts: lowercase letters and digits only.
    static func errorKey(_ text: String) -> String {
        String(text.lowercased().unicodeScalars.filter {
            ($0.value >= 0x61 && $0.value <= 0x7A) || ($0.value >= 0x30 && $0.value <= 0x39)
        }.map(Character.init))
    }

    /// If `line` starts with `prefix` followed by `:` (case-insensitive), returns the trimmed rest.
    static func value(of line: String, prefix: String) -> String? {
        let lineUTF8 = Array(line.utf8)
        let prefixUTF8 = Array(prefix.utf8)
        guard lineUTF8.count > prefixUTF8.count else { return nil }
        for (index, byte) in prefixUTF8.enumerated() where lowerASCII(lineUTF8[index]) != lowerASCII(byte) {
            return nil
        }
        var index = prefixUTF8.count
        while index < lineUTF8.count, lineUTF8[index] == 0x20 { index += 1 }
        guard index < lineUTF8.count, lineUTF8[index] == UInt8(ascii: ":") else { return nil }
        return trimmed(String(decoding: lineUTF8[(index + 1)...], as: UTF8.self))
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
    static func fields(_ text: some StringProtocol) -> [String] {
        var result: [String] = []
        var current = ""
        var inQuotes = false
        for character in text {
            if character == "\"" {
                inQuotes.toggle()
                current.append(character)
            } else if character == ",", !inQuotes {
                result.append(trimmed(current))
                current = ""
            } else {
                current.append(character)
            }
        }
        result.append(trimmed(current))
        return result
    }

    /// True when the field was written in double quotes.
    static func isQuoted(_ field: String) -> Bool {
        field.count >= 2 && field.hasPrefix("\"") && field.hasSuffix("\"")
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
