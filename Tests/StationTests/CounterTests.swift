import Foundation
import Ledger
import Logging
@testable import Station
import StationAPI
import UnixHTTP

import Localization
import Testing

@Suite struct DeviceIdentifierTests {
    static func file() -> String { NSTemporaryDirectory() + "device-ids-\(UUID().uuidString).json" }

    @Test func idsAreNeverHandedOutTwiceAcrossRestarts() {
        let path = Self.file()
        defer { unlink(path) }
        var first = DeviceIdentifiers(file: path)
        #expect(first.allocate() == "d1")
        #expect(first.allocate() == "d2")
        // The daemon restarts: d1 and d2 now name nothing new.
        var second = DeviceIdentifiers(file: path)
        #expect(second.allocate() == "d3")
    }

    @Test func aDeviceSeenBeforeIsShownUnderItsFirstIDAndFoundByIt() {
        let path = Self.file()
        defer { unlink(path) }
        var before = DeviceIdentifiers(file: path)
        let id = before.allocate()
        #expect(before.bind(sessionID: id, imei: "861234567890123", iccid: "89330000000000067820") == "d1")
        var after = DeviceIdentifiers(file: path)   // restart
        let other = after.allocate()
        #expect(after.bind(sessionID: other, imei: nil, iccid: "89330000000000011110") == other)   // a new SIM-only reader
        let session = after.allocate()
        #expect(after.bind(sessionID: session, imei: "861234567890123", iccid: nil) == "d1")
        #expect(after.sessionID(for: "d1") == session)
        #expect(after.sessionID(for: "D1") == session)
        #expect(after.shown(session) == "d1")
        // An id of the past whose device is not here finds no other device.
        #expect(after.sessionID(for: "d9") == "d9")
    }

    @Test func aDamagedFileNeverBringsD1Back() throws {
        let path = Self.file()
        defer { unlink(path) }
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: path))
        var ids = DeviceIdentifiers(file: path)
        #expect(ids.allocate() == "d1000")
        #expect(ids.problem == nil)   // saved again
    }
}

@Suite struct SpreadsheetVoucherFileTests {
    let plans = [VoucherCSV.PlanName(name: "500MB", megabytes: 500), VoucherCSV.PlanName(name: "2GB", megabytes: 2048)]

    @Test func frenchSpreadsheetWithSemicolonsGroupedCodesAndFrenchUnits() throws {
        let text = "\u{FEFF}Code;Forfait\r\n1111 2222 6666;500 Mo\r\n\"3333-4444-5555\";2go\r\n7777\u{00A0}8888;500mb\r\n;;\r\n"
        let rows = try VoucherCSV.parse(text, plans: plans)
        #expect(rows == [VoucherCSV.Row(code: "111122226666", plan: "500MB", line: 2),
                         VoucherCSV.Row(code: "333344445555", plan: "2GB", line: 3),
                         VoucherCSV.Row(code: "77778888", plan: "500MB", line: 4)])
    }

    @Test func tabsAndCommasAndPlanNamesInAnyCase() throws {
        #expect(try VoucherCSV.parse("code\tplan\n12345678\t2gb\n", plans: plans).first?.plan == "2GB")
        #expect(try VoucherCSV.parse("plan,code\n2 Go,12345678\n", plans: plans).first?.code == "12345678")
        #expect(try VoucherCSV.parse("code;plan\n12345678;1,5 Go\n", plans: plans + [VoucherCSV.PlanName(name: "1500MB", megabytes: 1536)])
                .first?.plan == "1500MB")
    }

    @Test(arguments: [
        ("code;plan\n1234 56AB;500 Mo\n", 2, "a voucher code is 4 to 32 digits"),
        ("code;plan\n12345678;1 Go\n", 2, "plan '1 Go' is not configured (plans: 2GB, 500MB)"),
        ("code;plan\n12\"34;500MB\n", 2, "quotes are not allowed in voucher files"),
        ("code;plan\n1111 2222;500MB\n1111-2222;500MB\n", 3, "the voucher ending 2222 repeats line 2"),
    ])
    func stillRefusesTheWholeFileNamingTheLine(text: String, line: Int, reason: String) {
        #expect(throws: VoucherCSV.Problem(line: line, reason: reason)) { try VoucherCSV.parse(text, plans: plans) }
    }

    @Test func aVolumeTwoPlansShareIsRefusedAsAmbiguous() {
        let twins = [VoucherCSV.PlanName(name: "1GB-promo", megabytes: 1024), VoucherCSV.PlanName(name: "1GB", megabytes: 1000)]
        #expect(throws: VoucherCSV.Problem(line: 2, reason: "plan '1 Go' could be 1GB-promo or 1GB: name it exactly")) {
            try VoucherCSV.parse("code;plan\n12345678;1 Go\n", plans: twins)
        }
    }
}

