import ATProtocol
import Glibc
import Logging
import SerialPort
import Synchronization
import Testing
import TestSupport

/// What a device still owes the previous holder of its port (a process killed mid-command): replies sent at given
/// delays after `pay(to:)` starts. A device answers in order, so its script holds the replies to the new holder's
/// commands (`waitUntilPaid()`) until all of it was sent.
final class PreviousHolderDebt: Sendable {
    struct Reply: Sendable {
        var after: Duration
        var text: String
    }

    private let replies: [Reply]
    private let paid = Atomic<Bool>(false)

    init(_ replies: [Reply]) {
        self.replies = replies
    }

    /// Sends every owed reply at its time, counted from this call.
    func pay(to modem: FakeModem) async {
        let started = ContinuousClock.now
        for reply in replies {
            try? await Task.sleep(until: started.advanced(by: reply.after), clock: .continuous)
            modem.inject(reply.text)
        }
        paid.store(true, ordering: .releasing)
    }

    /// Blocks the responder thread until everything owed was sent (at most 10 s).
    func waitUntilPaid() {
        let limit = ContinuousClock.now.advanced(by: .seconds(10))
        while !paid.load(ordering: .acquiring), ContinuousClock.now < limit {
            usleep(1000)
        }
    }
}

extension SerialPortTargetTests {
    /// A port opened while the device still answers its previous holder: the session resynchronises before its first
    /// command, so that command gets its own reply and a previous holder's `+CUSD` never reaches a waiter.
    @Suite struct ATSessionResyncTests {
        static let logger = Logger(label: "test.serial")
        static let options = SerialPortOptions(lockDirectory: nil, allowPseudoTerminals: true)
        static let imei = "861234567890123"

        /// Runs `body` on a session opened on a scripted device that first pays `debt`, started right after the open.
        private func withSessionOwing(
            _ debt: PreviousHolderDebt,
            script: @escaping @Sendable (String) -> [FakeModem.Action],
            _ body: (ATSession, FakeModem) async throws -> Void
        ) async throws {
            let modem = try FakeModem(script: { line in
                debt.waitUntilPaid()
                return script(line)
            })
            defer { modem.stop() }
            let session = try ATSession(path: modem.slavePath, options: Self.options, logger: Self.logger)
            let paying = Task { await debt.pay(to: modem) }
            do {
                try await body(session, modem)
            } catch {
                await paying.value
                await session.close()
                throw error
            }
            await paying.value
            await session.close()
        }

        /// Answers the commands of these tests like a modem with no USSD dialogue open.
        private static func answer(_ line: String) -> [FakeModem.Action] {
            switch line {
            case "AT": return [.send(reply("OK"))]
            case "AT+CGSN": return [.send(reply(imei, "OK"))]
            case "AT+CGMI": return [.send(reply("huawei", "OK"))]
            case "AT+CUSD=2": return [.send(reply("ERROR"))]  // no dialogue open
            case "AT+CUSD=1,\"*100#\",15": return [.send(reply("OK")), .send(reply("+CUSD: 0,\"Solde internet: 12 Mo\",15"))]
            default: return [.send(reply("ERROR"))]
            }
        }

        @Test func staleOKAndUSSDReportOfAPreviousHolderAreNotTakenByTheNewSession() async throws {
            let debt = PreviousHolderDebt([
                .init(after: .milliseconds(50), text: reply("OK")),
                .init(after: .milliseconds(100), text: reply("+CUSD: 0,\"Solde internet: 0 Mo\",15")),
            ])
            try await withSessionOwing(debt, script: Self.answer) { session, _ in
                let identity = try await session.send("AT+CGSN", timeout: .seconds(5))
                #expect(identity.lines == [Self.imei])
                #expect(identity.isOK)

                let balance = try await session.send("AT+CUSD=1,\"*100#\",15", timeout: .seconds(5))
                #expect(balance.isOK)
                let report = try await session.waitForUnsolicited(named: "+CUSD", timeout: .seconds(5))
                #expect(report.line == "+CUSD: 0,\"Solde internet: 12 Mo\",15")
            }
        }

        @Test func lateReplyToAPreviousHoldersCommandDoesNotShiftTheFirstCommand() async throws {
            // The killed process's `AT+CGSN` is answered 300 ms after the new open.
            let debt = PreviousHolderDebt([.init(after: .milliseconds(300), text: reply(Self.imei, "OK"))])
            try await withSessionOwing(debt, script: Self.answer) { session, modem in
                let maker = try await session.send("AT+CGMI", timeout: .seconds(5))
                #expect(maker.lines == ["huawei"])
                #expect(maker.isOK)
                let identity = try await session.send("AT+CGSN", timeout: .seconds(5))
                #expect(identity.lines == [Self.imei])
                #expect(identity.isOK)
                // Once per session: the second command went out without another resynchronisation.
                #expect(modem.commands.filter { $0 == "AT+CUSD=2" }.count == 1)
                #expect(modem.commands.suffix(2) == ["AT+CGMI", "AT+CGSN"])
            }
        }

