import ATProtocol
import Foundation
import Ledger
import ModemSimulator
import Provisioning
import SerialPort
import Testing

/// The fault sweep: simulated devices that go silent, cut lines, spew garbage or NUL bytes, send invalid
/// UCS2, every `+CME ERROR`, `+CUSD` 2/4/5 without text, a `+CUSD` after the deadline, and hang up at every step,
/// each driven through the real workflow, AT session, pty and ledger. For every case: every command ends by its
/// deadline + 1 s, a voucher whose outcome is unclear ends `unknown` and is never sent again, the ledger agrees with
/// the operator's truth; over the whole sweep no descriptor leaks and memory stays bounded.
extension EndToEnd {
    @Suite struct FaultSweepTests {
        enum Expect: String, Sendable {
            /// No voucher was spent or is held for this SIM, and the operator saw no recharge from it.
            case untouched
            /// The SIM's one voucher is `unknown` (held for settlement).
            case unknown
            /// The SIM's one voucher is `applied`.
            case applied
            /// Any state the operator's truth allows.
            case safe
        }

        struct Case: Sendable {
            var name: String
            var personality: String
            var faults = Personality.Faults()
            var raw: [String: String] = [:]
            var expect: Expect
        }

        static let generic = "generic-3gpp"
        static let mifi = "huawei-e5-mifi"
        static let rechargeG = "AT+CUSD=1,\"*123**"
        static let balanceG = "AT+CUSD=1,\"*100#\"*"

        static func faults(_ change: (inout Personality.Faults) -> Void) -> Personality.Faults {
            var faults = Personality.Faults()
            change(&faults)
            return faults
        }

