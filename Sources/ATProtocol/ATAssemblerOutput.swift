/// What `ATResponseAssembler.consume(_:)` reports for a line.
public enum ATAssemblerOutput: Sendable, Equatable {
    /// A URC (`+CUSD:`, `^RSSI:`, `+CREG:` outside its own query, `RING`, ...).
    case unsolicited(ATUnsolicited)
    /// The final result of the in-flight command arrived; the reply is complete.
    case response(ATResponse)
    /// The reply exceeded `maxReplyBytes` (or a line overflowed); the command is over.
    case replyTooLarge(command: String)
}
