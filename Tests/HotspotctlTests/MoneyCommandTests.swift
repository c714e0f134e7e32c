import Foundation
import Testing
@testable import hotspotctl
import StationAPI

/// `ledger verify|anchor|export|backup` and `vouchers unknown|settle` over a fake transport.
@Suite struct MoneyCommandTests {
    static let head = LedgerAnchorInfo(seq: 109, hash: String(repeating: "ab", count: 32))
    static let good = LedgerVerifyInfo(ok: true, rowsChecked: 109, lastGood: head, anchor: nil, failure: nil, elapsedMS: 3)
    static let bad = LedgerVerifyInfo(
        ok: false, rowsChecked: 41, lastGood: LedgerAnchorInfo(seq: 41, hash: String(repeating: "cd", count: 32)), anchor: nil,
        failure: .init(seq: 42, reason: "hashMismatch", message: "event 42 was altered: its content does not match its hash"),
        elapsedMS: 1)

    @Test func verifyPrintsOkRowsAndHead() async throws {
        let transport = FakeTransport()
        try transport.reply("GET", "/v1/ledger/verify", json: Self.good)
        let result = try await runCommand(["ledger", "verify"], transport: transport)
        #expect(result.status == 0)
        #expect(result.stdout == "ok: 109 events verified in 3 ms\nhead: 109:\(Self.head.hash)\n")
    }

    @Test func verifyNamesTheFirstBadEventAndExitsFive() async throws {
        let transport = FakeTransport()
        try transport.reply("GET", "/v1/ledger/verify", json: Self.bad)
        let result = try await runCommand(["ledger", "verify"], transport: transport)
        #expect(result.status == 5)
        #expect(result.stdout.hasPrefix("FAILED at event 42 (hashMismatch): event 42 was altered"))
        #expect(result.stderr == "hotspotctl: the ledger does not verify at event 42: event 42 was altered: its content does not match its hash\n")

        let json = try await runCommand(["ledger", "verify", "--json"], transport: transport)
        #expect(json.status == 5)
        // One JSON document: the verification itself, failure included.
        #expect(try StationJSON.decoder().decode(LedgerVerifyInfo.self, from: Data(json.stdout.utf8)) == Self.bad)
    }

    @Test func verifySendsTheAnchorAndRefusesAMalformedOne() async throws {
        let transport = FakeTransport()
        var anchored = Self.good
        anchored.anchor = Self.head
        try transport.reply("GET", "/v1/ledger/verify", json: anchored)
        let result = try await runCommand(["ledger", "verify", "--anchor", Self.head.text], transport: transport)
        #expect(result.status == 0)
        #expect(result.stdout.contains("anchor 109 matches"))
        #expect(transport.requests.first?.query == ["anchor": Self.head.text])
        #expect(throws: (any Error).self) { try Hotspotctl.parseAsRoot(["ledger", "verify", "--anchor", "109"]) }
        #expect(throws: (any Error).self) { try Hotspotctl.parseAsRoot(["ledger", "verify", "--anchor", "x:\(Self.head.hash)"]) }
    }

    @Test func anchorPrintsSeqColonHash() async throws {
        let transport = FakeTransport()
        try transport.reply("GET", "/v1/ledger/anchor", json: Self.head)
        #expect(try await runCommand(["ledger", "anchor"], transport: transport).stdout == "109:\(Self.head.hash)\n")
        let json = try await runCommand(["ledger", "anchor", "--json"], transport: transport)
        #expect(try StationJSON.decoder().decode(LedgerAnchorInfo.self, from: Data(json.stdout.utf8)) == Self.head)
        #expect(LedgerAnchorInfo(text: Self.head.text) == Self.head)
    }