@Suite struct CounterConfigTests {
    @Test func socketLabelsAndHooksAreChecked() {
        #expect(SocketLabels.problems(["1-1.2": "gauche", "2-1.4.3": "droite"]).isEmpty)
        #expect(SocketLabels.problems(["ttyUSB0": "gauche"]).map(\.key) == ["sockets.ttyUSB0"])
        #expect(SocketLabels.problems(["1-1": "a very long socket label"]).count == 1)
        #expect(SocketLabels.label(usbPath: "1-1.2", labels: ["1-1.2": "gauche"]) == "gauche")
        #expect(SocketLabels.label(usbPath: "1-1.3", labels: ["1-1.2": "gauche"]) == "1-1.3")
        #expect(HookSettings(done: ["lamp", "green"]).problems().map(\.key) == ["hooks.done[0]"])
        #expect(HookSettings(failed: []).problems().map(\.key) == ["hooks.failed"])
        #expect(HookSettings(done: ["/usr/bin/true"], timeoutSeconds: 0).problems().map(\.key) == ["hooks.timeoutSeconds"])
    }

    @Test func theStatusLineCountsDevicesAndStock() {
        let states: [DeviceState] = [.done, .done, .done, .failed, .provisioning]
        let french = Messages(language: .french), english = Messages(language: .english)
        #expect(french.counterSummary(states: states.map(\.rawValue), stock: [(500, 12), (2048, 3)])
                == "3 prêts, 1 en échec, 1 en cours, 12 × 500 Mo, 3 × 2 Go en stock")
        #expect(english.counterSummary(states: states.map(\.rawValue), stock: [(500, 12), (2048, 3)])
                == "3 ready, 1 failed, 1 working, 12 × 500 MB, 3 × 2 GB in stock")
        #expect(french.counterSummary(states: [], stock: []) == "0 prêt, 0 en échec, aucun bon en stock")
    }

    @Test func aRefusedImportGivesItsTokenBack() async {
        let limiter = CallerRateLimiter(policy: RateLimitPolicy(perMinute: 1, burst: 1))
        #expect(await limiter.admit(uid: 1000) == .allowed)
        await limiter.refund(uid: 1000)
        #expect(await limiter.admit(uid: 1000) == .allowed)
        #expect(await limiter.admit(uid: 1000) != .allowed)
    }
}

@Suite struct HookTests {
    static let device: DeviceStatus = {
        var status = DeviceStatus(id: "d4", port: "/dev/ttyUSB0", state: .failed, iccid: "…6782", updatedAt: Date())
        status.socket = "gauche"
        status.failure = FailureInfo(code: "sim-pin-required", message: "locked")
        return status
    }()

