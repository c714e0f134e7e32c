/// A stable, machine-readable failure code such as `device-gone` or `voucher-rejected`.
///
/// On the wire (the API's JSON, the ledger's records, the CLI's `[code]`) a code is its kebab-case string, exactly;
/// scripts at the stations match on those strings, so a code once shipped never changes its spelling. In the code a
/// failure is named by a typed member (`.deviceGone`), declared once in `FailureCode+Known.swift`, so the producer,
/// the comparisons and the message catalog cannot drift apart by a typo. The type is open: a module may declare
/// codes of its own in an extension, and codes built from another module's error (`ledger-…`, `port-…`, `http-…`)
/// come from the family builders. `LocalizationTests` fails when a declared code has no French and English entry.
public struct FailureCode: RawRepresentable, Hashable, Comparable, Codable, Sendable, CustomStringConvertible,
    ExpressibleByStringLiteral {
    /// The kebab-case code as it travels.
    public var rawValue: String

    /// Wraps a code as received (from the wire, the ledger or another module's error).
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// Wraps a code written out (declarations, and tests comparing with what the wire carried).
    public init(stringLiteral value: String) {
        self.rawValue = value
    }

    /// Decodes from a plain JSON string: the wire format is the code itself.
    public init(from decoder: any Decoder) throws {
        self.rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    /// Encodes as a plain JSON string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// The code itself, so interpolation shows what the wire carries.
    public var description: String { rawValue }

    /// Orders by spelling (catalog listings, stable output).
    public static func < (lhs: FailureCode, rhs: FailureCode) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Whether the code belongs to a family: it starts with the family's prefix (`ledger-`, `port-`, `http-`, `login-`).
    public func isIn(_ family: Family) -> Bool { rawValue.hasPrefix(family.prefix) }
}

extension FailureCode {
    /// Codes made from another part's error code: the prefix says which part failed, the rest is that part's code.
    public struct Family: Hashable, Sendable {
        /// The prefix every code of the family starts with, its hyphen included.
        public let prefix: String

        /// The family of codes starting with `prefix` (which ends with a hyphen).
        public init(prefix: String) {
            self.prefix = prefix
        }

        /// The ledger's errors: `ledger-` and the ledger's own code (`ledger-io`, `ledger-corrupt`…).
        public static let ledger = Family(prefix: "ledger-")
        /// The serial port's errors: `port-` and the port's own code (`port-busy`, `port-hangup`…).
        public static let port = Family(prefix: "port-")
        /// HTTP statuses the CLI met without an error body from the daemon: `http-` and the status.
        public static let http = Family(prefix: "http-")
        /// HiLink login failures (`login-required`, `login-failed`…).
        public static let login = Family(prefix: "login-")

        /// The code of this family for the part's own `detail` code.
        public func code(_ detail: String) -> FailureCode { FailureCode(rawValue: prefix + detail) }
    }
}
