import CPCSCLite
import SIMCard

/// A pcsc-lite return code (`LONG`, 64 bits on Linux) and what it means to the station.
///
/// The `SCARD_E_*` macros are casts, which Swift does not import, so the values the station acts on are
/// spelled here (pcsclite.h, pcsc-lite 1.9).
public struct PCSCStatus: Error, Sendable, Equatable, CustomStringConvertible {
    /// The raw return code.
    public var code: Int

    /// Wraps a return code.
    public init(_ code: Int) {
        self.code = code
    }

    static let success = 0
    static let cancelled = 0x8010_0002
    static let invalidHandle = 0x8010_0003
    static let unknownReader = 0x8010_0009
    static let timeout = 0x8010_000A
    static let noSmartcard = 0x8010_000C
    static let readerUnavailable = 0x8010_0017
    static let noService = 0x8010_001D
    static let serviceStopped = 0x8010_001E
    static let noReadersAvailable = 0x8010_002E
    static let unpoweredCard = 0x8010_0067
    static let resetCard = 0x8010_0068
    static let removedCard = 0x8010_0069

    /// Whether the call succeeded.
    public var isSuccess: Bool { code == Self.success }

    /// pcsc-lite's name for the code (`SCARD_W_REMOVED_CARD`-style text).
    public var description: String {
        guard let text = pcsc_stringify_error(code) else { return "PC/SC error \(code)" }
        return String(cString: text) + " (0x" + String(UInt32(truncatingIfNeeded: code), radix: 16) + ")"
    }

    /// Whether pcscd itself is gone or not running.
    public var isServiceDown: Bool { code == Self.noService || code == Self.serviceStopped }

    /// The card-level failure this code means during a read.
    public var cardError: SIMCardError {
        switch code {
        case Self.removedCard, Self.noSmartcard, Self.resetCard, Self.unpoweredCard: .cardRemoved
        case Self.readerUnavailable, Self.unknownReader, Self.invalidHandle: .readerGone
        default: .transport(description)
        }
    }
}