        /// The cases, built from clean runs' command lists so "every step" means every command actually sent.
        static func cases(cleanGeneric: [TimedCall], cleanMiFi: [TimedCall]) -> [Case] {
            var cases: [Case] = []
            for (name, clean) in [(generic, cleanGeneric), (mifi, cleanMiFi)] {
                let sent = clean.filter { $0.index > 0 }
                let recharge = sent.first { $0.command.contains("recharge voucher") }?.index ?? Int.max
                let firstUSSD = sent.first { $0.command.hasPrefix("AT+CUSD=1") }?.index ?? Int.max
                func expect(_ k: Int) -> Expect { k < recharge ? .untouched : k == recharge ? .unknown : .applied }
                for k in 1...max(1, sent.count) {
                    cases.append(Case(name: "\(name) hangs up on line \(k) (\(sent[k - 1].command))", personality: name,
                                      faults: faults { $0.hangupAtCommand = k }, expect: expect(k)))
                    cases.append(Case(name: "\(name) hangs up after line \(k) (\(sent[k - 1].command))", personality: name,
                                      faults: faults { $0.hangupAfterCommand = k }, expect: expect(k)))
                    if k >= firstUSSD {
                        cases.append(Case(name: "\(name) goes silent after line \(k) (\(sent[k - 1].command))", personality: name,
                                          faults: faults { $0.silentAfterCommand = k }, expect: expect(k)))
                    }
                }
            }
            // A partial line, then silence.
            cases.append(Case(name: "partial IMEI line then silence", personality: generic,
                              faults: faults { $0.truncateOn = [.init(command: "AT+CGSN", bytes: 7)] }, expect: .untouched))
            cases.append(Case(name: "partial OK of the balance query then silence", personality: generic,
                              faults: faults { $0.truncateOn = [.init(command: balanceG, bytes: 3)] }, expect: .untouched))
            cases.append(Case(name: "partial OK of the recharge then silence", personality: generic,
                              faults: faults { $0.truncateOn = [.init(command: rechargeG, bytes: 3)] }, expect: .unknown))
            cases.append(Case(name: "partial +CUSD of the recharge then silence", personality: generic,
                              faults: faults { $0.truncateOn = [.init(command: rechargeG, bytes: 6 + 14)] }, expect: .unknown))
            // 64 KiB of garbage without a line end.
            for (command, expect) in [("AT+CGMR", Expect.applied), ("AT+CGSN", .untouched), (balanceG, .untouched)] {
                cases.append(Case(name: "64 KiB garbage for \(command)", personality: generic,
                                  faults: faults { $0.garbageOn = [.init(command: command, bytes: 65536)] }, expect: expect))
            }
            for round in 1...8 {
                cases.append(Case(name: "64 KiB garbage for the recharge (\(round))", personality: generic,
                                  faults: faults { $0.garbageOn = [.init(command: rechargeG, bytes: 65536)] }, expect: .unknown))
            }
            cases.append(Case(name: "64 KiB garbage for the Wi-Fi name", personality: mifi,
                              faults: faults { $0.garbageOn = [.init(command: "AT^SSID=*", bytes: 65536)] }, expect: .applied))
            // NUL bytes.
            cases.append(Case(name: "NUL bytes inside the maker's name", personality: generic,
                              raw: ["AT+CGMI": "\r\nGen\u{0}eric\u{0}\r\n\r\nOK\r\n"], expect: .applied))
            cases.append(Case(name: "NUL bytes inside the recharge reply", personality: generic,
                              faults: faults { $0.cusdReplace = [.init(command: rechargeG, line: "+CUSD: 0,\"Rechargement\u{0} reussi\u{0}\",15")] },
                              expect: .safe))
            cases.append(Case(name: "NUL bytes as the recharge reply", personality: generic,
                              faults: faults { $0.cusdReplace = [.init(command: rechargeG, line: "\u{0}\u{0}\u{0}\u{0}")] }, expect: .unknown))
            // Invalid UCS2.
            for payload in ["D800", "DC00D800", "0052006", "ZZZZ", "00"] {
                cases.append(Case(name: "invalid UCS2 \(payload) as the recharge reply", personality: generic,
                                  faults: faults { $0.cusdReplace = [.init(command: rechargeG, line: "+CUSD: 0,\"\(payload)\",72")] },
                                  expect: .unknown))
            }
            // +CUSD without text.
            for status in [1, 2, 4, 5] {
                cases.append(Case(name: "+CUSD: \(status) without text for the recharge", personality: generic,
                                  faults: faults { $0.cusdReplace = [.init(command: rechargeG, line: "+CUSD: \(status)")] }, expect: .unknown))
            }
            // Every +CME ERROR for the recharge (the device may or may not have sent it: unknown), some for the balance.
            let codes = (0...1000).filter { CMEError.message(forCode: $0) != nil } + [999]
            for code in codes {
                cases.append(Case(name: "+CME ERROR: \(code) for the recharge", personality: generic,
                                  faults: faults { $0.finalOn = [.init(command: rechargeG, final: "+CME ERROR: \(code)")] }, expect: .unknown))
            }
            for text in ["operation not allowed", "no network service", "SIM busy", "something else entirely"] {
                cases.append(Case(name: "+CME ERROR: \(text) for the recharge", personality: generic,
                                  faults: faults { $0.finalOn = [.init(command: rechargeG, final: "+CME ERROR: \(text)")] }, expect: .unknown))
            }
            for code in [3, 4, 14, 30, 100, 999] {
                cases.append(Case(name: "+CME ERROR: \(code) for the balance query", personality: generic,
                                  faults: faults { $0.finalOn = [.init(command: balanceG, final: "+CME ERROR: \(code)")] }, expect: .untouched))
            }
            // A device whose +CGSN errors is still identified (by ATI's IMEI line, or by its SIM) and served once.
            cases.append(Case(name: "+CME ERROR: 10 for the IMEI", personality: generic,
                              faults: faults { $0.finalOn = [.init(command: "AT+CGSN", final: "+CME ERROR: 10")] }, expect: .applied))
            return cases
        }

