import ATDevice
import ATProtocol
import Provisioning
import SerialPort

/// The workflow's `DeviceChannel` over a serial-port AT session.
///
/// It only translates errors: the session already runs one command at a time, with deadlines, and keeps
/// unsolicited reports apart.
struct SerialChannel: DeviceChannel {
    let session: ATSession

    func execute(_ command: String, timeout: Duration, redacted: String?) async throws(ChannelError) -> ATResponse {
        do {
            return try await session.send(command, redacted: redacted, timeout: timeout)
        } catch {
            throw Self.map(error)
        }
    }

    func waitForUnsolicited(named name: String, timeout: Duration) async throws(ChannelError) -> ATUnsolicited {
        do {
            return try await session.waitForUnsolicited(named: name, timeout: timeout)
        } catch {
            throw Self.map(error)
        }
    }

    func discardUnsolicited(named name: String) async {
        await session.discardUnsolicited(named: name)
    }

    static func map(_ error: ATSessionError) -> ChannelError {
        switch error {
        case .timeout(let command): return .timeout(command: command)
        case .unsolicitedTimeout(let name): return .timeout(command: "waiting for \(name)")
        case .deviceGone: return .deviceGone
        case .replyTooLarge(let command): return .replyTooLarge(command: command)
        case .closed, .cancelled: return .closed
        case .io(let underlying): return .io(String(describing: underlying))
        }
    }
}

extension SerialChannel: FinalResultGraceChannel {
    func executeAllowingMissingFinal(_ command: String, timeout: Duration, redacted: String?, expecting: String,
                                     grace: Duration) async throws(ChannelError) -> ATResponse {
        do {
            return try await session.send(command, redacted: redacted, timeout: timeout, expecting: expecting, grace: grace)
        } catch {
            throw Self.map(error)
        }
    }
}
