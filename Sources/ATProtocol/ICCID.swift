/// A SIM card's serial number (ITU-T E.118), as the card reports it.
///
/// `digits` is kept exactly as read (uppercase, `F` padding removed), even when some issuers put
/// hex letters in it or the check digit is wrong: `luhnValid` records the check, it never rejects.
public struct ICCID: Sendable, Equatable, Hashable {
    /// The 19 or 20 characters of the ICCID (decimal digits, rarely hex letters after the 6th).
    public var digits: String
    /// True when `digits` is all decimal and its last digit is the correct Luhn check digit.
    public var luhnValid: Bool

    /// Creates an ICCID record, computing `luhnValid` from `digits`.
    public init(digits: String) {
        self.digits = digits
        self.luhnValid = Luhn.isValid(digits)
    }

    /// A redacted form for logs: the issuer prefix and the last two characters only.
    public var redacted: String {
        guard digits.count > 8 else { return String(repeating: "*", count: digits.count) }
        return String(digits.prefix(6)) + String(repeating: "*", count: digits.count - 8) + String(digits.suffix(2))
    }
}
