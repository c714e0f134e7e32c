/// Matches command lines against the patterns of personality tables (raw replies, latency, faults).
///
/// A pattern matches a command line when they are equal ignoring ASCII case and surrounding
/// blanks, or, when the pattern ends with `*`, when the line starts with the rest of it.
public enum CommandPattern {
    /// Whether `pattern` matches `command`.
    public static func matches(_ pattern: String, _ command: String) -> Bool {
        let p = pattern.trimmingBlanks().uppercased()
        let c = command.trimmingBlanks().uppercased()
        if p.hasSuffix("*") {
            return c.hasPrefix(String(p.dropLast()))
        }
        return p == c
    }

    /// Whether any pattern in `patterns` matches `command`.
    public static func matchesAny(_ patterns: [String], _ command: String) -> Bool {
        patterns.contains { matches($0, command) }
    }

    /// The value of the most specific matching key: an exact key wins, then the longest prefix.
    public static func bestMatch<Value>(in table: [String: Value], for command: String) -> Value? {
        var best: (length: Int, value: Value)?
        for (pattern, value) in table where matches(pattern, command) {
            let trimmed = pattern.trimmingBlanks()
            let length = trimmed.hasSuffix("*") ? trimmed.count - 1 : Int.max
            if best == nil || length > (best?.length ?? 0) {
                best = (length, value)
            }
        }
        return best?.value
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    func trimmingBlanks() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
