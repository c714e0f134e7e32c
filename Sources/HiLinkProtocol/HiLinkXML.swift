/// One element of a HiLink XML document: its name, its text (entity references decoded) and its child elements.
///
/// HiLink bodies are flat or nearly so (`<response><Imei>…</Imei></response>`, the multi-SSID list nests two
/// levels deeper), so a small tree is all the station needs.
public struct HiLinkElement: Sendable, Equatable {
    /// The tag name.
    public var name: String
    /// The text directly inside the element, decoded; blank for an element that only holds children.
    public var text: String
    /// The child elements, in document order.
    public var children: [HiLinkElement]

    /// Creates an element.
    public init(name: String, text: String = "", children: [HiLinkElement] = []) {
        self.name = name
        self.text = text
        self.children = children
    }

    /// The text of the first child named `name`, or nil when there is none.
    public subscript(_ name: String) -> String? {
        children.first { $0.name == name }?.text
    }

    /// The first child named `name`.
    public func child(_ name: String) -> HiLinkElement? {
        children.first { $0.name == name }
    }

    /// Sets the text of the first child named `name`, appending a child when there is none.
    public mutating func set(_ name: String, _ text: String) {
        if let index = children.firstIndex(where: { $0.name == name }) {
            children[index].text = text
        } else {
            children.append(HiLinkElement(name: name, text: text))
        }
    }

    /// The element written as XML (no declaration), text escaped.
    public var xml: String {
        if children.isEmpty {
            return "<\(name)>\(HiLinkXML.escape(text))</\(name)>"
        }
        return "<\(name)>" + children.map(\.xml).joined() + "</\(name)>"
    }
}

/// Bounds on a document the station accepts from a device: a device is not trusted to be small or sane.
public struct HiLinkXMLLimits: Sendable, Equatable {
    /// Largest body, in bytes.
    public var maxBytes: Int
    /// Deepest nesting of elements.
    public var maxDepth: Int
    /// Most elements in one document.
    public var maxElements: Int

    /// Creates limits; the defaults fit every HiLink answer with a wide margin (the largest, the multi-SSID list,
    /// is a few kilobytes).
    public init(maxBytes: Int = 256 * 1024, maxDepth: Int = 8, maxElements: Int = 4096) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxElements = maxElements
    }
}

/// Why a body is not a HiLink XML document.
public enum HiLinkXMLError: Error, Sendable, Equatable {
    /// The body is larger than the limit.
    case tooLarge(bytes: Int)
    /// An HTML page (a login page, a captive portal, a router that is not a HiLink unit).
    case htmlInsteadOfXML
    /// A `<!DOCTYPE` or `<!ENTITY` declaration: refused, so no entity is ever defined or expanded.
    case declarationRefused
    /// An entity reference other than the five predefined ones and character references.
    case unknownEntity(String)
    /// Nesting deeper than the limit.
    case tooDeep
    /// More elements than the limit.
    case tooManyElements
    /// Not well-formed; the reason names the first problem.
    case malformed(String)
}

/// A strict parser for HiLink's small XML: no DTD, no entity definitions, no external anything, bounded size.
public enum HiLinkXML {
    /// Parses a whole body into its root element.
    public static func parse(_ bytes: [UInt8], limits: HiLinkXMLLimits = HiLinkXMLLimits()) throws(HiLinkXMLError) -> HiLinkElement {
        guard bytes.count <= limits.maxBytes else { throw .tooLarge(bytes: bytes.count) }
        var parser = Parser(bytes: bytes, limits: limits)
        return try parser.document()
    }

    /// Parses a string body.
    public static func parse(_ text: String, limits: HiLinkXMLLimits = HiLinkXMLLimits()) throws(HiLinkXMLError) -> HiLinkElement {
        try parse(Array(text.utf8), limits: limits)
    }