        @Test func everyFaultEndsByItsDeadlineAndAnUnclearVoucherIsHeldNeverResent() async throws {
            let rig = try FaultSweepRig(vouchers: 500)
            let cleanGeneric = try await rig.run(Self.generic)[0]
            let cleanMiFi = try await rig.run(Self.mifi)[0]
            // Measured after two clean runs, so lazily opened descriptors (and warmed-up caches) are in the baseline.
            let descriptorsBefore = FaultSweepRig.openDescriptors()
            let residentBefore = FaultSweepRig.residentKiB()
            #expect(cleanGeneric.failure == nil, "\(String(describing: cleanGeneric.failure))")
            #expect(cleanMiFi.failure == nil, "\(String(describing: cleanMiFi.failure))")
            let cases = Self.cases(cleanGeneric: cleanGeneric.calls, cleanMiFi: cleanMiFi.calls)

            // Several devices at a time, like a station with a hub full of them.
            var results: [(Case, FaultSweepRig.Outcome)] = []
            var pendingCases = cases[...]
            try await withThrowingTaskGroup(of: (Case, FaultSweepRig.Outcome).self) { group in
                for _ in 0..<8 {
                    guard let next = pendingCases.popFirst() else { break }
                    group.addTask { (next, try await rig.run(next.personality, faults: next.faults, raw: next.raw)[0]) }
                }
                while let result = try await group.next() {
                    results.append(result)
                    if let next = pendingCases.popFirst() {
                        group.addTask { (next, try await rig.run(next.personality, faults: next.faults, raw: next.raw)[0]) }
                    }
                }
            }

            let vouchers = try rig.ledger.vouchers(limit: 100_000)
            let truth = rig.operatorLedger.snapshot()
            var problems: [String] = []
            var calls = 0
            var worstOverrun = Duration.seconds(-100)
            for (sweepCase, outcome) in results {
                let iccid = outcome.identity.iccid
                for call in outcome.calls {
                    calls += 1
                    worstOverrun = max(worstOverrun, call.elapsed - call.timeout)
                    if call.elapsed > call.timeout + .seconds(1) {
                        problems.append("\(sweepCase.name): \(call.command) took \(call.elapsed), deadline \(call.timeout)")
                    }
                }
                let mine = vouchers.filter { $0.iccid == iccid }
                let attempts = truth.vouchers.values.flatMap(\.attempts).filter { $0.iccid == iccid }.count
                switch sweepCase.expect {
                case .untouched:
                    if !mine.isEmpty || attempts != 0 {
                        problems.append("\(sweepCase.name): expected no voucher touched, got \(mine.map(\.state.rawValue)), \(attempts) operator attempt(s)")
                    }
                case .unknown, .applied:
                    let wanted: VoucherState = sweepCase.expect == .unknown ? .unknown : .applied
                    if mine.map(\.state) != [wanted] {
                        problems.append("\(sweepCase.name): expected one \(wanted.rawValue) voucher, got \(mine.map(\.state.rawValue)) "
                                        + "(failure \(outcome.failure?.code ?? "none") at \(outcome.failure?.step.rawValue ?? "-"))")
                    }
                case .safe:
                    break
                }
                for voucher in mine {
                    let record = truth.vouchers[voucher.code]
                    if [.reserved, .sending].contains(voucher.state) {
                        problems.append("\(sweepCase.name): voucher #\(voucher.id) left \(voucher.state.rawValue) after the run")
                    }
                    if (record?.attempts.count ?? 0) > 1 {
                        problems.append("\(sweepCase.name): voucher #\(voucher.id) sent \(record?.attempts.count ?? 0) times")
                    }
                    if record?.redemptions == 1, ![.applied, .unknown].contains(voucher.state) {
                        problems.append("\(sweepCase.name): voucher #\(voucher.id) redeemed by the operator but \(voucher.state.rawValue)")
                    }
                    if voucher.state == .applied, record?.redeemedBy != iccid {
                        problems.append("\(sweepCase.name): voucher #\(voucher.id) applied but not redeemed by this SIM")
                    }
                }
            }

            // Every session closed and every simulated device stopped: the descriptors come back.
            let deadline = ContinuousClock.now + .seconds(5)
            var descriptorsAfter = FaultSweepRig.openDescriptors()
            while descriptorsAfter > descriptorsBefore, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
                descriptorsAfter = FaultSweepRig.openDescriptors()
            }
            let residentAfter = FaultSweepRig.residentKiB()
            print("fault sweep: \(results.count) cases, \(calls) device calls, worst overrun past a deadline \(worstOverrun), "
                  + "descriptors \(descriptorsBefore) → \(descriptorsAfter), VmRSS \(residentBefore / 1024) → \(residentAfter / 1024) MiB, "
                  + "\(problems.count) problem(s)")
            #expect(results.count == cases.count)
            #expect(problems.isEmpty, "\(problems.prefix(40).joined(separator: "\n"))")
            #expect(descriptorsAfter <= descriptorsBefore, "descriptors leaked: \(descriptorsBefore) before, \(descriptorsAfter) after")
            #expect(residentAfter - residentBefore < 64 * 1024, "memory grew by \((residentAfter - residentBefore) / 1024) MiB")
        }

