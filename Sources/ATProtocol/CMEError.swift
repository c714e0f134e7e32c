/// A `+CME ERROR` with its 3GPP TS 27.007 §9.2 code and text.
///
/// Built from either form the modem sends: numeric codes get the table text, verbose texts get the
/// table code when the text is known (compared case- and spacing-insensitively), else `code` is nil.
public struct CMEError: Sendable, Equatable {
    /// The numeric error code, or nil when the modem sent a text not in the table.
    public var code: Int?
    /// The table's text for the code, or the modem's own text.
    public var message: String

    /// Creates an error from explicit values.
    public init(code: Int?, message: String) {
        self.code = code
        self.message = message
    }

    /// Creates an error from a code, using the 27.007 text (or "unknown CME error <n>").
    public init(code: Int) {
        self.init(code: code, message: CMEError.catalogue.message(for: code))
    }

    /// Creates an error from what followed `+CME ERROR:`: a number or a verbose text.
    public init(detail: String) {
        let parsed = CMEError.catalogue.parse(detail: detail)
        self.init(code: parsed.code, message: parsed.message)
    }

    /// The 27.007 code for a verbose error text, matched ignoring case, spaces, dashes and quotes.
    public static func code(forMessage message: String) -> Int? {
        catalogue.code(forMessage: message)
    }

    /// The 27.007 text for a code.
    public static func message(forCode code: Int) -> String? { table[code] }

    /// 3GPP TS 27.007 §9.2.1 / §9.2.2 (general and GPRS related) error texts.
    static let table: [Int: String] = [
        0: "phone failure",
        1: "no connection to phone",
        2: "phone-adaptor link reserved",
        3: "operation not allowed",
        4: "operation not supported",
        5: "PH-SIM PIN required",
        6: "PH-FSIM PIN required",
        7: "PH-FSIM PUK required",
        10: "SIM not inserted",
        11: "SIM PIN required",
        12: "SIM PUK required",
        13: "SIM failure",
        14: "SIM busy",
        15: "SIM wrong",
        16: "incorrect password",
        17: "SIM PIN2 required",
        18: "SIM PUK2 required",
        20: "memory full",
        21: "invalid index",
        22: "not found",
        23: "memory failure",
        24: "text string too long",
        25: "invalid characters in text string",
        26: "dial string too long",
        27: "invalid characters in dial string",
        30: "no network service",
        31: "network timeout",
        32: "network not allowed - emergency calls only",
        40: "network personalization PIN required",
        41: "network personalization PUK required",
        42: "network subset personalization PIN required",
        43: "network subset personalization PUK required",
        44: "service provider personalization PIN required",
        45: "service provider personalization PUK required",
        46: "corporate personalization PIN required",
        47: "corporate personalization PUK required",
        48: "hidden key required",
        49: "EAP method not supported",
        50: "incorrect parameters",
        51: "command implemented but currently disabled",
        52: "command aborted by user",
        53: "not attached to network due to MT functionality restrictions",
        54: "modem not allowed - MT restricted to emergency calls only",
        55: "operation not allowed because of MT functionality restrictions",
        56: "fixed dial number only allowed - called number is not a fixed dial number",
        57: "temporarily out of service due to other MT usage",
        58: "language/alphabet not supported",
        59: "unexpected data value",
        60: "system failure",
        61: "data missing",
        62: "call barred",
        63: "message waiting indication subscription failure",
        100: "unknown",
        103: "illegal MS",
        106: "illegal ME",
        107: "GPRS services not allowed",
        108: "GPRS services and non-GPRS services not allowed",
        111: "PLMN not allowed",
        112: "location area not allowed",
        113: "roaming not allowed in this location area",
        114: "GPRS services not allowed in this PLMN",
        115: "no suitable cells in tracking area",
        122: "congestion",
        126: "insufficient resources",
        127: "missing or unknown APN",
        128: "unknown PDP address or PDP type",
        129: "user authentication failed",
        130: "activation rejected by GGSN, Serving GW or PDN GW",
        131: "activation rejected, unspecified",
        132: "service option not supported",
        133: "requested service option not subscribed",
        134: "service option temporarily out of order",
        140: "feature not supported",
        148: "unspecified GPRS error",
        149: "PDP authentication failure",
        150: "invalid mobile class",
        257: "network rejected request",
        258: "retry operation",
        259: "invalid deflected to number",
        260: "deflected to own number",
        261: "unknown subscriber",
        262: "service not available",
        263: "unknown class specified",
        264: "unknown network message",
    ]

    /// Spellings seen from firmwares that differ from the table.
    static let catalogue = ATErrorCatalogue(texts: table, aliases: [
        "SIM not present": 10,
        "SIM PIN necessary": 11,
        "SIM PUK necessary": 12,
        "wrong password": 16,
        "unknown error": 100,
        "no network": 30,
    ], fallback: "unknown CME error")
}