    /// Escapes text for an element's content.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A request body: the XML declaration and `<request>` holding `fields` in order.
    public static func request(_ fields: [HiLinkElement]) -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + HiLinkElement(name: "request", children: fields).xml
    }

    /// A request body from name/value pairs.
    public static func request(_ pairs: KeyValuePairs<String, String>) -> String {
        request(pairs.map { HiLinkElement(name: $0.key, text: $0.value) })
    }

    private struct Parser {
        let bytes: [UInt8]
        let limits: HiLinkXMLLimits
        var index = 0
        var elements = 0

        init(bytes: [UInt8], limits: HiLinkXMLLimits) {
            self.bytes = bytes
            self.limits = limits
        }

        var atEnd: Bool { index >= bytes.count }

        func peek(_ offset: Int = 0) -> UInt8? {
            index + offset < bytes.count ? bytes[index + offset] : nil
        }

        func starts(with literal: String) -> Bool {
            var i = index
            for byte in literal.utf8 {
                guard i < bytes.count, bytes[i] == byte else { return false }
                i += 1
            }
            return true
        }

        func startsCaseInsensitive(with literal: String) -> Bool {
            var i = index
            for byte in literal.utf8 {
                guard i < bytes.count, Self.lower(bytes[i]) == Self.lower(byte) else { return false }
                i += 1
            }
            return true
        }

        static func lower(_ byte: UInt8) -> UInt8 {
            (byte >= 65 && byte <= 90) ? byte + 32 : byte
        }

        static func isBlank(_ byte: UInt8) -> Bool {
            byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
        }

        static func isNameByte(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x5F || byte == 0x2D || byte == 0x2E || byte == 0x3A
        }

        mutating func skipBlanks() {
            while let byte = peek(), Self.isBlank(byte) { index += 1 }
        }

        /// Skips up to and including `terminator`; false when it never comes.
        mutating func skip(past terminator: String) -> Bool {
            let term = Array(terminator.utf8)
            while index + term.count <= bytes.count {
                if Array(bytes[index..<index + term.count]) == term {
                    index += term.count
                    return true
                }
                index += 1
            }
            return false
        }

        /// Skips the declaration, comments and processing instructions before (or after) the root.
        mutating func skipProlog() throws(HiLinkXMLError) {
            while true {
                skipBlanks()
                if starts(with: "<?") {
                    guard skip(past: "?>") else { throw .malformed("unterminated processing instruction") }
                } else if starts(with: "<!--") {
                    guard skip(past: "-->") else { throw .malformed("unterminated comment") }
                } else if startsCaseInsensitive(with: "<!DOCTYPE html") {
                    throw .htmlInsteadOfXML
                } else if starts(with: "<!") {
                    throw .declarationRefused
                } else {
                    return
                }
            }
        }

        mutating func document() throws(HiLinkXMLError) -> HiLinkElement {
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
            try skipProlog()
            guard peek() == UInt8(ascii: "<") else { throw .malformed("no root element") }
            if startsCaseInsensitive(with: "<html") || startsCaseInsensitive(with: "<head") || startsCaseInsensitive(with: "<body") {
                throw .htmlInsteadOfXML
            }
            let root = try element(depth: 1)
            try skipProlog()
            guard atEnd else { throw .malformed("content after the root element") }
            return root
        }

        mutating func name() throws(HiLinkXMLError) -> String {
            let start = index
            while let byte = peek(), Self.isNameByte(byte) { index += 1 }
            guard index > start, index - start <= 128 else { throw .malformed("bad tag name") }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        /// Skips attributes (HiLink sends none that matter) up to `>` or `/>`; returns true for `/>`.
        mutating func skipAttributes() throws(HiLinkXMLError) -> Bool {
            while true {
                skipBlanks()
                guard let byte = peek() else { throw .malformed("unterminated tag") }
                if byte == UInt8(ascii: ">") { index += 1; return false }
                if byte == UInt8(ascii: "/") {
                    guard peek(1) == UInt8(ascii: ">") else { throw .malformed("stray / in tag") }
                    index += 2
                    return true
                }
                _ = try name()
                skipBlanks()
                guard peek() == UInt8(ascii: "=") else { throw .malformed("attribute without value") }
                index += 1
                skipBlanks()
                guard let quote = peek(), quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
                    throw .malformed("unquoted attribute")
                }
                index += 1
                while let byte = peek(), byte != quote {
                    if byte == UInt8(ascii: "<") { throw .malformed("< in attribute") }
                    index += 1
                }
                guard peek() == quote else { throw .malformed("unterminated attribute") }
                index += 1
            }
        }

        mutating func element(depth: Int) throws(HiLinkXMLError) -> HiLinkElement {
            guard depth <= limits.maxDepth else { throw .tooDeep }
            elements += 1
            guard elements <= limits.maxElements else { throw .tooManyElements }
            index += 1  // "<"
            let tag = try name()
            if try skipAttributes() { return HiLinkElement(name: tag) }
            var text: [UInt8] = []
            var children: [HiLinkElement] = []
            while true {
                guard let byte = peek() else { throw .malformed("<\(tag)> is not closed") }
                if byte == UInt8(ascii: "<") {
                    if starts(with: "</") {
                        index += 2
                        let closing = try name()
                        skipBlanks()
                        guard closing == tag, peek() == UInt8(ascii: ">") else { throw .malformed("</\(closing)> closes <\(tag)>") }
                        index += 1
                        let decoded = String(decoding: text, as: UTF8.self)
                        let blank = text.allSatisfy(Self.isBlank)
                        return HiLinkElement(name: tag, text: children.isEmpty || !blank ? decoded : "", children: children)
                    } else if starts(with: "<!--") {
                        guard skip(past: "-->") else { throw .malformed("unterminated comment") }
                    } else if starts(with: "<![CDATA[") {
                        index += 9
                        let start = index
                        guard skip(past: "]]>") else { throw .malformed("unterminated CDATA") }
                        text += bytes[start..<index - 3]
                    } else if starts(with: "<!") || starts(with: "<?") {
                        throw .declarationRefused
                    } else {
                        children.append(try element(depth: depth + 1))
                    }
                } else if byte == UInt8(ascii: "&") {
                    text += try reference()
                } else {
                    text.append(byte)
                    index += 1
                }
            }
        }

        /// Decodes `&name;` (the five predefined entities) or `&#N;` / `&#xH;`.
        mutating func reference() throws(HiLinkXMLError) -> [UInt8] {
            let start = index + 1
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: ";"), end - start < 12 { end += 1 }
            guard end < bytes.count, bytes[end] == UInt8(ascii: ";") else { throw .malformed("unterminated entity reference") }
            let body = String(decoding: bytes[start..<end], as: UTF8.self)
            index = end + 1
            switch body {
            case "lt": return [UInt8(ascii: "<")]
            case "gt": return [UInt8(ascii: ">")]
            case "amp": return [UInt8(ascii: "&")]
            case "quot": return [UInt8(ascii: "\"")]
            case "apos": return [UInt8(ascii: "'")]
            default:
                var value: UInt32?
                if body.hasPrefix("#x") || body.hasPrefix("#X") {
                    value = UInt32(body.dropFirst(2), radix: 16)
                } else if body.hasPrefix("#") {
                    value = UInt32(body.dropFirst(), radix: 10)
                }
                guard let value else { throw .unknownEntity(String(body.prefix(12))) }
                guard let scalar = Unicode.Scalar(value), value != 0 else { throw .malformed("bad character reference") }
                return Array(String(Character(scalar)).utf8)
            }
        }
    }
}