        /// A `+CUSD` that arrives after the deadline (1.5 s late, the profile waits 1 s) on a device that sends `OK` first:
        /// it is an unsolicited report, never a later command's reply, and the SIM gets no second voucher.
        @Test func lateUSSDReplyIsNotTakenForALaterReplyAndTheVoucherStaysHeld() async throws {
            let outcomes = try await Self.lateReply(delivery: .afterOK)
            let wait = try #require(outcomes[0].calls.first { $0.command == "wait +CUSD" && $0.outcome != "report" },
                                    "the recharge's +CUSD wait should have timed out")
            #expect(wait.elapsed < wait.timeout + .seconds(1))
        }

        /// The same on a device that holds its `OK` until the `+CUSD` (generic 3GPP modems): the late `OK` lands while
        /// a later command is in flight and is dropped as the timed-out command's (ATSession's owed final result).
        @Test func lateUSSDReplyBeforeOKKeepsTheVoucherHeld() async throws {
            _ = try await Self.lateReply(delivery: .beforeOK)
        }

        static func lateReply(delivery: Personality.USSDDelivery) async throws -> [FaultSweepRig.Outcome] {
            let rig = try FaultSweepRig(vouchers: 4)
            let late = Self.faults { $0.cusdReplace = [.init(command: Self.rechargeG, extraDelayMs: 1500)] }
            let outcomes = try await rig.run(Self.generic, faults: late, delivery: delivery, runs: 2) { session in
                // Commands in flight while the late reply lands: each must get its own reply and nothing else.
                let until = ContinuousClock.now + .milliseconds(1200)
                var replies: [ATResponse] = []
                while ContinuousClock.now < until {
                    replies.append(try await session.send("AT+CSQ", timeout: .seconds(2)))
                }
                let mixedUp = replies.filter { !($0.isOK && $0.lines.count == 1 && $0.lines[0].hasPrefix("+CSQ:")) }
                #expect(mixedUp.isEmpty, "\(mixedUp)")
                let report = try await session.waitForUnsolicited(named: "+CUSD", timeout: .seconds(2))
                #expect(report.line.lowercased().contains("rechargement reussi"))
            }
            #expect(outcomes[0].failure?.code == "voucher-unknown")
            #expect(outcomes[0].duration < .seconds(3))
            #expect(outcomes[1].failure?.code == "sim-has-unsettled-voucher", "\(String(describing: outcomes[1].failure))")
            let iccid = outcomes[0].identity.iccid
            let mine = try rig.ledger.vouchers(limit: 100).filter { $0.iccid == iccid }
            #expect(mine.map(\.state) == [.unknown])
            let truth = rig.operatorLedger.snapshot()
            #expect(truth.vouchers.values.flatMap(\.attempts).filter { $0.iccid == iccid }.count == 1, "the voucher was sent again")
            #expect(truth.vouchers.values.filter { $0.redeemedBy == iccid }.count == 1)
            return outcomes
        }
    }
}
