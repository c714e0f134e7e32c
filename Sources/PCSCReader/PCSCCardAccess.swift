import CPCSCLite
import OwnThread
import SIMCard

/// Reads the SIM in a named reader, or makes one PIN attempt on it, each on a thread of its own with a PC/SC
/// context of its own (pcsc-lite contexts are not shared between threads).
///
/// The card is connected shared and held in a PC/SC transaction for the whole read, so another program cannot
/// interleave its commands. A card pulled or a reader unplugged mid-read ends the read with `cardRemoved` or
/// `readerGone`: pcsc-lite fails the transmit in flight, nothing waits.
public struct PCSCCardAccess: Sendable {
    /// Creates card access.
    public init() {}

    /// Reads family, ICCID, PIN state and IMSI (when no PIN is needed) of the card in `reader`.
    public func read(reader: String) async -> Result<SIMCardReading, SIMCardError> {
        await onOwnThread(reader: reader) { transport throws(SIMCardError) in
            try SIMCardInspector(transport: transport).read()
        }
    }

    /// Makes exactly one PIN attempt on the card in `reader` (see `SIMCardInspector.attemptPIN`).
    public func attemptPIN(_ pin: String, reader: String) async -> Result<SIMPINAttempt, SIMCardError> {
        await onOwnThread(reader: reader) { transport throws(SIMCardError) in
            try SIMCardInspector(transport: transport).attemptPIN(pin)
        }
    }

    private func onOwnThread<T: Sendable>(
        reader: String, _ work: @escaping @Sendable (PCSCCardTransport) throws(SIMCardError) -> T
    ) async -> Result<T, SIMCardError> {
        let outcome = await OwnThread.run { () -> Result<T, SIMCardError> in
            Self.withConnectedCard(reader: reader, work)
        }
        switch outcome {
        case .success(let result): return result
        case .failure(let failure): return .failure(.transport("no thread for the card read (errno \(failure.code))"))
        }
    }

    /// Establishes a context, connects to the card in `reader`, runs `work` inside a transaction, and releases all.
    private static func withConnectedCard<T>(
        reader: String, _ work: (PCSCCardTransport) throws(SIMCardError) -> T
    ) -> Result<T, SIMCardError> {
        var context: SCARDCONTEXT = 0
        let established = PCSCStatus(SCardEstablishContext(DWORD(SCARD_SCOPE_SYSTEM), nil, nil, &context))
        guard established.isSuccess else { return .failure(.transport(established.description)) }
        defer { SCardReleaseContext(context) }
        var card: SCARDHANDLE = 0
        var proto: DWORD = 0
        let connected = PCSCStatus(SCardConnect(context, reader, DWORD(SCARD_SHARE_SHARED),
                                                DWORD(SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1), &card, &proto))
        guard connected.isSuccess else { return .failure(connected.cardError) }
        defer { SCardDisconnect(card, DWORD(SCARD_LEAVE_CARD)) }
        let began = PCSCStatus(SCardBeginTransaction(card))
        guard began.isSuccess else { return .failure(began.cardError) }
        defer { SCardEndTransaction(card, DWORD(SCARD_LEAVE_CARD)) }
        do throws(SIMCardError) {
            return .success(try work(PCSCCardTransport(context: context, reader: reader, card: card, proto: proto)))
        } catch {
            return .failure(error)
        }
    }
}
