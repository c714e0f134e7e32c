import ATProtocol

/// A channel that can take a reply without its final result, once the information line it waits for has arrived and
/// no final result followed within a grace (old Wavecom firmwares end `AT+CPIN?` with `+CPIN: READY` and no `OK`).
///
/// The station's serial channel implements it over `ATSession.send(_:redacted:timeout:expecting:grace:)`; a channel
/// that does not is asked for the final result as usual.
public protocol FinalResultGraceChannel: DeviceChannel {
    /// Sends one command; when a line starting with `expecting` has arrived and no final result follows within
    /// `grace`, returns the lines so far with the final result `.ok`.
    func executeAllowingMissingFinal(_ command: String, timeout: Duration, redacted: String?, expecting: String,
                                     grace: Duration) async throws(ChannelError) -> ATResponse
}

extension DeviceChannel {
    /// Sends one command, taking its reply without a final result after `grace` once the line starting with
    /// `expecting` has arrived, when the channel can (`FinalResultGraceChannel`) and a positive grace is given (the
    /// dialect's `finalResultGrace`); otherwise exactly `execute(_:timeout:redacted:)`.
    public func execute(_ command: String, timeout: Duration, redacted: String?, expecting: String?,
                        grace: Duration?) async throws(ChannelError) -> ATResponse {
        if let expecting, let grace, grace > .zero, let graceful = self as? any FinalResultGraceChannel {
            return try await graceful.executeAllowingMissingFinal(command, timeout: timeout, redacted: redacted,
                                                                  expecting: expecting, grace: grace)
        }
        return try await execute(command, timeout: timeout, redacted: redacted)
    }
}
