/// Decides how a `+CUSD` text payload is encoded and decodes it.
///
/// Firmwares lie about the DCS: with `+CSCS="UCS2"` the text is UCS2 hex whatever the DCS says,
/// Huawei transparent mode sends packed GSM 7-bit hex with DCS 15, and text mode sends plain
/// characters. The payload is inspected: only an even-length hex string can be encoded; among
/// the decodings, the one the DCS claims wins if it is plausible, then Latin-script UCS2, then
/// plausible GSM 7-bit, then (for 8+ hex digits) UCS2 in another common script; otherwise the
/// payload is plain text.
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
    public static func decode(_ raw: String, dcs: Int?) -> String {
        let trimmed = ATText.trimmed(raw)
        guard trimmed.utf8.count >= 2, trimmed.utf8.count % 2 == 0, let bytes = ATText.hexBytes(trimmed) else {
            return raw
        }
        let claimed = alphabet(forDCS: dcs)
        let ucs2 = trimmed.utf8.count % 4 == 0 ? UCS2.decode(bytes: bytes) : nil
        switch claimed {
        case .ucs2:
            if let ucs2, isPrintable(ucs2) { return ucs2 }
        case .eightBit:
            let latin = ATCharacterSet.latin1String(bytes)
            if isPrintable(latin) { return latin }
        case .gsm7, .unknown:
            break
        }
        if let ucs2, isLatinScriptUCS2(ucs2) { return ucs2 }
        let gsm = GSM7.string(fromSeptets: GSM7.unpackUSSD(bytes))
        if isPlausibleGSMText(gsm) { return gsm }
        if let ucs2, trimmed.utf8.count >= 8, isCommonScriptUCS2(ucs2) { return ucs2 }
        return raw
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