    @Test func exportWritesTheStreamedLinesToAFileWithTheFormatsLineEnds() async throws {
        let transport = FakeTransport()
        transport.stream(["seq,at,kind", "1,2024-05-01T14:03:22.000Z,voucher.imported", "2,2024-05-01T14:03:23.000Z,voucher.imported"])
        let file = NSTemporaryDirectory() + "export-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: file) }
        let result = try await runCommand(["ledger", "export", "--format", "csv", "--output", file, "--json"], transport: transport)
        #expect(result.status == 0)
        let written = try String(contentsOfFile: file, encoding: .utf8)
        #expect(written == "seq,at,kind\r\n1,2024-05-01T14:03:22.000Z,voucher.imported\r\n2,2024-05-01T14:03:23.000Z,voucher.imported\r\n")
        // Full identifiers inside: owner-only, whatever the umask.
        #expect(try (FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int) == 0o600)
        let summary = try StationJSON.decoder().decode(LedgerExportSummary.self, from: Data(result.stdout.utf8))
        #expect(summary.events == 2 && summary.format == "csv" && summary.bytes == written.utf8.count)
        #expect(transport.requests.first == StationHTTPRequest(method: "GET", path: "/v1/ledger/export", query: ["format": "csv"]))

        transport.stream([#"{"seq":1}"#])
        #expect(try await runCommand(["ledger", "export"], transport: transport).stdout == "{\"seq\":1}\n")
        #expect(throws: (any Error).self) { try Hotspotctl.parseAsRoot(["ledger", "export", "--format", "xml"]) }
    }

    @Test func backupSendsAnAbsolutePathAndReportsTheVerifiedCopy() async throws {
        let transport = FakeTransport()
        try transport.reply("POST", "/v1/ledger/backup", status: 201,
                            json: LedgerBackupInfo(path: "/srv/backup/ledger.sqlite", rowsChecked: 109, head: Self.head, integrityOK: true))
        let result = try await runCommand(["ledger", "backup", "/srv/backup/ledger.sqlite"], transport: transport)
        #expect(result.status == 0)
        #expect(result.stdout == """
            Backed up 109 events to /srv/backup/ledger.sqlite.
            The copy passes integrity_check and its chain verifies up to 109:\(Self.head.hash).

            """)
        let body = try #require(transport.requests.first?.body)
        #expect(try StationJSON.decoder().decode(LedgerBackupRequest.self, from: Data(body)).path == "/srv/backup/ledger.sqlite")

        _ = try await runCommand(["ledger", "backup", "copy.sqlite"], transport: transport)
        let relative = try #require(transport.requests.last?.body)
        let sent = try StationJSON.decoder().decode(LedgerBackupRequest.self, from: Data(relative)).path
        #expect(sent == FileManager.default.currentDirectoryPath + "/copy.sqlite")
    }

    static let waiting = UnknownVoucherInfo(
        id: 7, plan: "500MB", code: "••••9012", state: "unknown", iccid: "…6782", provisioningID: 3, since: Sample.date,
        reason: "daemon restarted while the voucher was being sent", balanceBeforeMB: 1000, checks: 1)

    @Test func unknownListsWhatAPersonMustSettle() async throws {
        let transport = FakeTransport()
        try transport.reply("GET", "/v1/vouchers/unknown", json: [Self.waiting])
        let result = try await runCommand(["vouchers", "unknown"], transport: transport)
        #expect(result.stdout == """
            ID  PLAN   CODE      ICCID  SINCE                REASON                                             BEFORE MB  CHECKS
             7  500MB  ••••9012  …6782  2024-05-01 14:03:22  daemon restarted while the voucher was being sent       1000       1

            """)
        let json = try await runCommand(["vouchers", "unknown", "--json", "--reveal"], transport: transport)
        #expect(try StationJSON.decoder().decode([UnknownVoucherInfo].self, from: Data(json.stdout.utf8)) == [Self.waiting])
        #expect(transport.requests.last?.query == ["reveal": "1"])

        try transport.reply("GET", "/v1/vouchers/unknown", json: [UnknownVoucherInfo]())
        #expect(try await runCommand(["vouchers", "unknown"], transport: transport).stdout == "No voucher waits for settlement.\n")
    }

    @Test func settleSendsTheOutcomeAndNoteAndNeedsBoth() async throws {
        let transport = FakeTransport()
        let settled = VoucherInfo(id: 7, code: "••••9012", plan: "500MB", state: "applied", iccid: "…6782", provisioningID: 3,
                                  balanceBeforeMB: 1000, balanceAfterMB: nil, updatedAt: Sample.date)
        try transport.reply("POST", "/v1/vouchers/7/settle", json: settled)
        let result = try await runCommand(["vouchers", "settle", "7", "--applied", "--note", " balance 1000 → 1500 MB "], transport: transport)
        #expect(result.status == 0)
        #expect(result.stdout == "Voucher 7 (500MB) is now applied.\n")
        let body = try #require(transport.requests.first?.body)
        #expect(try StationJSON.decoder().decode(VoucherSettleRequest.self, from: Data(body))
                == VoucherSettleRequest(outcome: "applied", note: "balance 1000 → 1500 MB"))

        for arguments in [["vouchers", "settle", "7", "--applied"], ["vouchers", "settle", "7", "--note", "x"],
                          ["vouchers", "settle", "7", "--applied", "--rejected", "--note", "x"],
                          ["vouchers", "settle", "7", "--rejected", "--note", "   "], ["vouchers", "settle", "0", "--manual", "--note", "x"]] {
            #expect(throws: (any Error).self) { try Hotspotctl.parseAsRoot(arguments) }
        }
    }

    @Test func settleForceIsSentOnlyWhenAsked() async throws {
        let transport = FakeTransport()
        let settled = VoucherInfo(id: 7, code: "••••9012", plan: "500MB", state: "rejected", iccid: "…6782", provisioningID: 3,
                                  balanceBeforeMB: 1000, balanceAfterMB: nil, updatedAt: Sample.date)
        try transport.reply("POST", "/v1/vouchers/7/settle", json: settled)
        _ = try await runCommand(["vouchers", "settle", "7", "--rejected", "--note", "operator ticket 42", "--force"], transport: transport)
        let body = try #require(transport.requests.first?.body)
        #expect(try StationJSON.decoder().decode(VoucherSettleRequest.self, from: Data(body))
                == VoucherSettleRequest(outcome: "rejected", note: "operator ticket 42", force: true))
    }

    @Test func topUpAndProvisionAgainSendExplicitOrders() async throws {
        let transport = FakeTransport()
        let status = DeviceStatus(id: "d1", port: "/dev/ttyUSB2", state: .provisioning, plan: "2GB", orderID: 2, updatedAt: Sample.date)
        try transport.reply("POST", "/v1/devices/d1/topup", json: status)
        let topUp = try await runCommand(["topup", "d1", "--plan", "2GB", "--json"], transport: transport)
        #expect(topUp.status == 0)
        #expect(try StationJSON.decoder().decode(DeviceStatus.self, from: Data(topUp.stdout.utf8)).orderID == 2)
        let topUpBody = try #require(transport.requests.last?.body)
        #expect(try StationJSON.decoder().decode(TopUpRequest.self, from: Data(topUpBody)) == TopUpRequest(plan: "2GB"))
        #expect(throws: (any Error).self) { try Hotspotctl.parseAsRoot(["topup", "d1"]) }

        try transport.reply("POST", "/v1/devices/d1/provision", json: status)
        _ = try await runCommand(["provision", "d1", "--again"], transport: transport)
        let againBody = try #require(transport.requests.last?.body)
        #expect(try StationJSON.decoder().decode(ProvisionRequest.self, from: Data(againBody)) == ProvisionRequest(again: true))
        _ = try await runCommand(["provision", "d1"], transport: transport)
        let plainBody = try #require(transport.requests.last?.body)
        #expect(try StationJSON.decoder().decode(ProvisionRequest.self, from: Data(plainBody)) == ProvisionRequest())
    }

    @Test func settleReportsTheDaemonsRefusal() async throws {
        let transport = FakeTransport()
        try transport.reply("POST", "/v1/vouchers/7/settle", status: 409, json: APIErrorBody(error: FailureInfo(
            code: "voucher-not-unknown", message: "Voucher 7 is not unknown; only an unknown voucher is settled.")))
        let result = try await runCommand(["vouchers", "settle", "7", "--rejected", "--note", "checked"], transport: transport)
        #expect(result.status == 1)
        #expect(result.stderr == "hotspotctl: Voucher 7 is not unknown; only an unknown voucher is settled.\n")
        try transport.reply("POST", "/v1/vouchers/7/settle", status: 429, json: APIErrorBody(error: FailureInfo(
            code: "rate-limited", message: "Too many money operations from uid 1000; try again in 6 s.")))
        let limited = try await runCommand(["vouchers", "settle", "7", "--rejected", "--note", "checked", "--json"], transport: transport)
        #expect(limited.status == 1)
        #expect(limited.stdout.contains("\"rate-limited\""))
    }

    @Test func ledgerWithoutASubcommandStillListsEvents() async throws {
        let transport = FakeTransport()
        try transport.reply("GET", "/v1/ledger", json: [LedgerEventInfo]())
        #expect(try await runCommand(["ledger", "--limit", "5"], transport: transport).stdout == "No ledger events.\n")
        #expect(transport.requests.first?.query == ["limit": "5"])
    }
}
