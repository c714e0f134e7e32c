/// A USB vendor:product pair, written `12d1:1506` in catalogs, udev rules and logs.
///
/// Stored as numbers so that `12D1:1506` and `12d1:1506` are the same device; the text form is
/// always lowercase, as udev and usb_modeswitch print it.
public struct USBID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The idVendor of the device descriptor.
    public var vendor: UInt16
    /// The idProduct of the device descriptor.
    public var product: UInt16

    /// Creates an id from the two descriptor fields.
    public init(vendor: UInt16, product: UInt16) {
        self.vendor = vendor
        self.product = product
    }

    /// Parses `vvvv:pppp` (four hex digits each); `nil` for anything else.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2,
              let vendor = USBID.parseHex16(parts[0]),
              let product = USBID.parseHex16(parts[1]) else { return nil }
        self.init(vendor: vendor, product: product)
    }

    /// The lowercase `vvvv:pppp` form.
    public var description: String { "\(USBID.hex16(vendor)):\(USBID.hex16(product))" }

    /// Orders by vendor, then product.
    public static func < (lhs: USBID, rhs: USBID) -> Bool {
        (lhs.vendor, lhs.product) < (rhs.vendor, rhs.product)
    }

    /// Four lowercase hex digits, zero-padded (`0x12d1` → `12d1`).
    public static func hex16(_ value: UInt16) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// Parses exactly four hex digits (as sysfs `idVendor` holds them); tolerates surrounding
    /// whitespace because sysfs values end with a newline.
    public static func parseHex16(_ text: some StringProtocol) -> UInt16? {
        let trimmed = text.trimmingWhitespace()
        guard trimmed.count == 4 else { return nil }
        return UInt16(trimmed, radix: 16)
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and newlines (no Foundation needed).
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }),
              let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
