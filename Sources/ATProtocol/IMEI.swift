/// A device's IMEI (3GPP TS 23.003): exactly 15 decimal digits whose last is the Luhn check digit.
public struct IMEI: Sendable, Equatable, Hashable {
    /// The 15 digits.
    public var digits: String

    /// Validates and wraps 15 digits; nil when the length, characters or check digit are wrong.
    public init?(validating digits: String) {
        guard digits.utf8.count == 15, ATText.isDigits(digits), Luhn.isValid(digits) else { return nil }
        self.digits = digits
    }

    /// The type allocation code (first 8 digits): identifies the model, not the unit.
    public var typeAllocationCode: String { String(digits.prefix(8)) }

    /// A redacted form for logs: the type allocation code and the last two digits.
    public var redacted: String { typeAllocationCode + "*****" + String(digits.suffix(2)) }
}
