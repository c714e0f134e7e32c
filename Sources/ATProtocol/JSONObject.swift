/// A JSON object that keeps its keys in insertion order.
///
/// Equality ignores order (JSON semantics); setting an existing key keeps its position.
/// Members are kept in two parallel arrays searched linearly: decoder objects have a handful of
/// keys, and hashing every key cost more than the parsers themselves (`scripts/bench-at.sh`).
public struct JSONObject: Sendable, Equatable {
    /// The keys in insertion order.
    public private(set) var keys: [String] = []
    /// `values[i]` belongs to `keys[i]`.
    private var values: [JSONValue] = []

    /// An empty object.
    public init() {}

    /// An object with these members, in this order (a repeated key keeps its first position, last value).
    public init(_ members: [(String, JSONValue)]) {
        keys.reserveCapacity(members.count)
        values.reserveCapacity(members.count)
        for (key, value) in members { self[key] = value }
    }

    /// The member for `key`; assigning nil removes it.
    public subscript(key: String) -> JSONValue? {
        get { index(of: key).map { values[$0] } }
        set {
            let existing = index(of: key)
            if let newValue {
                if let existing {
                    values[existing] = newValue
                } else {
                    if keys.isEmpty {
                        // Decoder objects have a handful of keys: one allocation each, not four.
                        keys.reserveCapacity(8)
                        values.reserveCapacity(8)
                    }
                    keys.append(key)
                    values.append(newValue)
                }
            } else if let existing {
                keys.remove(at: existing)
                values.remove(at: existing)
            }
        }
    }

    private func index(of key: String) -> Int? {
        keys.firstIndex(of: key)
    }

    /// The number of members.
    public var count: Int { keys.count }

    /// Equal when both have the same keys with equal values, in any order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.keys.count == rhs.keys.count else { return false }
        for (offset, key) in lhs.keys.enumerated() {
            guard let other = rhs.index(of: key), rhs.values[other] == lhs.values[offset] else { return false }
        }
        return true
    }
}
