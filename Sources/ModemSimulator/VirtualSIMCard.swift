/// What a simulated SIM is: its command set, identifiers, PIN, and the ATR it answers a reset with.
///
/// Written from the card's side of ETSI TS 102 221 / 3GPP TS 51.011 (the station's reader side lives in the
/// `SIMCard` target; nothing is shared, so a mistake in one is caught by the other).
public struct SIMCardPersonality: Sendable, Equatable {
    /// `uicc` (class 00, USIM application) or `gsm` (class A0 only).
    public enum Family: String, Sendable, Equatable {
        case uicc, gsm
    }

    /// Which command set the card speaks.
    public var family: Family
    /// The ICCID digits written to EF_ICCID (18–20 characters; the check digit is not corrected).
    public var iccid: String
    /// The IMSI digits written to EF_IMSI; nil leaves the file erased.
    public var imsi: String?
    /// The PIN, when PIN checking is enabled; nil: disabled.
    public var pin: String?
    /// Tries left before the PIN blocks.
    public var pinTries: Int
    /// The answer to reset.
    public var atr: [UInt8]

    /// A real UICC's ATR (T=0), from the field notes (TESTING.md §9).
    public static let uiccATR: [UInt8] = [0x3B, 0x9F, 0x96, 0x80, 0x1F, 0xC7, 0x80, 0x31, 0xA0, 0x73, 0xBE, 0x21,
                                          0x13, 0x67, 0x43, 0x20, 0x07, 0x18, 0x00, 0x00, 0x01, 0xA5]
    /// A minimal T=0 ATR (no interface bytes, two historical bytes) for the GSM-only card.
    public static let gsmATR: [UInt8] = [0x3B, 0x02, 0x14, 0x50]

    /// Creates a personality.
    public init(family: Family, iccid: String, imsi: String?, pin: String? = nil, pinTries: Int = 3, atr: [UInt8]? = nil) {
        self.family = family
        self.iccid = iccid
        self.imsi = imsi
        self.pin = pin
        self.pinTries = pinTries
        self.atr = atr ?? (family == .uicc ? Self.uiccATR : Self.gsmATR)
    }

    /// Parses `uicc|gsm[:key=value,...]` with keys `iccid`, `imsi` (or `none`), `pin`, `tries`; nil when malformed.
    public init?(spec: String) {
        let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
        guard let first = parts.first, let family = Family(rawValue: first) else { return nil }
        self.init(family: family, iccid: family == .uicc ? "8944101234567890128" : "8931440400001234567",
                  imsi: family == .uicc ? "234150123456789" : "20404123456789")
        for pair in (parts.count > 1 ? parts[1] : "").split(separator: ",") {
            let keyValue = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard keyValue.count == 2 else { return nil }
            let value = keyValue[1]
            let digits = !value.isEmpty && value.utf8.allSatisfy { (0x30...0x39).contains($0) }
            switch keyValue[0] {
            case "iccid" where digits && (18...20).contains(value.count): iccid = value
            case "imsi" where value == "none": imsi = nil
            case "imsi" where digits && (6...15).contains(value.count): imsi = value
            case "pin" where digits && (4...8).contains(value.count): pin = value
            case "tries" where digits && value.count == 1: pinTries = Int(value) ?? 3
            default: return nil
            }
        }
    }
}

/// A SIM's file system and PIN counter, answering command APDUs the way a card does over T=0.
public struct VirtualSIMCard: Sendable {
    /// The card's make-up.
    public let personality: SIMCardPersonality
    /// Tries left before the PIN blocks.
    public private(set) var triesLeft: Int
    /// Whether the PIN was verified since the last reset.
    public private(set) var pinVerified = false
    /// How many VERIFY commands carried a PIN (the station must send none on its own).
    public private(set) var pinPresentations = 0
    private var selected: FileID?
    private var currentDirectory: FileID = .masterFile
    private var pending: [UInt8]?

    private enum FileID: Equatable {
        case masterFile, usim, gsmDirectory, iccid, imsi
    }

    /// A fresh card.
    public init(personality: SIMCardPersonality) {
        self.personality = personality
        triesLeft = personality.pinTries
    }

