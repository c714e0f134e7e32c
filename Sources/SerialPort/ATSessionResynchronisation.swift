extension ATSession {
    /// The deadlines of `ATSession.resynchronise(_:)`: how a session brings a device's replies back in step with its
    /// commands, e.g. on a port whose previous holder was killed mid-command.
    ///
    /// The defaults suit USB modems: a device still answering an earlier holder usually finishes within a few hundred
    /// milliseconds, and a device that answers nothing costs at most `timeout` before the first command is sent.
    public struct Resynchronisation: Sendable, Equatable {
        /// How long the line must stay silent before the device is taken to have finished what it owed earlier
        /// holders, and, after the sync probe's `OK`, before that `OK` is taken as the probe's own.
        public var quietPeriod: Duration
        /// The longest time spent discarding input at the start while waiting for a quiet line (a chatty device
        /// then goes straight on to the probe).
        public var drainLimit: Duration
        /// The deadline of each command sent: `AT+CUSD=2` and every `AT` probe.
        public var commandTimeout: Duration
        /// The deadline of the whole resynchronisation, counted from its start.
        public var timeout: Duration

        /// Creates deadlines; every parameter has the production default.
        public init(
            quietPeriod: Duration = .milliseconds(150),
            drainLimit: Duration = .seconds(2),
            commandTimeout: Duration = .seconds(1),
            timeout: Duration = .seconds(3)
        ) {
            self.quietPeriod = quietPeriod
            self.drainLimit = drainLimit
            self.commandTimeout = commandTimeout
            self.timeout = timeout
        }
    }
}
