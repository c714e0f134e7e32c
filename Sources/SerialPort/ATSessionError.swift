/// Why an `ATSession` call did not produce its result.
///
/// Command texts in these cases are the *redacted* form when the caller gave one, so the error
/// can be logged and stored in the ledger without leaking voucher codes or Wi-Fi keys.
public enum ATSessionError: Error, Sendable, Equatable {
    /// The command's final result did not arrive before its deadline; the reply, if it comes, is dropped.
    case timeout(command: String)
    /// No unsolicited report with this name arrived before the deadline of `waitForUnsolicited`.
    case unsolicitedTimeout(name: String)
    /// The device went away (end of file, EIO, POLLHUP); the session is over.
    case deviceGone
    /// The reply exceeded the assembler's size limit; the command is over, its reply lost.
    case replyTooLarge(command: String)
    /// The session was closed by its owner before or while the call ran.
    case closed
    /// The calling task was cancelled; a command already written is abandoned like a timeout.
    case cancelled
    /// A serial-port failure other than a hangup (e.g. a write error).
    case io(SerialPortError)
}
