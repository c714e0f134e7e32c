/// Percent-encoding and decoding of request targets (RFC 3986 section 2.1), on bytes.
///
/// Decoding is lenient: a `%` not followed by two hex digits is kept as is, and invalid UTF-8 is
/// replaced, because a malformed query should reach the handler as text it can reject, not crash.
enum PercentCoding {
    /// Splits a request target into its raw path and its decoded query parameters.
    static func splitTarget(_ target: String) -> (path: String, query: [String: String]) {
        let bytes = Array(target.utf8)
        // A fragment is never sent by conforming clients; drop it if one is.
        let end = bytes.firstIndex(of: UInt8(ascii: "#")) ?? bytes.endIndex
        guard let mark = bytes[..<end].firstIndex(of: UInt8(ascii: "?")) else {
            return (String(decoding: bytes[..<end], as: UTF8.self), [:])
        }
        let path = String(decoding: bytes[..<mark], as: UTF8.self)
        var query: [String: String] = [:]
        for pair in bytes[(mark + 1)..<end].split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            if let equals = pair.firstIndex(of: UInt8(ascii: "=")) {
                let name = decode(bytes: pair[..<equals], plusIsSpace: true)
                query[name] = decode(bytes: pair[(equals + 1)...], plusIsSpace: true)
            } else {
                query[decode(bytes: pair[...], plusIsSpace: true)] = ""
            }
        }
        return (path.isEmpty ? "/" : path, query)
    }

    /// Decodes `%XX` escapes (and `+` when `plusIsSpace`) in a string.
    static func decode(_ text: Substring, plusIsSpace: Bool) -> String {
        decode(bytes: ArraySlice(text.utf8), plusIsSpace: plusIsSpace)
    }

    /// Decodes `%XX` escapes (and `+` when `plusIsSpace`) in bytes.
    static func decode(bytes: ArraySlice<UInt8>, plusIsSpace: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%"), index + 2 < bytes.endIndex,
               let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                out.append(high << 4 | low)
                index += 3
                continue
            }
            out.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Encodes everything except RFC 3986 unreserved characters, for one query name or value.
    static func encodeComponent(_ text: String) -> String {
        var out: [UInt8] = []
        for byte in text.utf8 {
            if isUnreserved(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Builds `path?a=1&b=2` with names sorted so that the same call always sends the same bytes.
    static func target(path: String, query: [String: String]) -> String {
        guard !query.isEmpty else { return path }
        let pairs = query.sorted { $0.key < $1.key }.map { "\(encodeComponent($0.key))=\(encodeComponent($0.value))" }
        return path + "?" + pairs.joined(separator: "&")
    }

    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
