import Foundation
import Testing
import TestSupport
@testable import hotspotctl
import StationAPI

@Suite struct CommandRenderingTests {
    @Test func devicesPrintsAnAlignedTable() async throws {
        let transport = FakeTransport()
        try transport.reply("GET", "/v1/devices", json: [Sample.doneHotspot, Sample.identifyingStick])
        let result = try await runCommand(["devices"], transport: transport)
        #expect(result.status == 0)
        #expect(result.stdout == """
            ID  SOCKET  PORT          STATE        STEP      ROLE     MODEL         IMEI   ICCID  PLAN   UPDATED
            d1  -       /dev/ttyUSB2  done         verify    hotspot  Huawei E5573  …1234  …8931  500MB  2024-05-01 14:03:22
            d2  -       /dev/ttyUSB5  identifying  identify  modem    -             -      -      -      2024-05-01 14:03:22

            """)
        #expect(transport.requests == [StationHTTPRequest(method: "GET", path: "/v1/devices")])
    }

    @Test func devicesSaysSoWhenNothingIsAttached() async throws {
        let transport = FakeTransport()
        try transport.reply("GET", "/v1/devices", json: [DeviceStatus]())
        #expect(try await runCommand(["devices"], transport: transport).stdout == "No devices attached.\n")
    }

    @Test func devicesJSONIsTheAPIsJSONPrettyAndSorted() async throws {
        let transport = FakeTransport()
        let devices = [Sample.doneHotspot, Sample.identifyingStick]
        try transport.reply("GET", "/v1/devices", json: devices)
        let result = try await runCommand(["devices", "--json", "--reveal"], transport: transport)
        let expected = String(decoding: try StationJSON.encoder(pretty: true).encode(devices), as: UTF8.self) + "\n"
        #expect(result.stdout == expected)
        #expect(result.stdout.contains("\"iccidLuhnValid\" : true"))
        #expect(try StationJSON.decoder().decode([DeviceStatus].self, from: Data(result.stdout.utf8)) == devices)
        #expect(transport.requests.first?.query == ["reveal": "1"])
    }

    @Test func statusShowsLabelledFieldsAndTheWiFiNameWithoutSecrets() async throws {
        let transport = FakeTransport()
        try transport.reply("GET", "/v1/devices/d1", json: Sample.doneHotspot)
        let result = try await runCommand(["status", "d1"], transport: transport)
        #expect(result.stdout == """
            Device        d1
            Port          /dev/ttyUSB2
            State         done (step verify)
            Role          hotspot
            Model         Huawei E5573
            Firmware      21.333.64.00.1456
            IMEI          …1234
            IMSI          …0042
            ICCID         …8931
            SIM           READY
            Operator      Orange
            Plan          500MB
            Provisioning  #42
            Balance       500 MB
            Wi-Fi name    Connexion-0121
            Updated       2024-05-01 14:03:22

            """)
        #expect(!result.stdout.contains("█"))
        #expect(transport.requests.first?.query == [:])
    }

    @Test func statusPercentEncodesAPortReference() async throws {
        let transport = FakeTransport()
        try transport.reply("GET", "/v1/devices/%2Fdev%2FttyUSB2", json: Sample.doneHotspot)
        #expect(try await runCommand(["status", "/dev/ttyUSB2"], transport: transport).status == 0)
    }

    @Test func statusWithRevealShowsTheKeyAndAScannableQRCode() async throws {
        let transport = FakeTransport()
        try transport.reply("GET", "/v1/devices/d1", json: Sample.revealedHotspot)
        let result = try await runCommand(["status", "d1", "--reveal"], transport: transport)
        #expect(result.stdout.contains("Wi-Fi key     abc;12345\n"))
        #expect(result.stdout.contains("IMEI          861234567891234\n"))
        #expect(transport.requests.first?.query == ["reveal": "1"])
        let drawing = try #require(result.stdout.components(separatedBy: "\n\n").last)
        let expected = try QRCode.encode(Array("WIFI:T:WPA;S:Connexion-0121;P:abc\\;12345;;".utf8))
        #expect(try HalfBlocks.modules(from: drawing, lightOnDark: true, quietZone: 4) == HalfBlocks.grid(of: expected))
    }

    @Test func statusFlagsAWrongICCIDCheckDigitAndShowsTheFailure() async throws {
        var status = Sample.identifyingStick
        status.state = .failed
        status.iccid = "…0007"
        status.iccidLuhnValid = false
        status.failure = FailureInfo(code: "sim-pin-required", message: "The SIM asks for a PIN.")
        let report = StatusReport(timestamps: LocalTimestamp(timeZone: Sample.utc), showQRCode: true).render(status)
        #expect(report.contains("ICCID    …0007 (Luhn check digit wrong)\n"))
        #expect(report.contains("Failure  The SIM asks for a PIN. [sim-pin-required]\n"))
    }

    @Test func statusJSONIsTheAPIsJSON() async throws {
        let transport = FakeTransport()
        try transport.reply("GET", "/v1/devices/d1", json: Sample.revealedHotspot)
        let result = try await runCommand(["status", "d1", "--json", "--reveal"], transport: transport)
        #expect(result.stdout == String(decoding: try StationJSON.encoder(pretty: true).encode(Sample.revealedHotspot), as: UTF8.self) + "\n")
        #expect(!result.stdout.contains("█"))
    }

    @Test func watchPrintsOneLinePerEventAndReportsTheStreamsEnd() async throws {
        let transport = FakeTransport()
        let events = [
            StationEvent(kind: "attached", deviceID: "d1", state: .identifying, message: "Huawei E5573 on /dev/ttyUSB2", at: Sample.date),
            StationEvent(kind: "step", deviceID: "d1", state: .provisioning, step: "recharge", status: "started",
                         message: "sending the voucher", at: Sample.date.addingTimeInterval(5)),
            StationEvent(kind: "state", deviceID: "d1", state: .done, at: Sample.date.addingTimeInterval(61)),
        ]
        let lines = try events.map { String(decoding: try StationJSON.encoder().encode($0), as: UTF8.self) }
        transport.stream([lines[0], "", lines[1], lines[2]])
        let result = try await runCommand(["watch"], transport: transport)
        #expect(result.stdout == """
            14:03:22 d1 identifying attached Huawei E5573 on /dev/ttyUSB2
            14:03:27 d1 provisioning recharge started sending the voucher
            14:04:23 d1 done

            """)
        #expect(result.status == 3)
        #expect(result.stderr == "hotspotctl: hotspotd at /tmp/fake.sock closed the event stream\n")
    }

    @Test func watchJSONPassesEachObjectThroughOnOneLine() async throws {
        let transport = FakeTransport()
        let line = #"{"at":"2024-05-01T14:03:22Z","deviceID":"d1","kind":"state","state":"done"}"#
        transport.stream([line + "\r", line])
        let result = try await runCommand(["watch", "--json"], transport: transport)
        #expect(result.stdout.hasPrefix(line + "\n" + line + "\n"))
    }

    @Test func provisionSendsTheOverridesAndSaysTheRunWasRequested() async throws {
        let transport = FakeTransport()
        var provisioning = Sample.doneHotspot
        provisioning.state = .provisioning
        try transport.reply("POST", "/v1/devices/d1/provision", json: provisioning)
        let result = try await runCommand(["provision", "d1", "--plan", "2GB", "--ssid", "Connexion-0122"], transport: transport)
        #expect(result.status == 0)
        // Not the device as the request found it (a status from before the run would read as its outcome).
        #expect(!result.stdout.contains("State "))
        #expect(result.stdout.hasPrefix("d1: provisioning requested."))
        let body = try #require(transport.requests.first?.body)
        #expect(try StationJSON.decoder().decode(ProvisionRequest.self, from: Data(body)) == ProvisionRequest(plan: "2GB", ssid: "Connexion-0122"))
    }

    @Test func attachPostsThePath() async throws {
        let transport = FakeTransport()
        try transport.reply("POST", "/v1/devices", json: Sample.identifyingStick)
        let result = try await runCommand(["attach", "/dev/ttyUSB5"], transport: transport)
        #expect(result.status == 0)
        let body = try #require(transport.requests.first?.body)
        #expect(try StationJSON.decoder().decode(AttachRequest.self, from: Data(body)) == AttachRequest(path: "/dev/ttyUSB5"))
    }

    @Test func voucherImportSendsTheFileNamedByItsLastComponent() async throws {
        let temporary = try TemporaryDirectory(prefix: "hotspotctl")
        let directory = URL(fileURLWithPath: temporary.path)
        let file = directory.appendingPathComponent("cards-may.csv")
        let csv = "code,plan\n1234567890123456,500MB\n"
        try Data(csv.utf8).write(to: file)

        let transport = FakeTransport()
        try transport.reply("POST", "/v1/vouchers/import", json: VoucherImportResult(imported: 1))
        let result = try await runCommand(["vouchers", "import", file.path], transport: transport)
        #expect(result.stdout == "Imported 1 voucher from cards-may.csv.\n")
        let body = try #require(transport.requests.first?.body)
        #expect(try StationJSON.decoder().decode(VoucherImportRequest.self, from: Data(body)) == VoucherImportRequest(fileName: "cards-may.csv", csv: csv))

        let rejecting = FakeTransport()
        try rejecting.reply("POST", "/v1/vouchers/import", status: 422, json: APIErrorBody(error: FailureInfo(
            code: "voucher-file-invalid", message: "cards-may.csv line 2: unknown plan 500MB")))
        let failed = try await runCommand(["vouchers", "import", file.path], transport: rejecting)
        #expect(failed.status == 1)
        #expect(failed.stderr == "hotspotctl: cards-may.csv line 2: unknown plan 500MB\n")
    }

    @Test func voucherImportOfAMissingFileFailsWithoutAsking() async throws {
        let transport = FakeTransport()
        let result = try await runCommand(["vouchers", "import", "/nonexistent/cards.csv"], transport: transport)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("hotspotctl: cannot read /nonexistent/cards.csv"))
        #expect(transport.requests.isEmpty)
    }

    @Test func vouchersListFiltersByStateAndAlignsNumbersRight() async throws {
        let transport = FakeTransport()
        let vouchers = [
            VoucherInfo(id: 7, code: "…3456", plan: "500MB", state: "applied", iccid: "…8931", provisioningID: 42,
                        balanceBeforeMB: 0, balanceAfterMB: 500, updatedAt: Sample.date),
            VoucherInfo(id: 12, code: "…9999", plan: "2GB", state: "applied", iccid: nil, provisioningID: nil,
                        balanceBeforeMB: nil, balanceAfterMB: 2048, updatedAt: Sample.date),
        ]
        try transport.reply("GET", "/v1/vouchers", json: vouchers)
        let result = try await runCommand(["vouchers", "list", "--state", "applied"], transport: transport)
        #expect(result.stdout == """
            ID  CODE   PLAN   STATE    ICCID  PROV  BEFORE MB  AFTER MB  UPDATED
             7  …3456  500MB  applied  …8931    42          0       500  2024-05-01 14:03:22
            12  …9999  2GB    applied  -         -          -      2048  2024-05-01 14:03:22

            """)
        #expect(transport.requests.first?.query == ["state": "applied"])
    }

    @Test func ledgerSendsItsFiltersAsQueryParameters() async throws {
        let transport = FakeTransport()
        let event = LedgerEventInfo(seq: 3, at: Sample.date, kind: "voucher.sending", provisioningID: 42, imei: "…1234",
                                    iccid: "…8931", voucherID: 7, actorUID: nil, detail: ["plan": "500MB", "attempt": "1"],
                                    hash: "ab12")
        try transport.reply("GET", "/v1/ledger", json: [event])
        let result = try await runCommand(["ledger", "--iccid", "8931", "--since", "2024-05-01T14:00:00+02:00", "--limit", "5"],
                                          transport: transport)
        #expect(transport.requests.first?.query == ["iccid": "8931", "since": "2024-05-01T12:00:00Z", "limit": "5"])
        #expect(result.stdout == """
            SEQ  TIME                 KIND             PROV  IMEI   ICCID  VOUCHER  UID  DETAIL
              3  2024-05-01 14:03:22  voucher.sending    42  …1234  …8931        7    -  attempt=1 plan=500MB

            """)
    }

    @Test func plansShowsPricesAndTheDefault() {
        let text = PlansCommand.render([
            PlanInfo(name: "500MB", megabytes: 500, priceCents: 100, isDefault: true, vouchersAvailable: 12),
            PlanInfo(name: "2GB", megabytes: 2048, priceCents: 505, isDefault: false, vouchersAvailable: 0),
            PlanInfo(name: "promo", megabytes: 50, priceCents: nil, isDefault: false, vouchersAvailable: 3),
        ])
        #expect(text == """
            PLAN     MB  PRICE  DEFAULT  AVAILABLE
            500MB   500   1.00  yes             12
            2GB    2048   5.05                   0
            promo    50      -                   3

            """)
    }
}

/// Reads a half-block drawing back into modules, to check the renderer without a camera.
enum HalfBlocks {
    enum Failure: Error { case unexpectedCharacter(Character) }

    /// The symbol's modules (quiet zone removed), `true` for dark.
    static func modules(from drawing: String, lightOnDark: Bool, quietZone: Int) throws -> [[Bool]] {
        var inkRows: [[Bool]] = []
        for line in drawing.split(separator: "\n", omittingEmptySubsequences: false) where !line.isEmpty {
            var top: [Bool] = [], bottom: [Bool] = []
            for character in line {
                switch character {
                case "█": top.append(true); bottom.append(true)
                case "▀": top.append(true); bottom.append(false)
                case "▄": top.append(false); bottom.append(true)
                case " ": top.append(false); bottom.append(false)
                default: throw Failure.unexpectedCharacter(character)
                }
            }
            inkRows.append(top)
            inkRows.append(bottom)
        }
        let side = inkRows.first?.count ?? 0
        let size = side - 2 * quietZone
        return (0..<size).map { row in
            (0..<size).map { column in inkRows[row + quietZone][column + quietZone] != lightOnDark }
        }
    }

    /// The code's modules as rows.
    static func grid(of code: QRCode) -> [[Bool]] {
        (0..<code.size).map { row in (0..<code.size).map { code.isDark(row: row, column: $0) } }
    }
}
