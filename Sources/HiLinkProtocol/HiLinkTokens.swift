/// The CSRF tokens a HiLink session holds: single use, one per POST, replaced by whatever the device issues next.
///
/// A device hands tokens out in the home page's `<meta name="csrf_token">` tags, in `SesTokInfo` / `token`
/// answers, and in response headers (`__RequestVerificationToken`, which may list many joined by `#`, and
/// after a login `__RequestVerificationTokenone` / `…two`). The store keeps at most `capacity` well-formed
/// tokens, so a hostile header cannot make it grow.
public struct HiLinkTokenStore: Sendable, Equatable {
    /// Tokens not used yet, the next one first.
    public private(set) var tokens: [String] = []
    /// Most tokens kept.
    public let capacity: Int

    /// An empty store.
    public init(capacity: Int = 64) {
        self.capacity = capacity
    }

    /// Whether a token is at hand.
    public var isEmpty: Bool { tokens.isEmpty }

    /// Takes the next token (each is used once).
    public mutating func take() -> String? {
        tokens.isEmpty ? nil : tokens.removeFirst()
    }

    /// Forgets every token (before re-priming).
    public mutating func clear() {
        tokens.removeAll()
    }

    /// Replaces the store's tokens with the fresh ones in `candidates` (ill-formed ones dropped); keeps the old
    /// ones when none is well-formed.
    public mutating func replace(with candidates: [String]) {
        var fresh: [String] = []
        for candidate in candidates where Self.isWellFormed(candidate) && !fresh.contains(candidate) {
            fresh.append(candidate)
            if fresh.count == capacity { break }
        }
        if !fresh.isEmpty { tokens = fresh }
    }

    /// Absorbs the token headers of a response (names compared without case). Returns whether any token came.
    @discardableResult
    public mutating func absorb(headers: [(name: String, value: String)]) -> Bool {
        var ordered: [String] = []
        for suffix in ["one", "two", ""] {
            let wanted = "__requestverificationtoken" + suffix
            for header in headers where header.name.lowercased() == wanted {
                ordered += header.value.split(separator: "#", omittingEmptySubsequences: true).prefix(capacity)
                    .map { String($0).trimmingBlanks }
            }
        }
        let before = tokens
        replace(with: ordered)
        return tokens != before
    }

    /// A token is 16 to 128 ASCII letters, digits, `+`, `/` or `=`.
    public static func isWellFormed(_ token: String) -> Bool {
        (16...128).contains(token.utf8.count) && token.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "=")
        }
    }

    /// The `content` of every `<meta name="csrf_token">` tag in an HTML page (at most 8).
    public static func metaTokens(inPage page: String) -> [String] {
        var found: [String] = []
        var rest = Substring(page)
        while found.count < 8, let range = rest.range(of: "name=\"csrf_token\"") {
            rest = rest[range.upperBound...]
            guard let tagEnd = rest.firstIndex(of: ">") else { break }
            let tag = rest[..<tagEnd]
            if let content = tag.range(of: "content=\"") {
                let value = tag[content.upperBound...].prefix { $0 != "\"" }
                found.append(String(value))
            }
        }
        return found
    }

    /// The token of a `/api/webserver/token` answer: the last 32 characters of its `<token>`.
    public static func tokenFromTokenEndpoint(_ text: String) -> String? {
        let token = text.trimmingBlanks
        guard token.utf8.count >= 32 else { return nil }
        return String(token.suffix(32))
    }
}

/// The `SessionID` cookie a HiLink device sets.
public enum HiLinkCookie {
    /// The `SessionID=…` pair of a `Set-Cookie` value (blanks optional, attributes dropped), or nil.
    public static func sessionPair(fromSetCookie value: String) -> String? {
        for part in value.split(separator: ";") {
            let pair = part.trimmingBlanksSubstring
            if pair.hasPrefix("SessionID=") {
                let id = pair.dropFirst("SessionID=".count)
                guard !id.isEmpty, id.utf8.count <= 512, id.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ";") }) else {
                    return nil
                }
                return String(pair)
            }
        }
        return nil
    }

    /// The cookie pair of a `SesTokInfo` answer's `<SesInfo>` (`SessionID=…`).
    public static func sessionPair(fromSesInfo text: String) -> String? {
        sessionPair(fromSetCookie: text)
    }
}

extension Substring {
    var trimmingBlanksSubstring: Substring {
        var view = self
        while let first = view.first, first == " " || first == "\t" { view = view.dropFirst() }
        while let last = view.last, last == " " || last == "\t" { view = view.dropLast() }
        return view
    }
}
