/// The TE character sets of `AT+CSCS` (27.007 §5.5) that modems use for string parameters.
///
/// A modem's `+CSCS` setting decides how `+CUSD`, phonebook and SMS text strings are written on
/// the wire; this enum decodes them. Because the line framer decodes lines as UTF-8, 8-bit
/// (`8859-1`) bytes above 0x7F only survive through `decode(bytes:)`.
public enum ATCharacterSet: String, Sendable, CaseIterable, Codable {
    /// GSM 7-bit default alphabet, one septet per byte.
    case gsm = "GSM"
    /// International Reference Alphabet (ITU-T T.50, i.e. ASCII).
    case ira = "IRA"
    /// UCS2 as hex, four digits per 16-bit unit.
    case ucs2 = "UCS2"
    /// Hex of the ME's 8-bit characters, two digits per byte (mapped as ISO 8859-1).
    case hex = "HEX"
    /// ISO 8859-1 (Latin-1).
    case latin1 = "8859-1"

    /// Recognises a `+CSCS` name, ignoring case and quotes (`"UCS2"`, `8859-1`).
    public init?(cscsName: String) {
        let name = ATText.unquoted(ATText.trimmed(cscsName)).uppercased()
        guard let value = ATCharacterSet(rawValue: name) else { return nil }
        self = value
    }

    /// Decodes a string parameter received while this character set is selected.
    public func decode(_ payload: String) throws(ATParseError) -> String {
        switch self {
        case .gsm:
            var septets: [UInt8] = []
            for scalar in payload.unicodeScalars {
                guard scalar.value < 0x80 else {
                    throw .malformed(command: "+CSCS", line: payload, reason: "non-7-bit character in GSM string")
                }
                septets.append(UInt8(scalar.value))
            }
            return GSM7.string(fromSeptets: septets)
        case .ira:
            guard payload.unicodeScalars.allSatisfy({ $0.isASCII }) else {
                throw .malformed(command: "+CSCS", line: payload, reason: "non-ASCII character in IRA string")
            }
            return payload
        case .ucs2:
            return try UCS2.decodeHex(payload)
        case .hex:
            guard let bytes = ATText.hexBytes(ATText.trimmed(payload)) else {
                throw .malformed(command: "+CSCS", line: payload, reason: "not an even-length hex string")
            }
            return ATCharacterSet.latin1String(bytes)
        case .latin1:
            return payload
        }
    }

    /// Decodes the raw bytes of a string parameter received while this character set is selected.
    public func decode(bytes: [UInt8]) throws(ATParseError) -> String {
        switch self {
        case .latin1:
            return ATCharacterSet.latin1String(bytes)
        case .gsm:
            guard bytes.allSatisfy({ $0 < 0x80 }) else {
                throw .malformed(command: "+CSCS", line: ATText.hexString(bytes), reason: "byte above 0x7F in GSM string")
            }
            return GSM7.string(fromSeptets: bytes)
        case .ira, .ucs2, .hex:
            guard bytes.allSatisfy({ $0 < 0x80 }) else {
                throw .malformed(command: "+CSCS", line: ATText.hexString(bytes), reason: "byte above 0x7F")
            }
            return try decode(String(decoding: bytes, as: UTF8.self))
        }
    }

    static func latin1String(_ bytes: [UInt8]) -> String {
        var scalars = String.UnicodeScalarView()
        for byte in bytes { scalars.append(Unicode.Scalar(byte)) }
        return String(scalars)
    }
}
