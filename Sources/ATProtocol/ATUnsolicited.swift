/// An unsolicited result code (URC): a line that does not belong to the command in flight.
public struct ATUnsolicited: Sendable, Equatable {
    /// The report's name: its prefix (`+CUSD`, `^RSSI`, `+CREG`) or the whole line (`RING`).
    public var name: String
    /// The complete line as received.
    public var line: String

    /// Creates an unsolicited report.
    public init(name: String, line: String) {
        self.name = name
        self.line = line
    }
}
