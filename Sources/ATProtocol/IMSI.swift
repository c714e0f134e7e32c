/// A subscriber identity (IMSI, 3GPP TS 23.003): MCC (3 digits), MNC (2 or 3), then the MSIN.
///
/// The MNC length is not encoded in the IMSI itself (the SIM's EF_AD says it); it is taken from
/// `MobileCountryCode.usesThreeDigitMNC`, a table of countries that allocate 3-digit MNCs.
public struct IMSI: Sendable, Equatable, Hashable {
    /// All digits (6 to 15).
    public var digits: String
    /// The mobile country code.
    public var mcc: String
    /// The mobile network code (2 or 3 digits).
    public var mnc: String

    /// Validates digits and splits MCC / MNC; nil when not 6–15 decimal digits.
    public init?(validating digits: String) {
        guard (6...15).contains(digits.utf8.count), ATText.isDigits(digits) else { return nil }
        self.digits = digits
        let mcc = String(digits.prefix(3))
        self.mcc = mcc
        let mncLength = MobileCountryCode.usesThreeDigitMNC(mcc: mcc, following: String(digits.dropFirst(3).prefix(3))) ? 3 : 2
        self.mnc = String(digits.dropFirst(3).prefix(mncLength))
    }

    /// A redacted form for logs: MCC and MNC only.
    public var redacted: String { mcc + mnc + String(repeating: "*", count: digits.count - mcc.count - mnc.count) }
}
