/// `+CREG` / `+CGREG` / `+CEREG` (27.007 §7.2, §10.1.20, §10.1.22): registration state.
///
/// Query answers carry `<n>` first; unsolicited reports do not. `lac` (or TAC for `+CEREG`) and
/// `ci` are uppercase hex without quotes or `0x`.
public struct RegistrationStatus: Sendable, Equatable {
    /// The report mode `<n>`, present only in query answers.
    public var n: Int?
    /// 0 not searching, 1 home, 2 searching, 3 denied, 4 unknown, 5 roaming, ...
    public var stat: Int
    /// Location (or tracking) area code, uppercase hex.
    public var lac: String?
    /// Cell id, uppercase hex.
    public var ci: String?
    /// Access technology, when sent.
    public var act: Int?

    /// Creates a record.
    public init(n: Int? = nil, stat: Int, lac: String? = nil, ci: String? = nil, act: Int? = nil) {
        self.n = n
        self.stat = stat
        self.lac = lac
        self.ci = ci
        self.act = act
    }

    /// True for "registered, home network" (1) or "registered, roaming" (5).
    public var isRegistered: Bool { stat == 1 || stat == 5 }
}
