import ATProtocol
import Logging
import SerialPort
import Testing
import TestSupport

extension SerialPortTargetTests {
    /// `ATSession.send(_:redacted:timeout:expecting:grace:)` against a scripted modem on a real pseudo-terminal that,
    /// like the old Wavecom modems of python-gsmmodem's `WavecomMultiband900E1800` profile
    /// (https://github.com/faucamp/python-gsmmodem/blob/master/test/fakemodems.py), answers `AT+CPIN?` with
    /// `+CPIN: READY` and never an `OK`.
    @Suite struct ATSessionGraceTests {
        static let logger = Logger(label: "test.serial.grace")
        static let options = SerialPortOptions(lockDirectory: nil, allowPseudoTerminals: true)

        /// The Wavecom's answers: `+CPIN?` without a final result, the others as usual (identity with a leading
        /// space, as that profile records).
        static func wavecom(_ line: String) -> [FakeModem.Action] {
            switch line {
            case "AT+CPIN?": return [.send(reply("+CPIN: READY"))]
            case "AT+CGMI": return [.send(reply(" WAVECOM MODEM", "OK"))]
            case "AT+CIMI": return [.send(reply("001010123456789", "OK"))]
            case "AT+CMEE?": return [.send(reply("READY"))]  // an information line without the awaited prefix
            default: return [.send(reply("ERROR"))]
            }
        }

        private func withSession(
            script: @escaping @Sendable (String) -> [FakeModem.Action] = ATSessionGraceTests.wavecom,
            _ body: (ATSession, FakeModem) async throws -> Void
        ) async throws {
            try await withScriptedSession(script: script, options: Self.options, logger: Self.logger, body)
        }

        @Test func aReplyWithoutOKIsTakenAfterTheGraceAndTheSessionStaysInStep() async throws {
            try await withSession { session, _ in
                let started = ContinuousClock.now
                let response = try await session.send("AT+CPIN?", timeout: .seconds(5), expecting: "+CPIN", grace: .milliseconds(200))
                let elapsed = started.duration(to: .now)
                #expect(response.lines == ["+CPIN: READY"])
                #expect(response.final == .ok)
                #expect(elapsed >= .milliseconds(200))
                #expect(elapsed < .seconds(3))
                #expect(try ATParse.pinState(response.lines) == .ready)
                #expect(await session.repliesTakenWithoutFinal == 1)
                #expect(await session.consecutiveTimeouts == 0)

                let next = try await session.send("AT+CIMI", timeout: .seconds(5))
                #expect(next.lines == ["001010123456789"])
                #expect(next.isOK)
            }
        }

        @Test func withoutTheOptInTheSameReplyTimesOut() async throws {
            try await withSession { session, _ in
                await #expect(throws: ATSessionError.timeout(command: "AT+CPIN?")) {
                    _ = try await session.send("AT+CPIN?", timeout: .milliseconds(400))
                }
                // A prefix with no grace is no opt-in either.
                await #expect(throws: ATSessionError.timeout(command: "AT+CPIN?")) {
                    _ = try await session.send("AT+CPIN?", timeout: .milliseconds(400), expecting: "+CPIN", grace: .zero)
                }
                #expect(await session.repliesTakenWithoutFinal == 0)
            }
        }

        @Test func aFinalResultWithinTheGraceEndsTheReplyAsUsual() async throws {
            try await withSession(script: { line in
                line == "AT+CPIN?" ? [.send(reply("+CPIN: SIM PIN", "OK"))] : [.send(reply("+CME ERROR: 10"))]
            }) { session, _ in
                let response = try await session.send("AT+CPIN?", timeout: .seconds(5), expecting: "+CPIN", grace: .seconds(2))
                #expect(response.lines == ["+CPIN: SIM PIN"])
                #expect(await session.repliesTakenWithoutFinal == 0)
                // An error is never turned into a success.
                let refused = try await session.send("AT+CIMI", timeout: .seconds(5), expecting: "+CIMI", grace: .milliseconds(100))
                guard case .cme(let error) = refused.final else {
                    Issue.record("expected +CME ERROR, got \(refused.final)")
                    return
                }
                #expect(error.code == 10)
            }
        }

        @Test func anInformationLineWithoutTheAwaitedPrefixStillNeedsItsFinalResult() async throws {
            try await withSession { session, _ in
                await #expect(throws: ATSessionError.timeout(command: "AT+CMEE?")) {
                    _ = try await session.send("AT+CMEE?", timeout: .milliseconds(500), expecting: "+CMEE", grace: .milliseconds(50))
                }
                #expect(await session.repliesTakenWithoutFinal == 0)
            }
        }

        @Test func theDeadlineTakesTheReplyWhenTheGraceIsLonger() async throws {
            try await withSession { session, _ in
                let started = ContinuousClock.now
                let response = try await session.send("AT+CPIN?", timeout: .milliseconds(300), expecting: "+cpin", grace: .seconds(30))
                #expect(response.lines == ["+CPIN: READY"])
                #expect(started.duration(to: .now) < .seconds(5))
                #expect(await session.repliesTakenWithoutFinal == 1)
                #expect(await session.consecutiveTimeouts == 0)
            }
        }

        @Test func anOKArrivingAfterTheGraceIsDroppedNotGivenToTheNextCommand() async throws {
            try await withSession { session, modem in
                _ = try await session.send("AT+CPIN?", timeout: .seconds(5), expecting: "+CPIN", grace: .milliseconds(100))
                modem.inject(reply("OK"))
                #expect(await eventually { await session.strayFinalResults == 1 })
                let next = try await session.send("AT+CGMI", timeout: .seconds(5))
                #expect(next.lines == ["WAVECOM MODEM"])  // the framer trims the leading space
            }
        }
    }
}
