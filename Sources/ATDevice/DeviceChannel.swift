import ATProtocol

/// The one way provisioning talks to a device: AT commands with deadlines, and unsolicited reports.
///
/// The station implements it over a serial-port AT session; tests implement it with scripted replies.
/// A later HiLink channel (the device's web API) would translate the same calls. Implementations run one
/// command at a time and must end every call by its deadline.
public protocol DeviceChannel: Sendable {
    /// Sends one command and returns its reply at the final result.
    ///
    /// - Parameter redacted: what logs and errors may show instead of the command, when it carries a secret.
    func execute(_ command: String, timeout: Duration, redacted: String?) async throws(ChannelError) -> ATResponse
    /// Returns the first unsolicited report with this name that arrived since the last discard, waiting up to `timeout`.
    func waitForUnsolicited(named name: String, timeout: Duration) async throws(ChannelError) -> ATUnsolicited
    /// Forgets buffered unsolicited reports with this name, so a later wait sees only new ones.
    func discardUnsolicited(named name: String) async
}

/// Why a channel call ended without a reply.
public enum ChannelError: Error, Sendable, Equatable {
    /// No final result (or report) before the deadline. The command text is already redacted.
    case timeout(command: String)
    /// The device went away (end of file, EIO, unplug).
    case deviceGone
    /// The reply grew past the framer's limit.
    case replyTooLarge(command: String)
    /// The channel was closed by the station.
    case closed
    /// Any other input/output failure, with its description.
    case io(String)
}
