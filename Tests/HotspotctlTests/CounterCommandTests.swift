import Foundation
import Testing
@testable import hotspotctl
import Localization
import StationAPI

/// A transport whose replies to one route change from call to call (the device's state while a run goes on).
final class ScriptedTransport: StationTransport, @unchecked Sendable {
    // @unchecked Sendable: all mutable state is guarded by `lock`.
    let socketPath = "/tmp/scripted.sock"
    private let lock = NSLock()
    private var scripts: [String: [StationHTTPResponse]] = [:]
    private var recorded: [StationHTTPRequest] = []

    /// Answers `method path` with these values in turn; the last one repeats.
    func script(_ method: String, _ path: String, _ values: [DeviceStatus]) throws {
        let replies = try values.map { StationHTTPResponse(status: 200, body: Array(try StationJSON.encoder().encode($0))) }
        lock.withLock { scripts["\(method) \(path)"] = replies }
    }

    var requests: [StationHTTPRequest] { lock.withLock { recorded } }

    func send(_ request: StationHTTPRequest) async throws(HotspotctlError) -> StationHTTPResponse {
        lock.withLock {
            recorded.append(request)
            let key = "\(request.method) \(request.path)"
            guard var replies = scripts[key], let first = replies.first else {
                return StationHTTPResponse(status: 404, body: Array(#"{"error":{"code":"no-route","message":"no such route"}}"#.utf8))
            }
            if replies.count > 1 { replies.removeFirst() }
            scripts[key] = replies
            return first
        }
    }

    func openStream(_ request: StationHTTPRequest) async throws(HotspotctlError) -> StationHTTPStream {
        throw .daemonUnreachable(socketPath: socketPath, reason: .notRunning)
    }
}

@Suite struct ProvisionWaitTests {
    static func device(_ state: DeviceState, step: String?, updated: Date, failure: FailureInfo? = nil) -> DeviceStatus {
        var status = Sample.doneHotspot
        status.state = state
        status.step = step
        status.updatedAt = updated
        status.failure = failure
        return status
    }

    @Test func aDoneLeftByAnEarlierRunDoesNotEndTheWaitAndAFailureExitsOne() async throws {
        let transport = ScriptedTransport()
        let old = Date(timeIntervalSinceNow: -3600)
        // The request finds the device done by yesterday's run; the new run then works and fails.
        try transport.script("POST", "/v1/devices/d1/provision", [Self.device(.done, step: "verify", updated: old)])
        try transport.script("GET", "/v1/devices/d1", [
            Self.device(.done, step: "verify", updated: old),
            Self.device(.provisioning, step: "recharge", updated: Date()),
            Self.device(.failed, step: "recharge", updated: Date(),
                        failure: FailureInfo(code: "voucher-rejected", message: "The operator refused the voucher.")),
        ])
        let result = try await runCommand(["provision", "d1", "--wait"], transport: transport)
        #expect(result.status == 1)
        #expect(result.stdout.contains(" d1 provisioning recharge\n"))
        #expect(result.stdout.contains("State         failed (step recharge)"))
        #expect(result.stderr == "hotspotctl: d1 failed (voucher-rejected): The operator refused the voucher.\n")
        #expect(transport.requests.filter { $0.method == "GET" }.count == 3)
    }

    @Test func theStepLinesOfWaitAreInTheCountersLanguage() async throws {
        let transport = ScriptedTransport()
        try transport.script("POST", "/v1/devices/d1/provision", [Self.device(.provisioning, step: "identify", updated: Date())])
        try transport.script("GET", "/v1/devices/d1", [
            Self.device(.provisioning, step: "balance-before", updated: Date()),
            Self.device(.done, step: "verify", updated: Date()),
        ])
        let result = try await runCommand(["provision", "d1", "--wait"], transport: transport, environment: ["LANG": "fr_FR.UTF-8"])
        #expect(result.status == 0)
        #expect(result.stdout.contains(" d1 approvisionnement solde avant\n"))
        #expect(result.stdout.contains("État               prêt"))
    }

    @Test func aDoneRunExitsZeroWithItsStatus() async throws {
        let transport = ScriptedTransport()
        try transport.script("POST", "/v1/devices/d1/provision", [Self.device(.provisioning, step: "identify", updated: Date())])
        try transport.script("GET", "/v1/devices/d1", [Self.device(.provisioning, step: "wifi", updated: Date()),
                                                       Self.device(.done, step: "verify", updated: Date())])
        let result = try await runCommand(["provision", "d1", "--wait", "--json"], transport: transport)
        #expect(result.status == 0)
        let final = try StationJSON.decoder().decode(DeviceStatus.self, from: Data(result.stdout.utf8))
        #expect(final.state == .done)
    }

    @Test func timeoutNeedsWait() {
        #expect(throws: (any Error).self) { try Hotspotctl.parseAsRoot(["provision", "d1", "--timeout", "5"]) }
        #expect(throws: Never.self) { try Hotspotctl.parseAsRoot(["provision", "d1", "--wait", "--timeout", "5"]) }
    }
}

@Suite struct LedgerFilterTests {
    @Test func lastDigitsAsPrintedAndTheNewestEvents() async throws {
        let transport = FakeTransport()
        try transport.reply("GET", "/v1/ledger", json: [LedgerEventInfo]())
        _ = try await runCommand(["ledger", "--iccid", "…6782", "--tail", "3"], transport: transport)
        #expect(transport.requests.last?.query == ["iccid": "6782", "limit": "3"])
        _ = try await runCommand(["ledger", "--imei", "...7899"], transport: transport)
        #expect(transport.requests.last?.query == ["imei": "7899"])
    }

    @Test func sinceTodayIsLocalMidnight() async throws {
        let transport = FakeTransport()
        try transport.reply("GET", "/v1/ledger", json: [LedgerEventInfo]())
        let result = try await runCommand(["ledger", "--since", "today"], transport: transport)
        #expect(result.status == 0)
        let since = try #require(transport.requests.last?.query["since"])
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = Sample.utc
        #expect(since == calendar.startOfDay(for: Date()).formatted(.iso8601))
    }

    @Test func refusesWhatIsNoIdentifierOrDay() {
        #expect(throws: (any Error).self) { try Hotspotctl.parseAsRoot(["ledger", "--iccid", "67"]) }
        #expect(throws: (any Error).self) { try Hotspotctl.parseAsRoot(["ledger", "--iccid", "67%2"]) }
        #expect(throws: (any Error).self) { try Hotspotctl.parseAsRoot(["ledger", "--since", "tomorrow"]) }
        #expect(throws: (any Error).self) { try Hotspotctl.parseAsRoot(["ledger", "--limit", "3", "--tail", "4"]) }
    }

    @Test func namedDays() throws {
        let now = try #require(DateArgument.parse("2026-12-06T10:30:00Z"))
        let today = try #require(DayArgument.day("today", now: now, timeZone: Sample.utc))
        #expect(today.start == DateArgument.parse("2026-12-06T00:00:00Z"))
        #expect(today.end == DateArgument.parse("2026-12-07T00:00:00Z"))
        #expect(DayArgument.day("hier", now: now, timeZone: Sample.utc)?.start == DateArgument.parse("2026-12-05T00:00:00Z"))
        #expect(DayArgument.day("2026-02-30", now: now) == nil)
        #expect(DayArgument.since("2026-12-01T08:00:00Z") == DateArgument.parse("2026-12-01T08:00:00Z"))
    }
}

@Suite struct ReportCommandTests {
    static let report = DayReportInfo(
        from: Date(timeIntervalSince1970: 1_714_521_600), to: Date(timeIntervalSince1970: 1_714_608_000),
        plans: [DayReportInfo.PlanLine(plan: "2GB", sold: 1, totalCents: 250, rejected: 0, unknown: 1, manual: 0, vouchersLeft: 4),
                DayReportInfo.PlanLine(plan: "500MB", sold: 2, totalCents: 200, rejected: 1, unknown: 0, manual: 1, vouchersLeft: 12)],
        handOvers: [DayReportInfo.HandOver(provisioningID: 7, at: Date(timeIntervalSince1970: 1_714_572_202), iccid: "…6782",
                                           imei: "…1234", plan: "500MB", technicianUID: 1001),
                    DayReportInfo.HandOver(provisioningID: 9, at: Date(timeIntervalSince1970: 1_714_575_802), iccid: "…7899",
                                           imei: "…5678", plan: "2GB", technicianUID: nil)],
        failedRuns: 1)

    @Test func tablesWithEurosAndTheHandOvers() async throws {
        let transport = FakeTransport()
        try transport.reply("GET", "/v1/report", json: Self.report)
        let result = try await runCommand(["report", "--day", "2024-05-01"], transport: transport)
        #expect(result.status == 0)
        #expect(result.stdout.contains("""
            PLAN   SOLD  TOTAL  REJECTED  UNKNOWN  MANUAL  LEFT
            2GB       1  €2.50         0        1       0     4
            500MB     2  €2.00         1        0       1    12
            total     3  €4.50         1        1       1    16
            """))
        #expect(result.stdout.contains("14:03:22  …6782  500MB    1001"))
        #expect(result.stdout.contains("15:03:22  …7899  2GB    policy"))
        // At the counter: French headers, euros as French people write them, French sentences.
        let french = try await runCommand(["report", "--day", "2024-05-01"], transport: transport, environment: ["LANG": "fr_FR.UTF-8"])
        #expect(french.stdout.hasPrefix("Bilan du 2024-05-01 (2024-05-01)\n"))
        #expect(french.stdout.contains("""
            FORFAIT  VENDUS   TOTAL  REFUSÉS  INCONNUS  À LA MAIN  RESTANTS
            2GB           1  2,50 €        0         1          0         4
            500MB         2  2,00 €        1         0          1        12
            total         3  4,50 €        1         1          1        16
            """))
        #expect(french.stdout.contains("1 approvisionnement(s) en échec dans la journée"))
        #expect(french.stdout.contains("15:03:22  …7899  2GB      politique"))
        let query = try #require(transport.requests.last?.query)
        #expect(query["from"] == "2024-05-01T00:00:00Z")
        #expect(query["to"] == "2024-05-02T00:00:00Z")
    }

    @Test func csvForSpreadsheetsAndPerTechnician() async throws {
        let transport = FakeTransport()
        try transport.reply("GET", "/v1/report", json: Self.report)
        let plans = try await runCommand(["report", "--csv"], transport: transport)
        #expect(plans.stdout == "plan,sold,total_eur,rejected,unknown,manual,vouchers_left\r\n2GB,1,2.50,0,1,0,4\r\n500MB,2,2.00,1,0,1,12\r\n")
        let byUID = try await runCommand(["report", "--csv", "--by-uid"], transport: transport)
        #expect(byUID.stdout == "technician_uid,plan,hand_overs\r\n,2GB,1\r\n1001,500MB,1\r\n")
        let table = try await runCommand(["report", "--by-uid"], transport: transport)
        #expect(table.stdout.contains("uid 1001             1  500MB × 1"))
    }

    @Test func aFormulaInAPlanNameIsDefused() {
        #expect(CSVField.escape("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(CSVField.escape("500MB") == "500MB")
    }
}

@Suite struct BoardRendererTests {
    static let renderer = BoardRenderer(timestamps: LocalTimestamp(timeZone: Sample.utc), colour: false)

    static func visible(_ line: String) -> String {
        line.replacingOccurrences(of: "\u{1B}\\[[0-9;?]*[A-Za-z]", with: "", options: .regularExpression)
    }

    @Test func oneLinePerDeviceWithinEightyColumns() throws {
        var ready = Sample.doneHotspot
        ready.socket = "gauche"
        ready.attachedAt = ready.updatedAt.addingTimeInterval(-247)
        var failed = Sample.identifyingStick
        failed.state = .failed
        failed.failure = FailureInfo(code: "voucher-unknown", message: "…")
        failed.model = "E3131\u{1B}[2J-very-long-model-name"
        failed.imei = "…5678"
        failed.iccid = "…7899"
        let plans = [PlanInfo(name: "500MB", megabytes: 500, priceCents: 100, isDefault: true, vouchersAvailable: 12)]
        let lines = Self.renderer.render(devices: [failed, ready], plans: plans, now: Sample.date, connection: .live)
        #expect(lines.count == 24)
        for line in lines { #expect(TerminalText.displayWidth(Self.visible(line)) <= 80, "\(line)") }
        #expect(lines[0] == "hotspot-station  14:03:22  1 prêt, 1 en échec, 12 × 500 Mo en stock")
        let readyLine = try #require(lines.first { $0.contains("gauche") })
        #expect(readyLine.contains("E5573"))
        #expect(readyLine.contains("…1234 …8931"))
        #expect(readyLine.contains("4:07"))
        #expect(readyLine.contains("PRÊT"))
        #expect(readyLine.hasSuffix("Remettre l'appareil"))
        let failedLine = try #require(lines.first { $0.contains("ÉCHEC") })
        #expect(!failedLine.contains("\u{1B}"))   // the model's escape sequence is defused
        #expect(failedLine.contains("Bon à régler (admin)"))
        #expect(lines[23].contains("hotspotd connecté"))
    }

    @Test func colouredBadgesAndALostDaemonSaidOnTheLastLine() {
        let renderer = BoardRenderer(timestamps: LocalTimestamp(timeZone: Sample.utc), colour: true)
        let lines = renderer.render(devices: [Sample.doneHotspot], plans: [], now: Sample.date,
                                    connection: .lost(since: Sample.date.addingTimeInterval(-12)))
        #expect(lines.contains { $0.contains("\u{1B}[1;30;42m") && $0.contains("PRÊT") })
        #expect(Self.visible(lines[23]).hasPrefix("hotspotd injoignable depuis 12 s"))
    }

    @Test func moreDevicesThanRowsAreCounted() {
        let many = (1...30).map { index -> DeviceStatus in
            var device = Sample.identifyingStick
            device.id = "d\(index)"
            return device
        }
        let lines = Self.renderer.render(devices: many, plans: [], now: Sample.date, connection: .live, height: 10)
        #expect(lines.count == 10)
        #expect(lines.contains { $0.hasPrefix("+ 26 autres") })
    }

    @Test func compactWatchSaysWhatWasIdentified() {
        var device = Sample.doneHotspot
        device.socket = "gauche"
        let event = StationEvent(kind: "state", deviceID: "d7", state: .done, at: Sample.date)
        #expect(CompactWatch.render(event: event, device: device, timestamps: LocalTimestamp(timeZone: Sample.utc))
                == "14:03:22 d1 gauche E5573 IMEI …1234 ICCID …8931 500MB PRÊT — Remettre l'appareil")
    }
}

@Suite struct CompactWatchTests {
    @Test func aFailureSaysTheCatalogsAction() {
        var device = Sample.doneHotspot
        device.state = .failed
        device.failure = FailureInfo(code: "sim-pin-required", message: "locked")
        let event = StationEvent(kind: "state", deviceID: "d1", state: .failed, at: Sample.date)
        let line = CompactWatch.render(event: event, device: device, timestamps: LocalTimestamp(timeZone: Sample.utc))
        let action = Messages(language: .french).action("sim-pin-required")
        #expect(action != nil)
        #expect(line.hasSuffix("ÉCHEC — \(action ?? "") [sim-pin-required]"))
    }

    @Test func oneLinePerChangeTheCounterCanSee() async throws {
        let transport = FakeTransport()
        try transport.reply("GET", "/v1/devices/d1", json: Sample.doneHotspot)
        let events = [
            StationEvent(kind: "attached", deviceID: "d1", state: .connecting, at: Sample.date),
            StationEvent(kind: "state", deviceID: "d1", state: .identifying, at: Sample.date),
            StationEvent(kind: "step", deviceID: "d1", state: .provisioning, step: "recharge", status: "started", at: Sample.date),
            StationEvent(kind: "state", deviceID: "d1", state: .done, at: Sample.date),
        ]
        transport.stream(try events.map { String(decoding: try StationJSON.encoder().encode($0), as: UTF8.self) })
        let result = try await runCommand(["watch", "--compact"], transport: transport, environment: ["LANG": "fr_FR.UTF-8"])
        #expect(result.stdout == """
            14:03:22 d1 E5573 IMEI …1234 ICCID …8931 EN COURS — Attendre
            14:03:22 d1 E5573 IMEI …1234 ICCID …8931 500MB PRÊT — Remettre l'appareil

            """)
        #expect(result.status == 3)   // the stream ended and --follow was not given
    }
}