        /// A slow device owing two bare `OK`s: the second arrives while the sync probe is in flight and looks like its
        /// reply; the probe's own `OK` (and the `AT+CUSD=2` result before it) arrive later, so the session must not
        /// take the link as in step until the line stayed quiet after the probe's reply.
        @Test func aStaleOKAnsweringTheSyncProbeIsNotTakenAsInStep() async throws {
            let debt = PreviousHolderDebt([
                .init(after: .milliseconds(300), text: reply("OK")),
                .init(after: .milliseconds(350), text: reply("OK")),
            ])
            try await withSessionOwing(debt, script: { line in
                usleep(30_000)  // a slow device: every reply 30 ms after its command
                return Self.answer(line)
            }) { session, _ in
                let maker = try await session.send("AT+CGMI", timeout: .seconds(5))
                #expect(maker.lines == ["huawei"])
                #expect(maker.isOK)
                let identity = try await session.send("AT+CGSN", timeout: .seconds(5))
                #expect(identity.lines == [Self.imei])
            }
        }

        @Test func aSilentDeviceEndsTheResynchronisationByItsDeadlineAndTheFirstCommandTimesOut() async throws {
            let modem = try FakeModem(script: { _ in [] })
            defer { modem.stop() }
            let session = try ATSession(path: modem.slavePath, options: Self.options, logger: Self.logger)
            let started = ContinuousClock.now
            await #expect(throws: ATSessionError.timeout(command: "AT+CGSN")) {
                _ = try await session.send("AT+CGSN", timeout: .milliseconds(500))
            }
            // The default resynchronisation gives up after 3 s, then the command has its own 500 ms.
            #expect(started.duration(to: .now) < .seconds(5))
            let commands = modem.commands
            #expect(commands.first == "AT+CUSD=2")
            #expect(commands.contains("AT"))
            #expect(commands.last == "AT+CGSN")
            await session.close()
        }

        static let short = ATSession.Resynchronisation(
            quietPeriod: .milliseconds(50), drainLimit: .milliseconds(200), commandTimeout: .milliseconds(200),
            timeout: .milliseconds(600))

        @Test func explicitResynchronisationOfASilentDeviceThrowsATimeoutByItsDeadline() async throws {
            let modem = try FakeModem(script: { _ in [] })
            defer { modem.stop() }
            let session = try ATSession(path: modem.slavePath, options: Self.options, resynchronisation: nil, logger: Self.logger)
            let started = ContinuousClock.now
            await #expect(throws: ATSessionError.timeout(command: "AT")) {
                try await session.resynchronise(Self.short)
            }
            let elapsed = started.duration(to: .now)
            #expect(elapsed >= .milliseconds(600))
            #expect(elapsed < .milliseconds(1600))
            #expect(modem.commands.first == "AT+CUSD=2")
            await session.close()
        }

        /// Mid-session: a USSD request timed out and the modem still holds its `OK` and its `+CUSD`. Resynchronising
        /// throws both away, so the next bare command gets its own `OK` and a waiter never sees the old report.
        @Test func explicitResynchronisationAfterATimedOutUSSDRequestLeavesNothingOwed() async throws {
            let modem = try FakeModem(script: { line in
                switch line {
                case "AT", "AT+CFUN=1": return [.send(reply("OK"))]
                case "AT+CUSD=2": return [.send(reply("OK"))]  // the dialogue was open
                default: return []  // the USSD request: answered late by the test
                }
            })
            defer { modem.stop() }
            let session = try ATSession(path: modem.slavePath, options: Self.options, resynchronisation: nil, logger: Self.logger)
            let ussd = "AT+CUSD=1,\"*100#\",15"
            await #expect(throws: ATSessionError.timeout(command: ussd)) {
                _ = try await session.send(ussd, timeout: .milliseconds(100))
            }
            let late = Task {
                try? await Task.sleep(for: .milliseconds(20))
                modem.inject(reply("OK", "+CUSD: 0,\"Solde internet: 0 Mo\",15"))
            }
            // The late `OK` is taken as the request's during the drain, so `AT+CUSD=2` gets its own `OK` at once
            // instead of losing it as the one owed (and timing out after 2 s).
            let started = ContinuousClock.now
            try await session.resynchronise(.init(quietPeriod: .milliseconds(50), commandTimeout: .seconds(2), timeout: .seconds(5)))
            #expect(started.duration(to: .now) < .seconds(1))
            await late.value
            // Nothing is owed any more: the next bare final result is this command's reply.
            let set = try await session.send("AT+CFUN=1", timeout: .seconds(5))
            #expect(set.isOK)
            await #expect(throws: ATSessionError.unsolicitedTimeout(name: "+CUSD")) {
                _ = try await session.waitForUnsolicited(named: "+CUSD", timeout: .milliseconds(100))
            }
            #expect(Array(modem.commands.suffix(3)) == ["AT+CUSD=2", "AT", "AT+CFUN=1"])
            await session.close()
        }
    }
}
