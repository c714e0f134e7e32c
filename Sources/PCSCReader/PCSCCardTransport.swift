import CPCSCLite
import SIMCard

/// `APDUTransport` over a connected PC/SC card handle. Used only on the thread that connected it.
struct PCSCCardTransport: APDUTransport {
    /// The context the card was connected in (this thread's own).
    let context: SCARDCONTEXT
    /// The reader's name.
    let reader: String
    /// The card handle from `SCardConnect`.
    let card: SCARDHANDLE
    /// The protocol `SCardConnect` negotiated (`SCARD_PROTOCOL_T0` or `SCARD_PROTOCOL_T1`).
    let proto: DWORD

    /// Room for any answer pcsc-lite can give (an extended APDU), so an oversized answer reaches the parser and is
    /// refused there with its size rather than failing as a buffer error.
    static let receiveCapacity = 4 + 3 + (1 << 16) + 3 + 2

    func transmit(_ command: [UInt8]) throws(SIMCardError) -> [UInt8] {
        var received = [UInt8](repeating: 0, count: Self.receiveCapacity)
        var length = DWORD(received.count)
        let status: Int = withUnsafePointer(to: proto == DWORD(SCARD_PROTOCOL_T1) ? g_rgSCardT1Pci : g_rgSCardT0Pci) { pci in
            command.withUnsafeBufferPointer { sendBuffer in
                received.withUnsafeMutableBufferPointer { receiveBuffer in
                    SCardTransmit(card, pci, sendBuffer.baseAddress, DWORD(sendBuffer.count), nil,
                                  receiveBuffer.baseAddress, &length)
                }
            }
        }
        let result = PCSCStatus(status)
        guard result.isSuccess else { throw result.cardError }
        if length < 2, cardIsGone() {
            // Some reader drivers (vpcd among them) answer an empty success when the card left mid-command.
            throw .cardRemoved
        }
        return Array(received.prefix(Int(length)))
    }

    /// Whether the card has left the reader, from `SCardStatus`.
    private func cardIsGone() -> Bool {
        var readerLength: DWORD = 0
        var state: DWORD = 0
        var activeProtocol: DWORD = 0
        var atrLength: DWORD = 0
        let status = PCSCStatus(SCardStatus(card, nil, &readerLength, &state, &activeProtocol, nil, &atrLength))
        if status.cardError == .cardRemoved || status.cardError == .readerGone { return true }
        if status.isSuccess && state & DWORD(SCARD_ABSENT) != 0 { return true }
        // The driver may learn of the removal a moment after the empty answer: wait for the reader's next state
        // change, up to `removalWait`, rather than guessing.
        return reader.withCString { name -> Bool in
            var entry = SCARD_READERSTATE()
            entry.szReader = name
            entry.dwCurrentState = DWORD(SCARD_STATE_UNAWARE)
            guard PCSCStatus(SCardGetStatusChange(context, 0, &entry, 1)).isSuccess else { return false }
            if entry.dwEventState & DWORD(SCARD_STATE_EMPTY) != 0 { return true }
            entry.dwCurrentState = entry.dwEventState & ~DWORD(SCARD_STATE_CHANGED)
            guard PCSCStatus(SCardGetStatusChange(context, Self.removalWaitMilliseconds, &entry, 1)).isSuccess else { return false }
            return entry.dwEventState & DWORD(SCARD_STATE_EMPTY) != 0
        }
    }

    /// How long an empty answer waits for the reader to report the card gone before it is taken as garbage.
    static let removalWaitMilliseconds: DWORD = 3000
}
