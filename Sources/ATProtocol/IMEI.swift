/// A device's IMEI (3GPP TS 23.003) as the device printed it: 15 decimal digits whose last is the Luhn check digit,
/// or 14 digits without it.
///
/// Real devices print IMEIs that fail the check (clones, rewritten or test IMEIs): `luhnValid` records it, as for the
/// ICCID; nothing is refused for it. A value that is not 14 or 15 digits is not an IMEI.
public struct IMEI: Sendable, Equatable, Hashable {
    /// The 14 or 15 digits, as read.
    public var digits: String
    /// True when there are 15 digits and the last is the right Luhn check digit; false for a wrong check digit and
    /// for 14 digits (no check digit to check).
    public var luhnValid: Bool

    /// Wraps 14 or 15 decimal digits, recording whether the check digit is right; nil for anything else.
    public init?(digits: String) {
        let count = digits.utf8.count
        guard count == 14 || count == 15, ATText.isDigits(digits) else { return nil }
        self.digits = digits
        self.luhnValid = count == 15 && Luhn.isValid(digits)
    }

    /// Validates and wraps 15 digits with a right check digit; nil otherwise.
    public init?(validating digits: String) {
        guard let imei = IMEI(digits: digits), imei.luhnValid else { return nil }
        self = imei
    }

    /// The type allocation code (first 8 digits): identifies the model, not the unit.
    public var typeAllocationCode: String { String(digits.prefix(8)) }

    /// A redacted form for logs: the type allocation code and the last two digits.
    public var redacted: String {
        typeAllocationCode + String(repeating: "*", count: max(0, digits.count - 10)) + String(digits.suffix(2))
    }
}
