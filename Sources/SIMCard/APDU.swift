/// A command APDU (ISO/IEC 7816-4 short form) as the station sends it to a SIM.
///
/// Only the short forms are built: case 1 (header only), case 2 (header + Le), case 3 (header + Lc + data).
/// Over T=0 a case 4 command is sent as case 3 and its answer fetched with GET RESPONSE.
public struct APDUCommand: Sendable, Equatable {
    /// The class byte: `00` for a UICC (ETSI TS 102 221), `A0` for a GSM SIM (3GPP TS 51.011).
    public var cla: UInt8
    /// The instruction byte.
    public var ins: UInt8
    /// Parameter 1.
    public var p1: UInt8
    /// Parameter 2.
    public var p2: UInt8
    /// The command data (at most 255 bytes).
    public var data: [UInt8]
    /// The number of bytes expected back (1–256, 256 written as `00`), or nil when none are expected.
    public var expectedLength: Int?

    /// Creates a command.
    public init(cla: UInt8, ins: UInt8, p1: UInt8, p2: UInt8, data: [UInt8] = [], expectedLength: Int? = nil) {
        self.cla = cla
        self.ins = ins
        self.p1 = p1
        self.p2 = p2
        self.data = data
        self.expectedLength = expectedLength
    }

    /// The bytes on the wire. Data and Le are clamped to the short form (255 data bytes, Le 1–256).
    public var bytes: [UInt8] {
        var out: [UInt8] = [cla, ins, p1, p2]
        if !data.isEmpty {
            let body = data.prefix(255)
            out.append(UInt8(body.count))
            out.append(contentsOf: body)
        } else if let expectedLength {
            out.append(UInt8(truncatingIfNeeded: min(max(expectedLength, 1), 256)))
        }
        return out
    }

    /// The same command with another Le (after a `6Cxx` or `67xx` answer).
    public func withExpectedLength(_ length: Int) -> APDUCommand {
        var copy = self
        copy.expectedLength = length
        return copy
    }
}

/// Instruction bytes the station uses (ETSI TS 102 221 §10.1.2, 3GPP TS 51.011 §9.2).
public enum APDUInstruction {
    /// SELECT (file or application).
    public static let select: UInt8 = 0xA4
    /// READ BINARY of a transparent EF.
    public static let readBinary: UInt8 = 0xB0
    /// GET RESPONSE: fetches the answer a `61xx`/`9Fxx` status announced.
    public static let getResponse: UInt8 = 0xC0
    /// VERIFY (PIN / CHV).
    public static let verify: UInt8 = 0x20
}

/// A response APDU: the data and the two status bytes.
public struct APDUResponse: Sendable, Equatable {
    /// The data before the status word.
    public var data: [UInt8]
    /// The status word (SW1 SW2).
    public var status: StatusWord

    /// Creates a response.
    public init(data: [UInt8], status: StatusWord) {
        self.data = data
        self.status = status
    }

    /// The most bytes a short response may carry: 256 data bytes and the status word.
    public static let maximumLength = 258

    /// Splits raw bytes from the reader; a response shorter than a status word or longer than a short response
    /// can be is refused, so a hostile card cannot make the station keep or parse megabytes.
    public init(parsing bytes: [UInt8]) throws(SIMCardError) {
        guard bytes.count >= 2 else { throw .responseTooShort(bytes.count) }
        guard bytes.count <= APDUResponse.maximumLength else { throw .responseTooLong(bytes.count) }
        data = Array(bytes.dropLast(2))
        status = StatusWord(sw1: bytes[bytes.count - 2], sw2: bytes[bytes.count - 1])
    }
}

/// The two status bytes that end every response APDU.
public struct StatusWord: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// SW1.
    public var sw1: UInt8
    /// SW2.
    public var sw2: UInt8

    /// Creates a status word.
    public init(sw1: UInt8, sw2: UInt8) {
        self.sw1 = sw1
        self.sw2 = sw2
    }

    /// Creates a status word from its 16-bit value (`0x9000`).
    public init(_ value: UInt16) {
        self.init(sw1: UInt8(value >> 8), sw2: UInt8(value & 0xFF))
    }

    /// The 16-bit value.
    public var value: UInt16 { UInt16(sw1) << 8 | UInt16(sw2) }

    /// Four uppercase hex digits, as the specifications write them.
    public var description: String { HexBytes.string([sw1, sw2]) }

    /// `9000`: normal ending.
    public var isSuccess: Bool { value == 0x9000 }
    /// `6E00` class not supported or `6D00` instruction not supported: a GSM-only card answering class `00`.
    public var isClassOrInstructionUnsupported: Bool { value == 0x6E00 || value == 0x6D00 }
    /// `6A82` (UICC) / `9404` (GSM): file or application not found.
    public var isNotFound: Bool { value == 0x6A82 || value == 0x9404 }
    /// `6982` (UICC) / `9804` (GSM): security status not satisfied (the PIN is needed).
    public var isSecurityNotSatisfied: Bool { value == 0x6982 || value == 0x9804 }
    /// `6983` (UICC) / `9840` (GSM): the PIN is blocked.
    public var isPINBlocked: Bool { value == 0x6983 || value == 0x9840 }
    /// Tries left from `63Cx` (wrong PIN, or the answer to a VERIFY without data), else nil.
    public var pinTriesLeft: Int? { sw1 == 0x63 && sw2 & 0xF0 == 0xC0 ? Int(sw2 & 0x0F) : nil }
}

/// Hex text to and from bytes, as the specifications and fixture files write APDUs.
public enum HexBytes {
/// Uppercase hex of `bytes`, two digits each.
public static func string(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789ABCDEF".utf8)
    var out: [UInt8] = []
    for byte in bytes {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: out, as: UTF8.self)
}

/// Bytes from hex text (spaces allowed); nil when the text is not whole bytes of hex.
public static func parse(_ text: String) -> [UInt8]? {
    let nibbles = text.utf8.filter { $0 != 0x20 }
    guard nibbles.count % 2 == 0 else { return nil }
    var out: [UInt8] = []
    out.reserveCapacity(nibbles.count / 2)
    var high: UInt8?
    for character in nibbles {
        let value: UInt8
        switch character {
        case 0x30...0x39: value = character - 0x30
        case 0x41...0x46: value = character - 0x41 + 10
        case 0x61...0x66: value = character - 0x61 + 10
        default: return nil
        }
        if let first = high {
            out.append(first << 4 | value)
            high = nil
        } else {
            high = value
        }
    }
    return out
}
}
