/// Carries one APDU to a card and back: the only I/O the SIM logic needs.
///
/// The PC/SC adapter implements it over `SCardTransmit` on its reader's own thread; tests implement it with
/// recorded exchanges. It returns the raw answer (data + SW1 SW2) exactly as the reader gave it.
public protocol APDUTransport {
    /// Sends `command` and returns the card's raw answer.
    func transmit(_ command: [UInt8]) throws(SIMCardError) -> [UInt8]
}

/// Runs one logical command to completion over T=0: fetches announced data with GET RESPONSE (`61xx` for a UICC,
/// `9Fxx` for a GSM SIM) and resends with the length the card asks for (`6Cxx`, `67xx`). No reader driver does
/// this; the client must.
///
/// Bounds everything a card can make it do: at most `maximumSteps` exchanges per command and `maximumTotal` bytes
/// of gathered data, so a hostile card cannot keep the reader thread or memory.
public struct APDUExchange<Transport: APDUTransport> {
    /// The transport commands go over.
    public let transport: Transport
    /// The most exchanges one command may take (the command, GET RESPONSEs and resends together).
    public let maximumSteps: Int
    /// The most data bytes one command may gather.
    public let maximumTotal: Int

    /// Creates an exchange over `transport`.
    public init(transport: Transport, maximumSteps: Int = 8, maximumTotal: Int = 4096) {
        self.transport = transport
        self.maximumSteps = maximumSteps
        self.maximumTotal = maximumTotal
    }

    /// Sends `command` and follows the card's requests until it gives a final status word; `during` names the
    /// step in errors (`SELECT EF_ICCID`). Status words of the other class's family are refused as out of sequence.
    public func run(_ command: APDUCommand, during: String) throws(SIMCardError) -> APDUResponse {
        let isGSMClass = command.cla == 0xA0
        var current = command
        var gathered: [UInt8] = []
        for _ in 0..<maximumSteps {
            let response = try APDUResponse(parsing: transport.transmit(current.bytes))
            let status = response.status
            let announced = status.sw2 == 0 ? 256 : Int(status.sw2)
            switch status.sw1 {
            case 0x61, 0x9F:
                // 61xx is UICC's way, 9Fxx GSM's (TS 51.011 §9.4.1); the other family's word is out of sequence.
                guard (status.sw1 == 0x9F) == isGSMClass else {
                    throw .unexpectedStatus(status, during: during)
                }
                gathered += response.data
                current = APDUCommand(cla: command.cla, ins: APDUInstruction.getResponse, p1: 0, p2: 0,
                                      expectedLength: announced)
            case 0x6C:
                // Wrong Le; the card says the right one. Data sent with it (if any) is not part of the answer.
                current = current.withExpectedLength(announced)
            case 0x67 where status.sw2 != 0 && current.data.isEmpty && current.expectedLength != nil:
                // GSM 51.011 §9.4.6: 67XX gives the correct P3 when XX is not 00.
                current = current.withExpectedLength(announced)
            default:
                gathered += response.data
                guard gathered.count <= maximumTotal else { throw .responseTooLong(gathered.count) }
                return APDUResponse(data: gathered, status: status)
            }
            guard gathered.count <= maximumTotal else { throw .responseTooLong(gathered.count) }
        }
        throw .endlessChain
    }
}
