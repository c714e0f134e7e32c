/// Which keys a JSON document may hold, at every level: a key outside them is refused with its path and the nearest
/// known key, so a misspelt setting cannot silently leave a default in place. Shared by the daemon's configuration
/// and the data files (dialects).
public indirect enum KeyShape: Sendable {
    /// An object with exactly these keys (any subset of them).
    case object([String: KeyShape])
    /// An array whose elements all have this shape.
    case array(KeyShape)
    /// An object whose keys are data (ICCIDs, timeout names), not settings.
    case map
    /// Anything else: a string, a number, a boolean, null (the decoder checks its type).
    case value

    /// The first unknown key in `json` (as `JSONSerialization` returns it), as a key path and a reason naming the
    /// nearest known key.
    public func unknownKey(in json: Any, path: String = "") -> (key: String, reason: String)? {
        switch self {
        case .value, .map:
            return nil
        case .array(let element):
            guard let items = json as? [Any] else { return nil }
            for (index, item) in items.enumerated() {
                if let found = element.unknownKey(in: item, path: path + "[\(index)]") { return found }
            }
            return nil
        case .object(let keys):
            guard let object = json as? [String: Any] else { return nil }
            for key in object.keys.sorted() {
                let keyPath = path.isEmpty ? key : path + "." + key
                guard let inner = keys[key] else {
                    let hint = Self.nearest(key, among: Array(keys.keys)).map { " (did you mean '\($0)'?)" } ?? ""
                    return (keyPath, "is not a known setting\(hint)")
                }
                if let value = object[key], let found = inner.unknownKey(in: value, path: keyPath) { return found }
            }
            return nil
        }
    }

    /// The known key closest to `key` (case-insensitive edit distance at most a third of its length, at least 2).
    public static func nearest(_ key: String, among known: [String]) -> String? {
        let limit = max(2, key.count / 3)
        let scored = known.map { ($0, distance(key.lowercased(), $0.lowercased())) }.filter { $0.1 <= limit }
        return scored.min { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }?.0
    }

    /// Levenshtein distance between two strings.
    public static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
