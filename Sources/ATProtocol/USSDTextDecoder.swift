/// Decides how a `+CUSD` text payload is encoded and decodes it.
///
/// Firmwares lie about the DCS: with `+CSCS="UCS2"` the text is UCS2 hex whatever the DCS says, Huawei
/// transparent mode (`^USSDMODE=1`) sends packed GSM 7-bit hex with DCS 15, Huawei's older firmwares and some
/// networks send the hex of 8-bit octets with DCS 0 or 15 (`3037373935…` for the digits `07795`), and text mode
/// sends plain characters. The payload is inspected, and the rules are applied in this order:
///
/// 1. A payload that is not an even-length string of hex digits is plain text (`Balance: 5.00`).
/// 2. The encoding the DCS announces wins when its decoding is printable: UCS2 (DCS 72, 0x11), 8-bit (DCS 68, 0xF4).
///    Otherwise a payload of fewer than 8 hex digits is plain text: at that length every decoding reads like
///    something (`3132` is "1d" as packed GSM 7-bit and "12" as 8-bit, `0050` is "P" as UCS2).
/// 3. UCS2 whose characters are mostly Latin, Greek or Cyrillic (`0053006F006C…`): half its digits are `00`/`04`
///    high bytes, which neither plain text nor the other encodings produce.
/// 4. 8-bit hex whose octets are all printable ASCII (0x20–0x7E, CR, LF, TAB), with a letter or digit among them.
///    Packed GSM 7-bit almost never passes: its octets carry bits of the next septet in their top bit, so most are
///    0x80 or above (`AA180C3602` is `*100#`).
/// 5. Packed GSM 7-bit hex that reads like a message (see `isPlausibleGSMText`).
/// 6. UCS2 of at least 2 characters in a script operators use (Arabic, Thai, CJK…); a payload of decimal digits
///    only must stay below U+1000 (Arabic `0633064406270645` is "سلام"), because digit strings such as a phone
///    number `99887766` would otherwise read as two CJK characters.
/// 7. Otherwise the payload is plain text as received.
///
/// Plain text made only of hex digits stays plain text because it is short (`1234`, `CAFE`, `2500`: rule 2) or
/// each decoding rejects it: `12345678` decodes to control characters as 8-bit (0x12, 0x34…), to unlikely characters
/// as UCS2 and to noise as GSM 7-bit; `DEADBEEF` to bytes above 0x7F as 8-bit. The residual ambiguity is plain
/// text whose every other digit is 2–7 (`30313233` is both "30313233" and the 8-bit hex of "0123"): such a reply
/// of 8 digits or more is read as 8-bit hex, shorter ones as plain text. Callers that know how the device
/// encodes its replies can say so with `PayloadHint`, which breaks such ties and nothing else.
public enum USSDTextDecoder {
    /// The alphabet a data coding scheme announces (3GPP TS 23.038 §5, CBS coding groups).
    public enum Alphabet: Sendable, Equatable {
        /// GSM 7-bit default alphabet.
        case gsm7
        /// 8-bit data.
        case eightBit
        /// UCS2.
        case ucs2
        /// Reserved, compressed or absent.
        case unknown
    }

    /// How a payload was found to be encoded.
    public enum PayloadEncoding: String, Sendable, Equatable, CaseIterable {
        /// Plain characters, as received between the quotes.
        case text
        /// Hex of GSM 7-bit septets packed into octets (3GPP TS 23.038 §6.1.2.3), Huawei `^USSDMODE=1`.
        case packedGSM7Hex = "packed-gsm7-hex"
        /// Hex of 8-bit octets, one character each (ISO 8859-1), as Huawei's older firmwares send it.
        case eightBitHex = "8bit-hex"
        /// Hex of UCS2 code units, big-endian.
        case ucs2Hex = "ucs2-hex"
    }

    /// What the caller knows of the device's reply encoding.
    public enum PayloadHint: Sendable, Equatable {
        /// Nothing: the rules of this type decide.
        case automatic
        /// The device is known to send this encoding; a payload that does not decode as it falls back to the rules.
        case expect(PayloadEncoding)
    }

    /// A decoded payload: the text and how it was encoded.
    public struct Decoding: Sendable, Equatable {
        /// The decoded text.
        public var text: String
        /// The encoding the payload was read in.
        public var encoding: PayloadEncoding

        /// Creates a record.
        public init(text: String, encoding: PayloadEncoding) {
            self.text = text
            self.encoding = encoding
        }
    }

