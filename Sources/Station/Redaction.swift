/// Hides secrets in what the station shows by default: identifiers keep their last four characters.
///
/// The full values are in the ledger; the API reveals them only when the caller asks with `reveal=1`.
public enum Redaction {
    /// `8933012345678901231` → `…1231`; short values are hidden whole.
    public static func identifier(_ value: String?, reveal: Bool) -> String? {
        guard let value else { return nil }
        if reveal { return value }
        guard value.count > 6 else { return "…" }
        return "…" + value.suffix(4)
    }

    /// A voucher code: `••••4444`.
    public static func voucherCode(_ code: String, reveal: Bool) -> String {
        if reveal { return code }
        return "••••" + code.suffix(4)
    }

    /// Whether a query or reference matches an identifier: the whole value, or its last digits (at least four).
    public static func matches(_ reference: String, _ value: String?) -> Bool {
        guard let value, !reference.isEmpty else { return false }
        if reference == value { return true }
        return reference.count >= 4 && reference.allSatisfy(\.isNumber) && value.hasSuffix(reference)
    }
}
