import ATProtocol
import Glibc
import Logging
import SerialPort
import Testing
import TestSupport

extension SerialPortTargetTests {
    /// Behaviour of `ATSession` against a scripted modem on a real pseudo-terminal.
    @Suite struct ATSessionTests {
        static let logger = Logger(label: "test.serial")
        static let options = SerialPortOptions(lockDirectory: nil, allowPseudoTerminals: true)

        private func withSession(
            script: @escaping @Sendable (String) -> [FakeModem.Action],
            _ body: (ATSession, FakeModem) async throws -> Void
        ) async throws {
            try await withScriptedSession(script: script, options: Self.options, logger: Self.logger, body)
        }

        @Test func simpleCommandReturnsInformationLinesAndFinalResult() async throws {
            try await withSession(script: { line in
                line == "AT+CGMM" ? [.send(reply("E5573", "OK"))] : [.send(reply("ERROR"))]
            }) { session, modem in
                let response = try await session.send("AT+CGMM", timeout: .seconds(5))
                #expect(response.lines == ["E5573"])
                #expect(response.final == .ok)
                #expect(response.command == "AT+CGMM")
                let failed = try await session.send("AT+BOGUS", timeout: .seconds(5))
                #expect(failed.final == .error)
                #expect(failed.lines.isEmpty)
                #expect(modem.commands == ["AT+CGMM", "AT+BOGUS"])
            }
        }

        @Test func echoedCommandIsNotReturnedAsInformation() async throws {
            try await withSession(script: { line in
                [.send(line + "\r" + reply("861234567890123", "OK"))]
            }) { session, _ in
                let response = try await session.send("AT+CGSN", timeout: .seconds(5))
                #expect(response.lines == ["861234567890123"])
                #expect(response.isOK)
            }
        }

        @Test func unsolicitedReportsInsideAndAfterAReplyGoToWaiters() async throws {
            try await withSession(script: { _ in
                [.send(reply("^ICCID: 89330123456789012345", "^RSSI: 17", "OK", "^BOOT:12345,0,0,0,6"))]
            }) { session, _ in
                let response = try await session.send("AT^ICCID?", timeout: .seconds(5))
                #expect(response.lines == ["^ICCID: 89330123456789012345"])
                let rssi = try await session.waitForUnsolicited(named: "^RSSI", timeout: .seconds(5))
                #expect(rssi.line == "^RSSI: 17")
                let boot = try await session.waitForUnsolicited(named: "^BOOT", timeout: .seconds(5))
                #expect(boot.line == "^BOOT:12345,0,0,0,6")
            }
        }

        @Test func ussdReplyArrivingBeforeOKIsReturnedByALaterWait() async throws {
            try await withSession(script: { line in
                if line == "AT" { return [.send(reply("OK"))] }
                return [.send(reply("+CUSD: 0,\"Recharge OK, balance 10.00\",15", "OK"))]
            }) { session, modem in
                // An old report from an earlier session, seen before the command: must not be returned.
                modem.inject(reply("+CUSD: 2"))
                _ = try await session.send("AT", timeout: .seconds(5))  // its OK comes after the stale URC
                await session.discardUnsolicited(named: "+CUSD")
                let response = try await session.send("AT+CUSD=1,\"*100*12345678901234#\",15",
                                                      redacted: "AT+CUSD=1,<voucher>,15", timeout: .seconds(5))
                #expect(response.isOK)
                #expect(response.command == "AT+CUSD=1,<voucher>,15")
                let ussd = try await session.waitForUnsolicited(named: "+CUSD", timeout: .seconds(5))
                #expect(ussd.line == "+CUSD: 0,\"Recharge OK, balance 10.00\",15")
            }
        }