    /// The alphabet announced by a CBS/USSD data coding scheme.
    public static func alphabet(forDCS dcs: Int?) -> Alphabet {
        guard let dcs, (0...255).contains(dcs) else { return .unknown }
        switch dcs >> 4 {
        case 0x0, 0x2, 0x3: return .gsm7
        case 0x1:
            return dcs == 0x11 ? .ucs2 : .gsm7
        case 0x4...0x7, 0x9:
            if dcs & 0x20 != 0 { return .unknown }   // compressed
            switch (dcs >> 2) & 0x03 {
            case 0: return .gsm7
            case 1: return .eightBit
            case 2: return .ucs2
            default: return .unknown
            }
        case 0xF:
            return dcs & 0x04 == 0 ? .gsm7 : .eightBit
        default:
            return .unknown
        }
    }

    /// Decodes a payload as received between the quotes of `+CUSD`.
    public static func decode(_ raw: String, dcs: Int?, hint: PayloadHint = .automatic) -> String {
        decoding(raw, dcs: dcs, hint: hint).text
    }

    /// Decodes a payload as received between the quotes of `+CUSD`, saying which encoding was found.
    ///
    /// A hint only breaks ties: when the rules leave a hex payload as plain text, `.expect(X)` reads it as `X` if it
    /// decodes printably that way (`3132` as the 8-bit "12"); `.expect(.text)` keeps a payload that only rule 4
    /// (8-bit hex without a DCS saying so) would decode as plain text. What the DCS announces, Latin-script UCS2 and
    /// plausible packed GSM 7-bit are never overridden: a text-mode ZTE still answers in UCS2 hex.
    public static func decoding(_ raw: String, dcs: Int?, hint: PayloadHint = .automatic) -> Decoding {
        let automatic = decodingByRules(raw, dcs: dcs)
        guard case .expect(let expected) = hint else { return automatic }
        switch expected {
        case .text:
            if automatic.encoding == .eightBitHex, alphabet(forDCS: dcs) != .eightBit {
                return Decoding(text: raw, encoding: .text)
            }
        case .eightBitHex, .packedGSM7Hex, .ucs2Hex:
            if automatic.encoding == .text, let forced = decode(raw, as: expected), isPrintable(forced) {
                return Decoding(text: forced, encoding: expected)
            }
        }
        return automatic
    }

    /// The payload decoded as `encoding`, or nil when it is not hex of that shape.
    static func decode(_ raw: String, as encoding: PayloadEncoding) -> String? {
        let trimmed = ATText.trimmed(raw)
        guard encoding != .text else { return raw }
        guard trimmed.utf8.count >= 2, trimmed.utf8.count % 2 == 0, let bytes = ATText.hexBytes(trimmed) else { return nil }
        switch encoding {
        case .text: return raw
        case .eightBitHex: return ATCharacterSet.latin1String(bytes)
        case .packedGSM7Hex: return GSM7.string(fromSeptets: GSM7.unpackUSSD(bytes))
        case .ucs2Hex: return trimmed.utf8.count % 4 == 0 ? UCS2.decode(bytes: bytes) : nil
        }
    }

    /// Rules 1–7 of this type's description.
    static func decodingByRules(_ raw: String, dcs: Int?) -> Decoding {
        let plain = Decoding(text: raw, encoding: .text)
        let trimmed = ATText.trimmed(raw)
        guard trimmed.utf8.count >= 2, trimmed.utf8.count % 2 == 0, let bytes = ATText.hexBytes(trimmed) else {
            return plain
        }
        let ucs2 = trimmed.utf8.count % 4 == 0 ? UCS2.decode(bytes: bytes) : nil
        switch alphabet(forDCS: dcs) {
        case .ucs2:
            if let ucs2, isPrintable(ucs2) { return Decoding(text: ucs2, encoding: .ucs2Hex) }
        case .eightBit:
            let latin = ATCharacterSet.latin1String(bytes)
            if isPrintable(latin) { return Decoding(text: latin, encoding: .eightBitHex) }
        case .gsm7, .unknown:
            break
        }
        // Below 4 octets every decoding reads like something (`3132` is "1d" packed, "12" as 8-bit, `0050` is "P"):
        // only the DCS can say such a payload is encoded.
        guard bytes.count >= minimumInspectedOctets else { return plain }
        if let ucs2, isLatinScriptUCS2(ucs2) { return Decoding(text: ucs2, encoding: .ucs2Hex) }
        if isPlausibleEightBitText(bytes) {
            return Decoding(text: ATCharacterSet.latin1String(bytes), encoding: .eightBitHex)
        }
        let gsm = GSM7.string(fromSeptets: GSM7.unpackUSSD(bytes))
        if isPlausibleGSMText(gsm) { return Decoding(text: gsm, encoding: .packedGSM7Hex) }
        if let ucs2, trimmed.utf8.count >= 8, isCommonScriptUCS2(ucs2),
           !isDecimal(trimmed) || ucs2.unicodeScalars.allSatisfy({ $0.value < 0x1000 }) {
            return Decoding(text: ucs2, encoding: .ucs2Hex)
        }
        return plain
    }