    @Test func aHookSeesOnlyTheDevicesShortFactsInItsEnvironment() async throws {
        let out = NSTemporaryDirectory() + "hook-\(UUID().uuidString).env"
        defer { unlink(out) }
        let runner = HookRunner(settings: HookSettings(failed: ["/bin/sh", "-c", "env > \"$0\"", out]),
                                logger: Logger(label: "hook-test"))
        #expect(await runner.run(.failed, device: Self.device) == 0)
        let environment = try String(contentsOfFile: out, encoding: .utf8)
        #expect(environment.contains("HOTSPOT_EVENT=failed\n"))
        #expect(environment.contains("HOTSPOT_DEVICE=d4\n"))
        #expect(environment.contains("HOTSPOT_SOCKET=gauche\n"))
        #expect(environment.contains("HOTSPOT_ICCID4=6782\n"))
        #expect(environment.contains("HOTSPOT_CODE=sim-pin-required\n"))
        #expect(!environment.contains("HOME="))   // nothing of the daemon's own environment
        // Not configured for this event: nothing runs.
        #expect(await runner.run(.done, device: Self.device) == nil)
    }

    @Test func aFailingOrHangingHookIsReportedAndStopped() async {
        let failing = HookRunner(settings: HookSettings(failed: ["/bin/false"]), logger: Logger(label: "hook-test"))
        #expect(await failing.run(.failed, device: Self.device) == 1)
        let missing = HookRunner(settings: HookSettings(failed: ["/nonexistent/lamp"]), logger: Logger(label: "hook-test"))
        #expect(await missing.run(.failed, device: Self.device) == nil)
        let hanging = HookRunner(settings: HookSettings(failed: ["/bin/sleep", "300"], timeoutSeconds: 1),
                                 logger: Logger(label: "hook-test"))
        let started = ContinuousClock.now
        #expect(await hanging.run(.failed, device: Self.device) == nil)
        #expect(ContinuousClock.now - started < .seconds(60), "stopped at its deadline, long before sleep's 300 s")
    }
}

@Suite struct CounterRouteTests {
    @Test func theDayReportAndLastDigitQueriesOnARealLedger() async throws {
        let served = try await ServedStation()
        let router = APIRouter(station: served.station)
        let root = PeerCredentials(pid: 1, uid: 0, gid: 0)
        try served.importVouchers(3)
        let iccid = "89330000000000067820"
        try served.ledger.recordDevice(imei: "861234567890123", manufacturer: "huawei", model: "E5573", firmware: "1",
                                       port: "/dev/ttyUSB0", actor: nil)
        try served.ledger.recordSIM(iccid: iccid, imsi: nil, luhnValid: true, actor: nil)
        let run = try served.ledger.startProvisioning(deviceIMEI: "861234567890123", iccid: iccid, plan: "500MB", actor: 1001)
        try served.ledger.finishProvisioning(id: run, outcome: .succeeded, wifiSSID: "Connexion-6782", wifiKey: "k", actor: 1001)

        let from = Date(timeIntervalSinceNow: -3600).formatted(.iso8601)
        let to = Date(timeIntervalSinceNow: 3600).formatted(.iso8601)
        let reply = await router.handle(HTTPRequest(method: "GET", target: "/v1/report?from=\(from)&to=\(to)", peer: root))
        #expect(reply.status == 200)
        let report = try SettlementRig.decode(DayReportInfo.self, reply)
        #expect(report.plans.first { $0.plan == "500MB" }?.vouchersLeft == 3)
        #expect(report.handOvers.map(\.iccid) == ["…7820"])
        #expect(report.handOvers.first?.technicianUID == 1001)

        let events = await router.handle(HTTPRequest(method: "GET", target: "/v1/ledger?iccid=%E2%80%A67820&limit=1", peer: root))
        let rows = try SettlementRig.decode([LedgerEventInfo].self, events)
        #expect(rows.count == 1)
        #expect(rows.first?.iccid == "…7820")   // the newest of this SIM's events, not the oldest of the ledger
        let history = await router.handle(HTTPRequest(method: "GET", target: "/v1/history/7820", peer: root))
        #expect(try SettlementRig.decode([HistoryEntryInfo].self, history).map(\.provisioningID) == [run])
        await served.stop()
    }

