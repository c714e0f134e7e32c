/// Builders for the commands that carry user or operator input.
///
/// Every builder validates against an allowlist and throws `ATCommandError` rather than emit a
/// command that could inject a second command, end the line early, or break out of a quoted string.
public enum ATCommand {
    /// Whether `command` sends a USSD request to the network (`AT+CUSD=…`, a set, not the `=?` test): some modems
    /// hold its final result until the network answers, so it may come after the command timed out.
    public static func isUSSDRequest(_ command: String) -> Bool {
        let (name, isSet) = ATResponseAssembler.commandName(command)
        return isSet && name == "+CUSD"
    }

    /// The longest USSD request accepted (TS 23.038: 182 GSM 7-bit characters).
    public static let maxUSSDLength = 182

    /// Starts or continues a USSD session: `AT+CUSD=1,"<request>",15`.
    ///
    /// The request may contain only `0-9 * # +` (all a voucher or menu choice needs); with
    /// `.packedGSM7` it is sent as packed 7-bit hex (`*101#` → `AA182C3602`).
    public static func ussd(_ request: String, encoding: USSDRequestEncoding) throws(ATCommandError) -> String {
        let field = "ussd"
        try requireNonEmpty(request, field: field)
        for scalar in request.unicodeScalars {
            let value = scalar.value
            let allowed = (value >= 0x30 && value <= 0x39) || value == 0x2A || value == 0x23 || value == 0x2B
            if !allowed { throw .forbiddenCharacter(field: field, character: describe(scalar)) }
        }
        if request.unicodeScalars.count > maxUSSDLength { throw .tooLong(field: field, max: maxUSSDLength) }
        switch encoding {
        case .text:
            return "AT+CUSD=1,\"\(request)\",15"
        case .packedGSM7:
            return "AT+CUSD=1,\"\(try GSM7.packUSSDHex(request))\",15"
        case .eightBitHex:
            // The request holds only digits, `*`, `#` and `+` (checked above): one ASCII octet each.
            return "AT+CUSD=1,\"\(ATText.hexString(Array(request.utf8)))\",15"
        }
    }

    /// Cancels the USSD session: `AT+CUSD=2`.
    public static let ussdCancel: String = "AT+CUSD=2"

    /// Reads EF_ICCID (`2FE2`, 10 bytes) through restricted SIM access: `AT+CRSM=176,12258,0,0,10`.
    public static let readICCIDBinary: String = "AT+CRSM=176,12258,0,0,10"

    /// Sets a Huawei E5 SSID: `AT^SSID=<index>,"<ssid>"`.
    public static func setSSID(index: Int, ssid: String) throws(ATCommandError) -> String {
        try requireIndex(index)
        return "AT^SSID=\(index),\"\(try wifiName(ssid))\""
    }

    /// Sets a Huawei E5 WPA pre-shared key: `AT^WIKEY=<index>,"<key>"`.
    public static func setWPAKey(index: Int, key: String) throws(ATCommandError) -> String {
        try requireIndex(index)
        return "AT^WIKEY=\(index),\"\(try wifiKey(key))\""
    }

    /// A Wi-Fi network name that can go between the quotes of any AT Wi-Fi command: 1 to `maxBytes` printable ASCII
    /// characters except `"`, `;` and `\` (firmwares have no escaping, and non-ASCII bytes depend on `+CSCS`).
    public static func wifiName(_ ssid: String, maxBytes: Int = 32) throws(ATCommandError) -> String {
        try requireNonEmpty(ssid, field: "ssid")
        try requireQuotablePrintable(ssid, field: "ssid")
        if ssid.utf8.count > maxBytes { throw .tooLong(field: "ssid", max: maxBytes) }
        return ssid
    }

    /// A WPA2 pre-shared key that can go between quotes: 8–63 printable ASCII characters (except `"`, `;`, `\`) or
    /// exactly 64 hex digits.
    public static func wifiKey(_ key: String) throws(ATCommandError) -> String {
        try requireNonEmpty(key, field: "key")
        try requireQuotablePrintable(key, field: "key")
        let length = key.utf8.count
        if length > 64 { throw .tooLong(field: "key", max: 64) }
        if length < 8 { throw .invalid(field: "key", reason: "shorter than 8 characters") }
        if length == 64, !ATText.isHex(key) {
            throw .invalid(field: "key", reason: "a 64-character key must be hex digits")
        }
        return key
    }

    /// A field of decimal digits only (a data-lock code, a PIN), of a length in `range`.
    public static func digitsField(_ value: String, field: String, range: ClosedRange<Int>) throws(ATCommandError) -> String {
        try requireDigits(value, field: field, range: range)
        return value
    }

    /// Enters the SIM PIN: `AT+CPIN="<pin>"`, 4–8 decimal digits.
    public static func enterPIN(_ pin: String) throws(ATCommandError) -> String {
        try requireDigits(pin, field: "pin", range: 4...8)
        return "AT+CPIN=\"\(pin)\""
    }

    /// Unblocks the SIM with its PUK and sets a new PIN: `AT+CPIN="<puk>","<newPIN>"`.
    public static func enterPUK(_ puk: String, newPIN: String) throws(ATCommandError) -> String {
        try requireDigits(puk, field: "puk", range: 8...8)
        try requireDigits(newPIN, field: "pin", range: 4...8)
        return "AT+CPIN=\"\(puk)\",\"\(newPIN)\""
    }

    /// Opens a Huawei data lock: `AT^DATALOCK="<code>"`, 1–16 decimal digits.
    public static func dataLock(_ code: String) throws(ATCommandError) -> String {
        try requireDigits(code, field: "code", range: 1...16)
        return "AT^DATALOCK=\"\(code)\""
    }

    // MARK: - Validation

    /// A printable, log-safe name for one character: itself if printable ASCII, else `U+XXXX`.
    static func describe(_ scalar: Unicode.Scalar) -> String {
        if scalar.value >= 0x21 && scalar.value <= 0x7E { return String(Character(scalar)) }
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    private static func requireNonEmpty(_ value: String, field: String) throws(ATCommandError) {
        if value.isEmpty { throw .empty(field: field) }
    }

    private static func requireIndex(_ index: Int) throws(ATCommandError) {
        if !(0...3).contains(index) { throw .invalid(field: "index", reason: "must be 0 to 3") }
    }

    /// Printable ASCII except the characters that would end or escape a quoted AT string.
    private static func requireQuotablePrintable(_ value: String, field: String) throws(ATCommandError) {
        for scalar in value.unicodeScalars {
            let code = scalar.value
            let allowed = code >= 0x20 && code <= 0x7E && code != 0x22 && code != 0x3B && code != 0x5C
            if !allowed { throw .forbiddenCharacter(field: field, character: describe(scalar)) }
        }
    }

    private static func requireDigits(_ value: String, field: String, range: ClosedRange<Int>) throws(ATCommandError) {
        try requireNonEmpty(value, field: field)
        for scalar in value.unicodeScalars where !(scalar.value >= 0x30 && scalar.value <= 0x39) {
            throw .forbiddenCharacter(field: field, character: describe(scalar))
        }
        let count = value.utf8.count
        if count > range.upperBound { throw .tooLong(field: field, max: range.upperBound) }
        if count < range.lowerBound {
            throw .invalid(field: field, reason: "needs at least \(range.lowerBound) digits")
        }
    }
}