    /// The shortest payload, in octets (8 hex digits), that rules 3 to 6 inspect.
    static let minimumInspectedOctets = 4

    /// Whether every character is a decimal digit.
    static func isDecimal(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// Octets that read as an ASCII message (rule 4): every one printable ASCII or CR/LF/TAB, and at least one letter
    /// or digit.
    static func isPlausibleEightBitText(_ bytes: [UInt8]) -> Bool {
        var alphanumeric = false
        for byte in bytes {
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: alphanumeric = true
            case 0x20...0x7E, 0x09, 0x0A, 0x0D: break
            default: return false
            }
        }
        return alphanumeric
    }

    /// No control characters other than CR, LF and TAB, no unassigned private-use guesses.
    static func isPrintable(_ text: String) -> Bool {
        guard !text.isEmpty else { return false }
        return text.unicodeScalars.allSatisfy { scalar in
            let value = scalar.value
            if value == 0x0A || value == 0x0D || value == 0x09 { return true }
            if value < 0x20 || (value >= 0x7F && value < 0xA0) { return false }
            if (0xE000...0xF8FF).contains(value) || value == 0xFFFD || value == 0xFFFF || value == 0xFFFE { return false }
            return true
        }
    }

    /// UCS2 text that is mostly Latin/Greek/Cyrillic (code points below U+0530): the strong signal
    /// that a hex payload is UCS2 (half its hex digits are `00`/`04` high bytes).
    static func isLatinScriptUCS2(_ text: String) -> Bool {
        guard isPrintable(text) else { return false }
        var low = 0
        var total = 0
        for scalar in text.unicodeScalars {
            total += 1
            if scalar.value < 0x0530 { low += 1 }
            if !isCommonScript(scalar.value) { return false }
        }
        return total > 0 && low * 2 >= total
    }

    /// UCS2 text where every character is in a script operators actually use.
    static func isCommonScriptUCS2(_ text: String) -> Bool {
        isPrintable(text) && text.unicodeScalars.allSatisfy { isCommonScript($0.value) }
    }

    static func isCommonScript(_ value: UInt32) -> Bool {
        switch value {
        case 0x09, 0x0A, 0x0D: return true
        case 0x0020...0x052F, 0x0590...0x06FF, 0x0900...0x0DFF, 0x0E00...0x0E7F, 0x1E00...0x1EFF,
             0x2000...0x206F, 0x20A0...0x20CF, 0x2100...0x214F, 0x3000...0x30FF, 0x4E00...0x9FFF,
             0xAC00...0xD7AF, 0xFF00...0xFFEF, 0x1F300...0x1FAFF:
            return true
        default:
            return false
        }
    }

    /// GSM 7-bit text that reads like a message: at least 90% ASCII letters, digits, spaces,
    /// everyday punctuation and (in texts over 4 characters) Latin accented letters, at least one
    /// letter or digit, and a space or line break when longer than 10 characters (random septets
    /// rarely manage all three).
    static func isPlausibleGSMText(_ text: String) -> Bool {
        var good = 0
        var total = 0
        var alphanumeric = false
        var spaced = false
        // In very short texts an accented letter is more likely noise than language.
        let acceptsAccents = text.unicodeScalars.count > 4
        for scalar in text.unicodeScalars {
            total += 1
            let value = scalar.value
            if (value >= 0x30 && value <= 0x39) || (value >= 0x41 && value <= 0x5A) || (value >= 0x61 && value <= 0x7A) {
                alphanumeric = true
                good += 1
                continue
            }
            switch value {
            case 0x20, 0x0A, 0x0D:
                spaced = true
                good += 1
            case 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2A, 0x2B, 0x2C, 0x2D, 0x2E, 0x2F,
                 0x3A, 0x3B, 0x3D, 0x3F, 0x20AC, 0x00A3:
                good += 1
            case 0x00E8, 0x00E9, 0x00F9, 0x00EC, 0x00F2, 0x00C7, 0x00C9, 0x00C4, 0x00D6, 0x00DC, 0x00E4,
                 0x00F6, 0x00FC, 0x00E0, 0x00F1, 0x00D1, 0x00DF:
                if acceptsAccents { good += 1 }
            default:
                break
            }
        }
        guard alphanumeric, total > 0, good * 10 >= total * 9 else { return false }
        return total <= 10 || spaced
    }
}