    /// A reset (power on): selection and PIN verification are forgotten, the tries counter is not.
    public mutating func reset() {
        selected = nil
        currentDirectory = .masterFile
        pending = nil
        pinVerified = false
    }

    private var isGSM: Bool { personality.family == .gsm }
    private var pinNeeded: Bool { personality.pin != nil && !pinVerified }

    /// Answers one command APDU with its response APDU (data + SW1 SW2).
    public mutating func respond(to apdu: [UInt8]) -> [UInt8] {
        guard apdu.count >= 4 else { return [0x67, 0x00] }
        let expectedClass: UInt8 = isGSM ? 0xA0 : 0x00
        guard apdu[0] == expectedClass else { return [0x6E, 0x00] }
        let body = Array(apdu.dropFirst(5))
        let p3 = apdu.count > 4 ? Int(apdu[4]) : nil
        switch apdu[1] {
        case 0xA4: return select(p1: apdu[2], p2: apdu[3], data: body)
        case 0xC0: return getResponse(length: p3 ?? 0)
        case 0xB0: return readBinary(length: p3 ?? 0)
        case 0x20: return verify(data: apdu.count == 4 ? nil : body)
        default: return [0x6D, 0x00]
        }
    }

    private mutating func select(p1: UInt8, p2: UInt8, data: [UInt8]) -> [UInt8] {
        pending = nil
        let target: FileID?
        if p1 == 0x04 {
            let usim: [UInt8] = [0xA0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02]
            target = !isGSM && data.count >= usim.count && Array(data.prefix(usim.count)) == usim ? .usim : nil
        } else if data.count == 2 {
            switch (data[0], data[1], currentDirectory) {
            case (0x3F, 0x00, _): target = .masterFile
            case (0x2F, 0xE2, .masterFile): target = .iccid
            case (0x7F, 0x20, _): target = .gsmDirectory
            case (0x7F, 0xFF, _) where !isGSM: target = .usim
            case (0x6F, 0x07, .usim), (0x6F, 0x07, .gsmDirectory): target = .imsi
            default: target = nil
            }
        } else {
            target = nil
        }
        guard let target else { return isGSM ? [0x94, 0x04] : [0x6A, 0x82] }
        selected = target
        if [.masterFile, .usim, .gsmDirectory].contains(target) { currentDirectory = target }
        let answer = isGSM ? gsmResponse(for: target) : uiccFCP(for: target)
        if isGSM {
            pending = answer
            return [0x9F, UInt8(answer.count)]
        }
        guard p2 & 0x0C != 0x0C else { return [0x90, 0x00] }
        pending = answer
        return [0x61, UInt8(answer.count)]
    }

    private mutating func getResponse(length: Int) -> [UInt8] {
        guard let answer = pending else { return isGSM ? [0x94, 0x00] : [0x69, 0x85] }
        let wanted = length == 0 ? 256 : length
        guard wanted == answer.count else { return [isGSM ? 0x67 : 0x6C, UInt8(answer.count)] }
        pending = nil
        return answer + [0x90, 0x00]
    }

    private func readBinary(length: Int) -> [UInt8] {
        let content: [UInt8]
        switch selected {
        case .iccid?: content = Self.swappedBCD(personality.iccid, bytes: 10)
        case .imsi?:
            if pinNeeded { return isGSM ? [0x98, 0x04] : [0x69, 0x82] }
            content = personality.imsi.map(Self.imsiFile) ?? Array(repeating: 0xFF, count: 9)
        default: return isGSM ? [0x94, 0x00] : [0x69, 0x86]
        }
        let wanted = length == 0 ? 256 : length
        guard wanted == content.count else { return [isGSM ? 0x67 : 0x6C, UInt8(content.count)] }
        return content + [0x90, 0x00]
    }