    @Test func aRefusedVoucherFileDoesNotCountAgainstTheRate() async throws {
        let served = try await ServedStation()
        let router = APIRouter(station: served.station)
        let root = PeerCredentials(pid: 1, uid: 0, gid: 0)
        let bad = Array(try StationJSON.encoder().encode(VoucherImportRequest(fileName: "bad.csv", csv: "code;plan\nxx;500MB\n")))
        // The default policy allows a burst of 5: ten refused files in a row are all answered 422, none 429.
        for _ in 0..<10 {
            let reply = await router.handle(HTTPRequest(method: "POST", target: "/v1/vouchers/import", body: bad, peer: root))
            #expect(reply.status == 422)
        }
        let good = Array(try StationJSON.encoder().encode(VoucherImportRequest(fileName: "ok.csv", csv: "code;forfait\n1234 5678;500 Mo\n")))
        let accepted = await router.handle(HTTPRequest(method: "POST", target: "/v1/vouchers/import", body: good, peer: root))
        #expect(accepted.status == 201)
        await served.stop()
    }
}

@Suite struct HeadlessStationTests {
    @Test func theStatusLineFollowsEachStateChangeAndTheDoneHookRuns() async throws {
        let rig = try SettlementRig(startingBalanceMB: 1000, vouchers: ["111122223333": 500, "444455556666": 500],
                                    defaultPlan: "500MB")
        try rig.ledger.importVouchers([(code: "111122223333", plan: "500MB"), (code: "444455556666", plan: "500MB")], actor: 1000)
        _ = try await rig.station.recoverAfterStart()
        let systemd = try FakeNotifySocket()
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": systemd.path])
        let out = NSTemporaryDirectory() + "hook-done-\(UUID().uuidString).env"
        defer { unlink(out) }
        let observer = CounterObserver(station: rig.station, notifier: notifier,
                                       hooks: HookSettings(done: ["/bin/sh", "-c", "env > \"$0\"", out]),
                                       logger: Logger(label: "counter-test"), environment: ["LANG": "fr_FR.UTF-8"])
        let (subscribed, ready) = AsyncStream<Void>.makeStream()
        let running = Task { await observer.run(subscribed: { ready.yield() }) }
        for await _ in subscribed { break }
        var first: [String] = []
        let started = ContinuousClock.now
        while first.isEmpty, ContinuousClock.now - started < .seconds(10) {
            first = systemd.drain()
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(first == ["STATUS=0 prêt, 0 en échec, 2 × 500 Mo, 0 × 2 Go en stock"])

        let id = try await rig.station.attach(path: rig.port).id
        try await rig.waitForDevice(id, in: [.done, .failed])
        let deadline = ContinuousClock.now + .seconds(30)
        var statuses: [String] = []
        while ContinuousClock.now < deadline {
            statuses += systemd.drain()
            if statuses.last == "STATUS=1 prêt, 0 en échec, 1 × 500 Mo, 0 × 2 Go en stock", FileManager.default.fileExists(atPath: out),
               (try? String(contentsOfFile: out, encoding: .utf8))?.contains("HOTSPOT_EVENT=done") == true { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(statuses.contains { $0.hasPrefix("STATUS=0 prêt, 0 en échec, 1 en cours") }, "\(statuses)")
        #expect(statuses.last == "STATUS=1 prêt, 0 en échec, 1 × 500 Mo, 0 × 2 Go en stock", "\(statuses)")
        let environment = try String(contentsOfFile: out, encoding: .utf8)
        #expect(environment.contains("HOTSPOT_DEVICE=\(id)\n"))
        #expect(environment.contains("HOTSPOT_ICCID4=\(SettlementRig.iccid.suffix(4))\n"))
        #expect(!environment.contains(SettlementRig.iccid), "never the full ICCID")
        running.cancel()
        await rig.stop()
    }
}