        @Test func unsolicitedWaitTimesOutAtItsDeadline() async throws {
            try await withSession(script: { _ in [] }) { session, _ in
                let started = ContinuousClock.now
                await #expect(throws: ATSessionError.unsolicitedTimeout(name: "+CUSD")) {
                    _ = try await session.waitForUnsolicited(named: "+CUSD", timeout: .milliseconds(200))
                }
                let elapsed = started.duration(to: .now)
                #expect(elapsed >= .milliseconds(200))
                #expect(elapsed < .seconds(2))
            }
        }

        @Test func lateReplyOfATimedOutCommandIsNotTakenAsTheNextReply() async throws {
            try await withSession(script: { line in
                line == "AT+CGMI" ? [.send(reply("huawei", "OK"))] : []  // AT+SLOW: no answer in time
            }) { session, modem in
                let started = ContinuousClock.now
                await #expect(throws: ATSessionError.timeout(command: "AT+SLOW")) {
                    _ = try await session.send("AT+SLOW", timeout: .milliseconds(300))
                }
                #expect(started.duration(to: .now) >= .milliseconds(300))
                #expect(await session.consecutiveTimeouts == 1)

                modem.inject(reply("slow result", "OK"))
                #expect(await eventually { await session.strayFinalResults == 1 })

                let response = try await session.send("AT+CGMI", timeout: .seconds(5))
                #expect(response.lines == ["huawei"])
                #expect(await session.consecutiveTimeouts == 0)
            }
        }

        /// A modem that holds a command's final result past our deadline (the `OK` of `AT+CUSD=1,…` before the
        /// network answers) sends it while the next command is in flight: it is dropped, not taken for that reply.
        @Test func lateFinalResultArrivingDuringTheNextCommandIsNotItsReply() async throws {
            try await withSession(script: { line in
                switch line {
                case "AT+CFUN=1": return [.send(reply("ERROR")), .send(reply("OK"))]  // the USSD's late ERROR, then its own
                case "AT+CSQ": return [.send(reply("ERROR")), .send(reply("+CSQ: 20,99", "OK"))]
                case "AT+CGMI": return [.send(reply("huawei", "OK"))]
                default: return []  // the USSD request: its OK is held past the deadline
                }
            }) { session, _ in
                let ussd = "AT+CUSD=1,\"*100#\",15"
                await #expect(throws: ATSessionError.timeout(command: ussd)) {
                    _ = try await session.send(ussd, timeout: .milliseconds(200))
                }
                let set = try await session.send("AT+CFUN=1", timeout: .seconds(5))
                #expect(set.final == .ok && set.lines.isEmpty)
                #expect(await session.strayFinalResults == 1)
                // Paid: the next bare final result is a reply again (nothing is owed any more).
                let identity = try await session.send("AT+CGMI", timeout: .seconds(5))
                #expect(identity.lines == ["huawei"] && identity.isOK)

                await #expect(throws: ATSessionError.timeout(command: ussd)) {
                    _ = try await session.send(ussd, timeout: .milliseconds(200))
                }
                let signal = try await session.send("AT+CSQ", timeout: .seconds(5))
                #expect(signal.lines == ["+CSQ: 20,99"] && signal.isOK)
                #expect(await session.strayFinalResults == 2)
            }
        }

        /// A device that dropped the timed-out command owes nothing: the next command loses its `OK` once and times
        /// out, and the session is back in step after that (no endless shift of replies).
        @Test func aDroppedCommandCostsTheNextBareCommandOneTimeoutAndNoMore() async throws {
            try await withSession(script: { line in
                switch line {
                case "AT+CFUN=1", "AT+CFUN=0": return [.send(reply("OK"))]
                case "AT+CGMI": return [.send(reply("huawei", "OK"))]
                default: return []
                }
            }) { session, _ in
                let ussd = "AT+CUSD=1,\"*100#\",15"
                await #expect(throws: ATSessionError.timeout(command: ussd)) {
                    _ = try await session.send(ussd, timeout: .milliseconds(200))
                }
                await #expect(throws: ATSessionError.timeout(command: "AT+CFUN=1")) {
                    _ = try await session.send("AT+CFUN=1", timeout: .milliseconds(300))
                }
                let next = try await session.send("AT+CFUN=0", timeout: .seconds(5))
                #expect(next.final == .ok)
                let identity = try await session.send("AT+CGMI", timeout: .seconds(5))
                #expect(identity.lines == ["huawei"])
            }
        }

        /// Other commands that time out usually never answer (hung firmware, a lost line): they owe nothing, and the
        /// next bare command gets its own `OK` at once.
        @Test func aTimedOutCommandOtherThanUSSDOwesNothing() async throws {
            try await withSession(script: { line in
                line == "AT+CFUN=1" ? [.send(reply("OK"))] : []
            }) { session, _ in
                await #expect(throws: ATSessionError.timeout(command: "AT+CGMR")) {
                    _ = try await session.send("AT+CGMR", timeout: .milliseconds(200))
                }
                let next = try await session.send("AT+CFUN=1", timeout: .seconds(5))
                #expect(next.final == .ok)
                #expect(await session.strayFinalResults == 0)
            }
        }

        @Test func timeoutErrorShowsOnlyTheRedactedCommand() async throws {
            try await withSession(script: { _ in [] }) { session, _ in
                let secret = "AT^WIKEY=0,\"correct horse battery\""
                do throws(ATSessionError) {
                    _ = try await session.send(secret, redacted: "AT^WIKEY=0,<key>", timeout: .milliseconds(100))
                    Issue.record("expected a timeout")
                } catch {
                    #expect(error == .timeout(command: "AT^WIKEY=0,<key>"))
                    #expect(!"\(error)".contains("horse"))
                }
            }
        }

        @Test func consecutiveTimeoutsAreCounted() async throws {
            try await withSession(script: { _ in [] }) { session, _ in
                for expected in 1...3 {
                    await #expect(throws: ATSessionError.timeout(command: "AT")) {
                        _ = try await session.send("AT", timeout: .milliseconds(50))
                    }
                    #expect(await session.consecutiveTimeouts == expected)
                }
            }
        }

        @Test func concurrentSendsAreWrittenOneAfterTheOther() async throws {
            try await withSession(script: { line in
                line == "AT+TWO" ? [.send(reply("+TWO: 2", "OK"))] : []  // AT+ONE is answered by the test
            }) { session, modem in
                let first = Task { try await session.send("AT+ONE", timeout: .seconds(10)) }
                #expect(await eventually { modem.commands == ["AT+ONE"] })
                let second = Task { try await session.send("AT+TWO", timeout: .seconds(10)) }
                #expect(await eventually { await session.queuedCommands == 1 })
                // The second command waits while the first is in flight.
                #expect(modem.commands == ["AT+ONE"])

                modem.inject(reply("+ONE: 1", "OK"))
                let firstResponse = try await first.value
                let secondResponse = try await second.value
                #expect(firstResponse.lines == ["+ONE: 1"])
                #expect(secondResponse.lines == ["+TWO: 2"])
                #expect(modem.commands == ["AT+ONE", "AT+TWO"])
            }
        }

        @Test func hangupDuringACommandFailsItPromptly() async throws {
            try await withSession(script: { line in
                line == "AT+CFUN=1,1" ? [.hangUp] : [.send(reply("OK"))]
            }) { session, _ in
                let urcWait = Task { try await session.waitForUnsolicited(named: "+CUSD", timeout: .seconds(30)) }
                let started = ContinuousClock.now
                await #expect(throws: ATSessionError.deviceGone) {
                    _ = try await session.send("AT+CFUN=1,1", timeout: .seconds(30))
                }
                #expect(started.duration(to: .now) < .seconds(1))
                #expect(await session.isGone)
                await #expect(throws: ATSessionError.deviceGone) { _ = try await urcWait.value }
                await #expect(throws: ATSessionError.deviceGone) {
                    _ = try await session.send("AT", timeout: .seconds(1))
                }
            }
        }

        @Test func closeFailsTheCommandInFlight() async throws {
            try await withSession(script: { _ in [] }) { session, modem in
                let pending = Task { try await session.send("AT+SLOW", timeout: .seconds(30)) }
                #expect(await eventually { modem.commands == ["AT+SLOW"] })
                await session.close()
                await #expect(throws: ATSessionError.closed) { _ = try await pending.value }
                #expect(await session.isGone == false)
                await #expect(throws: ATSessionError.closed) {
                    _ = try await session.send("AT", timeout: .seconds(1))
                }
            }
        }

        @Test func cancelledCommandIsAbandonedAndTheNextOneWorks() async throws {
            try await withSession(script: { line in
                line == "AT" ? [.send(reply("OK"))] : []
            }) { session, modem in
                let pending = Task { try await session.send("AT+SLOW", timeout: .seconds(30)) }
                #expect(await eventually { modem.commands == ["AT+SLOW"] })
                pending.cancel()
                await #expect(throws: ATSessionError.cancelled) { _ = try await pending.value }
                let response = try await session.send("AT", timeout: .seconds(5))
                #expect(response.isOK)
            }
        }

        @Test func oversizedReplyFailsWithReplyTooLarge() async throws {
            let bigLine = String(repeating: "x", count: 1000)
            try await withSession(script: { line in
                line == "AT+BIG" ? [.send(String(repeating: "\r\n\(bigLine)\r\n", count: 20) + reply("OK"))] : [.send(reply("OK"))]
            }) { session, _ in
                await #expect(throws: ATSessionError.replyTooLarge(command: "AT+BIG")) {
                    _ = try await session.send("AT+BIG", timeout: .seconds(5))
                }
                let response = try await session.send("AT", timeout: .seconds(5))
                #expect(response.isOK)
            }
        }

        @Test func unsolicitedReportsAreOfferedToObservers() async throws {
            try await withSession(script: { _ in [.send(reply("OK"))] }) { session, modem in
                var iterator = session.unsolicitedReports.makeAsyncIterator()
                modem.inject(reply("^RSSI: 20"))
                let report = await iterator.next()
                #expect(report == ATUnsolicited(name: "^RSSI", line: "^RSSI: 20"))
                // The observer does not consume it for waiters.
                let waited = try await session.waitForUnsolicited(named: "^rssi", timeout: .seconds(5))
                #expect(waited.line == "^RSSI: 20")
            }
        }

        /// Opens a session, retrying briefly on `.busy`: a test elsewhere in this process that spawns a child shares the
        /// previous open's file description (and its flock) between fork and exec, for a few milliseconds at most.
        static func openRetryingWhileForked(_ path: String) async throws -> ATSession {
            var attempt = 0
            while true {
                let failure: SerialPortError
                do {
                    return try ATSession(path: path, options: options, logger: logger)
                } catch {
                    failure = error
                }
                guard failure.code == .busy, attempt < 100 else { throw failure }
                attempt += 1
                try await Task.sleep(for: .milliseconds(10))
            }
        }

        @Test func noDescriptorLeaksAfterManyOpenCloseCycles() async throws {
            let modem = try FakeModem(script: { _ in [.send(reply("OK"))] })
            defer { modem.stop() }
            let before = openDescriptorCount()
            for cycle in 0..<100 {
                let session = try await Self.openRetryingWhileForked(modem.slavePath)
                if cycle % 10 == 0 {
                    let response = try await session.send("AT", timeout: .seconds(5))
                    #expect(response.isOK)
                }
                await session.close()
            }
            // Other suites in the same test process open and close descriptors concurrently, so the count is noisy
            // by a few; a leak of one descriptor per cycle would add at least 100.
            #expect(openDescriptorCount() - before < 30)
        }
    }
}
