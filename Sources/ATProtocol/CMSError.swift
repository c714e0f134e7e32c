/// A `+CMS ERROR` with its 3GPP TS 27.005 §3.2.5 code and text.
///
/// Codes 0–255 are network/TP causes without a fixed text here; they get "CMS error <n>".
public struct CMSError: Sendable, Equatable {
    /// The numeric error code, or nil when the modem sent a text not in the table.
    public var code: Int?
    /// The table's text for the code, or the modem's own text.
    public var message: String

    /// Creates an error from explicit values.
    public init(code: Int?, message: String) {
        self.code = code
        self.message = message
    }

    /// Creates an error from a code, using the 27.005 text (or "CMS error <n>").
    public init(code: Int) {
        self.init(code: code, message: CMSError.catalogue.message(for: code))
    }

    /// Creates an error from what followed `+CMS ERROR:`: a number or a verbose text.
    public init(detail: String) {
        let parsed = CMSError.catalogue.parse(detail: detail)
        self.init(code: parsed.code, message: parsed.message)
    }

    /// The 27.005 code for a verbose error text, matched ignoring case, spaces, dashes and quotes.
    public static func code(forMessage message: String) -> Int? {
        catalogue.code(forMessage: message)
    }

    /// The 27.005 text for a code.
    public static func message(forCode code: Int) -> String? { table[code] }

    static let table: [Int: String] = [
        300: "ME failure",
        301: "SMS service of ME reserved",
        302: "operation not allowed",
        303: "operation not supported",
        304: "invalid PDU mode parameter",
        305: "invalid text mode parameter",
        310: "SIM not inserted",
        311: "SIM PIN required",
        312: "PH-SIM PIN required",
        313: "SIM failure",
        314: "SIM busy",
        315: "SIM wrong",
        316: "SIM PUK required",
        317: "SIM PIN2 required",
        318: "SIM PUK2 required",
        320: "memory failure",
        321: "invalid memory index",
        322: "memory full",
        330: "SMSC address unknown",
        331: "no network service",
        332: "network timeout",
        340: "no +CNMA acknowledgement expected",
        500: "unknown error",
    ]

    static let catalogue = ATErrorCatalogue(texts: table, fallback: "CMS error")
}
