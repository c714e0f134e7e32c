import ATProtocol
import DeviceCatalog
import FailureCodes
import Provisioning

extension DeviceChannel {
    /// One USSD exchange: `request` (a code such as `*100#`) encoded as the dialect sends it, then the network's
    /// `+CUSD` reply, within `replyTimeout`. A menu the network opens unasked is closed again.
    ///
    /// Failures: `ussd-invalid`, `ussd-refused-by-device`, `ussd-malformed`, or the channel's (`device-timeout`,
    /// `device-gone`, …). The AT driver's `ussd` is this exchange, so the workflow and the settlement by balance send and
    /// read USSD the same way.
    public func ussd(_ request: String, dialect: DeviceDialect, replyTimeout: Duration, redacted: String?,
                     accepting isOwnReply: @Sendable (USSDReply) -> Bool = { _ in true }) async throws(DriverFailure) -> USSDReply {
        let command: String
        do {
            command = try ATCommand.ussd(request, encoding: dialect.ussdEncoding)
        } catch {
            throw DriverFailure(code: .ussdInvalid, message: "The USSD request is not allowed on the wire.")
        }
        return try await ussd(command: command, dialect: dialect, replyTimeout: replyTimeout, redacted: redacted,
                              accepting: isOwnReply)
    }

    /// The same exchange for an `AT+CUSD` command already built (a recharge, whose code is shown `redacted`).
    ///
    /// A `+CUSD` carries no request id: a reply the network owed an earlier request (a balance asked by a process
    /// that was killed, a dialogue a previous holder of the port left) can arrive while this one waits. `isOwnReply`
    /// says which replies can answer this request; the others are skipped (counted in the error if none comes) and
    /// the wait goes on until `replyTimeout`.
    public func ussd(command: String, dialect: DeviceDialect, replyTimeout: Duration, redacted: String?,
                     accepting isOwnReply: @Sendable (USSDReply) -> Bool = { _ in true }) async throws(DriverFailure) -> USSDReply {
        await discardUnsolicited(named: "+CUSD")
        let response: ATResponse
        do {
            response = try await execute(command, timeout: dialect.timeout("ussd"), redacted: redacted)
        } catch {
            throw DriverFailure(code: error.failureCode, message: error.sentence)
        }
        guard response.isOK else {
            throw DriverFailure(code: .ussdRefusedByDevice, message: "the device answered \(response.final.shownText)")
        }
        let deadline = ContinuousClock.now + replyTimeout
        var skipped = 0
        var reply: USSDReply
        while true {
            let report: ATUnsolicited
            do {
                report = try await waitForUnsolicited(named: "+CUSD", timeout: max(.zero, deadline - .now))
            } catch {
                let note = skipped > 0 ? " (\(skipped) reply(ies) owed to an earlier request were skipped)" : ""
                throw DriverFailure(code: error.failureCode, message: error.sentence + note)
            }
            do {
                reply = try ATParse.ussd(report.line, hint: .init(requestEncoding: dialect.ussdEncoding))
            } catch {
                throw DriverFailure(code: .ussdMalformed, message: "the network's reply could not be parsed")
            }
            if isOwnReply(reply) { break }
            skipped += 1
        }
        if reply.status == 1 {
            // The network opened a menu we did not ask for: close the session so the device is free.
            _ = try? await execute(ATCommand.ussdCancel, timeout: dialect.timeout("default"), redacted: nil)
        }
        return reply
    }
}

extension ChannelError {
    /// The workflow's stable failure code for this channel error.
    public var failureCode: FailureCode {
        switch self {
        case .timeout: return .deviceTimeout
        case .deviceGone: return .deviceGone
        case .replyTooLarge: return .replyTooLarge
        case .closed: return .channelClosed
        case .io: return .deviceIO
        }
    }

    /// A sentence for people.
    public var sentence: String {
        switch self {
        case .timeout(let command): return "no answer to \(command) in time"
        case .deviceGone: return "the device went away"
        case .replyTooLarge(let command): return "the reply to \(command) was too large"
        case .closed: return "the channel was closed"
        case .io(let message): return message
        }
    }
}

extension ATFinalResult {
    /// The final result as the device wrote it (`+CME ERROR` with its text).
    public var shownText: String {
        switch self {
        case .ok: return "OK"
        case .error: return "ERROR"
        case .cme(let error): return "+CME ERROR: \(error.message)"
        case .cms(let error): return "+CMS ERROR: \(error.message)"
        case .noCarrier: return "NO CARRIER"
        case .busy: return "BUSY"
        case .noAnswer: return "NO ANSWER"
        case .noDialtone: return "NO DIALTONE"
        case .commandNotSupported: return "COMMAND NOT SUPPORT"
        }
    }
}
