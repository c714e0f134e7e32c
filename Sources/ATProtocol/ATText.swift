/// Small text helpers shared by the parsers: trimming, quotes, comma-separated fields.
///
/// Internal: the AT syntax rules (quoted strings may contain commas) live here once.
enum ATText {
    /// Trims spaces and tabs at both ends.
    static func trimmed(_ text: String) -> String {
        trimmed(text[...])
    }

    /// Trims spaces and tabs at both ends (scans bytes; spaces are ASCII so the cut is valid UTF-8).
    static func trimmed(_ text: Substring) -> String {
        withBytes(text) { bytes in
            let range = trimmedRange(bytes, 0..<bytes.count)
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        }
    }

    /// Calls `body` with the UTF-8 bytes of `text`, without copying when they are contiguous.
    ///
    /// Parsers run on every reply: working on a buffer avoids String index arithmetic per byte.
    @inline(__always)
    static func withBytes<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = text
        return copy.withUTF8(body)
    }

    /// Calls `body` with the UTF-8 bytes of `text`, without copying when they are contiguous.
    @inline(__always)
    static func withBytes<R>(_ text: Substring, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = String(text)
        return copy.withUTF8(body)
    }

    /// `range` of `bytes` without leading and trailing spaces and tabs.
    @inline(__always)
    static func trimmedRange(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Range<Int> {
        var start = range.lowerBound
        var end = range.upperBound
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        return start..<end
    }

    /// A decimal integer written in ASCII (optional `+`/`-` sign), as `Int(String)` reads it;
    /// nil when empty, not a number, or out of range.
    static func int(bytes: some Collection<UInt8>) -> Int? {
        var index = bytes.startIndex
        guard index < bytes.endIndex else { return nil }
        var negative = false
        if bytes[index] == 0x2B || bytes[index] == 0x2D {
            negative = bytes[index] == 0x2D
            index = bytes.index(after: index)
            guard index < bytes.endIndex else { return nil }
        }
        var value = 0
        while index < bytes.endIndex {
            let byte = bytes[index]
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            let digit = Int(byte - 0x30)
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = negative ? times.subtractingReportingOverflow(digit) : times.addingReportingOverflow(digit)
            if overflow1 || overflow2 { return nil }
            value = next
            index = bytes.index(after: index)
        }
        return value
    }

    /// Removes one pair of surrounding double quotes, if present.
    static func unquoted(_ text: String) -> String {
        guard isQuoted(text) else { return text }
        return withBytes(text) { String(decoding: UnsafeBufferPointer(rebasing: $0[1..<($0.count - 1)]), as: UTF8.self) }
    }

    /// A normalised key for comparing verbose error texts: lowercase letters and digits only.
    static func errorKey(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            // ASCII (every real modem): bytes only. Non-ASCII goes through Unicode lowercasing,
            // which can turn a letter such as U+212A KELVIN SIGN into an ASCII one.
            var key: [UInt8] = []
            key.reserveCapacity(text.utf8.count)
            for byte in text.utf8 {
                let lower = lowerASCII(byte)
                if (lower >= 0x61 && lower <= 0x7A) || (lower >= 0x30 && lower <= 0x39) { key.append(lower) }
            }
            return String(decoding: key, as: UTF8.self)
        }
        return String(text.lowercased().unicodeScalars.filter {
            ($0.value >= 0x61 && $0.value <= 0x7A) || ($0.value >= 0x30 && $0.value <= 0x39)
        }.map(Character.init))
    }

    /// If `line` starts with `prefix` followed by `:` (case-insensitive), returns the trimmed rest.
    static func value(of line: String, prefix: String) -> String? {
        let name = prefix.utf8
        return withBytes(line) { bytes -> String? in
            var index = 0
            for byte in name {
                guard index < bytes.count, upperASCII(bytes[index]) == upperASCII(byte) else { return nil }
                index += 1
            }
            while index < bytes.count, bytes[index] == 0x20 { index += 1 }
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
            let range = trimmedRange(bytes, (index + 1)..<bytes.count)
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        }
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

    /// Uppercase ASCII bytes of a string (other bytes unchanged).
    static func upperBytes(_ text: some StringProtocol) -> [UInt8] {
        text.utf8.map(upperASCII)
    }

    /// The response prefix of a line (`+CREG`, `^RSSI`, `!ICCID`, `#CCID`), or nil when it has none.
    ///
    /// A prefix is a marker character (`+ ^ ! # $ *`) and name characters up to a colon.
    static func prefix(of line: String) -> Substring? {
        guard let length = prefixLength(line) else { return nil }
        let utf8 = line.utf8
        return line[utf8.startIndex..<utf8.index(utf8.startIndex, offsetBy: length)]
    }

    /// The length in bytes of `prefix(of:)`'s result (ASCII, so also in characters), or nil.
    static func prefixLength(_ line: String) -> Int? {
        withBytes(line) { bytes -> Int? in
            guard let first = bytes.first else { return nil }
            switch first {
            case UInt8(ascii: "+"), UInt8(ascii: "^"), UInt8(ascii: "!"), UInt8(ascii: "#"),
                 UInt8(ascii: "$"), UInt8(ascii: "*"), UInt8(ascii: "%"):
                break
            default:
                return nil
            }
            var index = 1
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: ":") {
                    guard index > 1 else { return nil }
                    var end = index
                    // Allow "+CSQ :" by trimming spaces before the colon.
                    while end > 0, bytes[end - 1] == 0x20 { end -= 1 }
                    return end
                }
                let isName = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: "_") || byte == 0x20
                if !isName || index > 25 { return nil }
                index += 1
            }
            return nil
        }
    }

    /// Splits a parameter list on commas outside double quotes; fields are trimmed, quotes kept.
    static func fields(_ text: String) -> [String] {
        fields(text[...])
    }

    /// Splits a parameter list on commas outside double quotes; fields are trimmed, quotes kept.
    static func fields(_ text: Substring) -> [String] {
        withBytes(text) { bytes in
            var result: [String] = []
            var start = 0
            var inQuotes = false
            func field(_ end: Int) {
                let range = trimmedRange(bytes, start..<end)
                result.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self))
            }
            for index in 0..<bytes.count {
                let byte = bytes[index]
                if byte == 0x22 {
                    inQuotes.toggle()
                } else if byte == 0x2C, !inQuotes {
                    field(index)
                    start = index + 1
                }
            }
            field(bytes.count)
            return result
        }
    }

    /// True when the field was written in double quotes.
    static func isQuoted(_ field: String) -> Bool {
        let utf8 = field.utf8
        return utf8.count >= 2 && utf8.first == 0x22 && utf8.last == 0x22
    }

    /// Parses a decimal integer field (quotes allowed); nil for empty or non-numeric fields.
    static func int(_ field: String) -> Int? {
        let utf8 = field.utf8
        return isQuoted(field) ? int(bytes: utf8.dropFirst().dropLast()) : int(bytes: utf8)
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
