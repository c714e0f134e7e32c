/// One `+CUSD: <m>[,"<str>"[,<dcs>]]` report (27.007 §7.15), with its text decoded.
///
/// The text is decoded by looking at the payload (hex? UCS2-plausible? GSM 7-bit-plausible?)
/// because firmwares lie about the DCS; `rawText` keeps exactly what was between the quotes.
public struct USSDReply: Sendable, Equatable {
    /// 0 done, 1 further action required, 2 terminated by network, 3 other client, 4 not supported, 5 timeout.
    public var status: Int
    /// The decoded text (GSM 7-bit packed hex / UCS2 hex / 8-bit hex / plain, by payload inspection).
    public var text: String?
    /// The text as received between the quotes.
    public var rawText: String?
    /// The data coding scheme (3GPP TS 23.038 §5), when sent.
    public var dcs: Int?

    /// Creates a record.
    public init(status: Int, text: String? = nil, rawText: String? = nil, dcs: Int? = nil) {
        self.status = status
        self.text = text
        self.rawText = rawText
        self.dcs = dcs
    }

    /// True when the network waits for an answer (status 1: a menu).
    public var expectsReply: Bool { status == 1 }
}

extension ATParse {
    /// `ussd(_:)`, with the text decoded knowing how the device encodes its replies (a dialect whose requests go
    /// out as 8-bit hex gets its replies that way too): `hint` settles the cases the payload alone leaves open, such
    /// as a short 8-bit hex reply (`3132`) that would otherwise stay plain text.
    public static func ussd(_ line: String, hint: USSDTextDecoder.PayloadHint) throws(ATParseError) -> USSDReply {
        var reply = try ussd(line)
        if let raw = reply.rawText { reply.text = USSDTextDecoder.decode(raw, dcs: reply.dcs, hint: hint) }
        return reply
    }
}

extension USSDTextDecoder.PayloadHint {
    /// The reply encoding to expect from a device whose requests go out in `encoding`: 8-bit hex and packed GSM 7-bit
    /// devices answer in kind; a text device's reply is left to the rules (it may still send UCS2 hex).
    public init(requestEncoding encoding: USSDRequestEncoding) {
        switch encoding {
        case .text: self = .automatic
        case .packedGSM7: self = .expect(.packedGSM7Hex)
        case .eightBitHex: self = .expect(.eightBitHex)
        }
    }
}
