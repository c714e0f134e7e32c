/// The complete reply to one command: its information lines and its final result.
public struct ATResponse: Sendable, Equatable {
    /// The command text as passed to `ATResponseAssembler.begin(command:)`.
    public var command: String
    /// Information lines in arrival order, without echo and without unsolicited reports.
    public var lines: [String]
    /// The final result that ended the reply.
    public var final: ATFinalResult

    /// Creates a response.
    public init(command: String, lines: [String], final: ATFinalResult) {
        self.command = command
        self.lines = lines
        self.final = final
    }

    /// True when the final result is `OK`.
    public var isOK: Bool { final == .ok }
}