    private mutating func verify(data: [UInt8]?) -> [UInt8] {
        guard let data else {
            // Empty VERIFY (UICC only): the retry counter, nothing spent.
            if isGSM { return [0x67, 0x00] }
            if personality.pin == nil || pinVerified { return [0x90, 0x00] }
            return triesLeft == 0 ? [0x69, 0x83] : [0x63, 0xC0 | UInt8(triesLeft)]
        }
        pinPresentations += 1
        guard let pin = personality.pin else { return isGSM ? [0x98, 0x08] : [0x69, 0x84] }
        guard triesLeft > 0 else { return isGSM ? [0x98, 0x40] : [0x69, 0x83] }
        let given = data.prefix { $0 != 0xFF }
        if data.count == 8, Array(given) == Array(pin.utf8) {
            pinVerified = true
            triesLeft = personality.pinTries
            return [0x90, 0x00]
        }
        triesLeft -= 1
        if isGSM { return triesLeft == 0 ? [0x98, 0x40] : [0x98, 0x04] }
        return [0x63, 0xC0 | UInt8(triesLeft)]
    }

    /// The FCP template a UICC returns for SELECT with P2=04 (TS 102 221 §11.1.1.3), trimmed to the essentials.
    private func uiccFCP(for file: FileID) -> [UInt8] {
        let id: [UInt8]
        switch file {
        case .masterFile: id = [0x3F, 0x00]
        case .usim: id = [0x7F, 0xFF]
        case .gsmDirectory: id = [0x7F, 0x20]
        case .iccid: id = [0x2F, 0xE2]
        case .imsi: id = [0x6F, 0x07]
        }
        let descriptor: [UInt8] = [.masterFile, .usim, .gsmDirectory].contains(file) ? [0x78, 0x21] : [0x41, 0x21]
        let body: [UInt8] = [0x82, 0x02] + descriptor + [0x83, 0x02] + id + [0x8A, 0x01, 0x05]
        return [0x62, UInt8(body.count)] + body
    }

    /// The GSM SELECT answer (TS 51.011 §9.2.1): 22 bytes for the MF and DFs, 15 for EFs.
    private func gsmResponse(for file: FileID) -> [UInt8] {
        switch file {
        case .masterFile, .gsmDirectory, .usim:
            let id: [UInt8] = file == .masterFile ? [0x3F, 0x00] : [0x7F, 0x20]
            let characteristics: UInt8 = personality.pin == nil ? 0xB1 : 0x31
            let chv1: UInt8 = 0x80 | UInt8(min(triesLeft, 15))
            return [0x00, 0x00, 0x1F, 0x40] + id + [0x01 + (file == .masterFile ? 0 : 1), 0, 0, 0, 0, 0, 0x09,
                    characteristics, 0x02, 0x0B, 0x04, 0x00, chv1, 0x8A, 0x83, 0x8A]
        case .iccid:
            return [0x00, 0x00, 0x00, 0x0A, 0x2F, 0xE2, 0x04, 0x00, 0x04, 0x00, 0xFF, 0x01, 0x01, 0x00, 0x02]
        case .imsi:
            return [0x00, 0x00, 0x00, 0x09, 0x6F, 0x07, 0x04, 0x00, 0x14, 0x01, 0xFF, 0x01, 0x01, 0x00, 0x02]
        }
    }

    /// Digits as swapped BCD (low nibble first), `F`-padded to `bytes`.
    static func swappedBCD(_ digits: String, bytes: Int) -> [UInt8] {
        var nibbles = digits.utf8.map { $0 &- 0x30 }
        while nibbles.count < bytes * 2 { nibbles.append(0x0F) }
        return (0..<bytes).map { nibbles[2 * $0] | nibbles[2 * $0 + 1] << 4 }
    }

    /// EF_IMSI's 9 bytes (TS 31.102 §4.2.2): length, first digit with type 001 and parity, then swapped BCD.
    static func imsiFile(_ digits: String) -> [UInt8] {
        let values = digits.utf8.map { $0 &- 0x30 }
        guard let first = values.first else { return Array(repeating: 0xFF, count: 9) }
        let odd = values.count % 2 == 1
        var rest = Array(values.dropFirst())
        if !odd { rest.append(0x0F) }
        var file: [UInt8] = [UInt8(1 + rest.count / 2), first << 4 | (odd ? 0x09 : 0x01)]
        for index in stride(from: 0, to: rest.count, by: 2) { file.append(rest[index] | rest[index + 1] << 4) }
        while file.count < 9 { file.append(0xFF) }
        return file
    }
}
