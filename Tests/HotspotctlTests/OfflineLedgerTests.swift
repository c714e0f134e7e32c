import Foundation
import Ledger
import StationAPI
import Testing
@testable import hotspotctl

/// `ledger verify|anchor|export --database FILE`: a ledger copy checked without a daemon, printed as the daemon path prints.
@Suite struct OfflineLedgerTests {
    /// A ledger built with the Ledger library in its own directory, and a copy made with its online backup.
    final class LedgerCopy {
        let directory: URL
        let ledger: Ledger
        let copy: String
        /// The seq of the event whose detail holds `marker` (to tamper with in the file's bytes).
        let markedSeq: Int64
        static let marker = "TAMPER-ME-0451"

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("offline-ledger-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            ledger = try Ledger(path: directory.appendingPathComponent("ledger.sqlite").path)
            try ledger.recordDevice(imei: "861234567890123", manufacturer: "huawei", model: "E5573", firmware: "21.1",
                                    port: "/dev/ttyUSB0", actor: nil)
            try ledger.importVouchers([(code: "CODE000001", plan: "2GB"), (code: "CODE000002", plan: "2GB")], actor: 1000)
            markedSeq = try ledger.recordDeviceEvent(imei: "861234567890123", iccid: nil, kind: .unplugged,
                                                     detail: ["marker": Self.marker], actor: nil)
            try ledger.importVouchers([(code: "CODE000003", plan: "500MB")], actor: 1000)
            copy = directory.appendingPathComponent("copy.sqlite").path
            try ledger.backup(to: copy)
        }

        deinit { try? FileManager.default.removeItem(at: directory) }

        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

        /// A copy of `copy` with one byte of the marked event's detail changed (below SQL: no trigger, no SQLite).
        func tamperedCopy() throws -> String {
            var bytes = try Data(contentsOf: URL(fileURLWithPath: copy))
            let marker = Data(Self.marker.utf8)
            let found = try #require(bytes.range(of: marker))
            #expect(bytes.range(of: marker, in: found.upperBound..<bytes.endIndex) == nil)
            bytes[found.lowerBound] = UInt8(ascii: "X")
            let tampered = path("tampered.sqlite")
            try bytes.write(to: URL(fileURLWithPath: tampered))
            return tampered
        }
    }

    /// A transport that fails the test if the offline path uses it.
    static func noDaemon() -> FakeTransport {
        let transport = FakeTransport()
        transport.fail(with: .daemonUnreachable(socketPath: transport.socketPath, reason: .notRunning))
        return transport
    }

    @Test func verifiesACopyWithoutADaemonAndLeavesItUnchanged() async throws {
        let fixture = try LedgerCopy()
        let before = try Data(contentsOf: URL(fileURLWithPath: fixture.copy))
        let head = try fixture.ledger.headHash()
        let transport = Self.noDaemon()

        let result = try await runCommand(["ledger", "verify", "--database", fixture.copy], transport: transport)
        #expect(result.status == 0)
        #expect(result.stderr == "")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix("ok: \(head.seq) events verified in ") == true)
        #expect(lines.last == "head: \(head.seq):\(head.hash)")

        let anchored = try await runCommand(["ledger", "verify", "--database", fixture.copy, "--anchor", "\(head.seq):\(head.hash)",
                                             "--json"], transport: transport)
        #expect(anchored.status == 0)
        let info = try StationJSON.decoder().decode(LedgerVerifyInfo.self, from: Data(anchored.stdout.utf8))
        #expect(info.ok && info.rowsChecked == Int(head.seq) && info.failure == nil)
        #expect(info.lastGood == LedgerAnchorInfo(seq: head.seq, hash: head.hash))
        #expect(info.anchor == LedgerAnchorInfo(seq: head.seq, hash: head.hash))

        #expect(transport.requests.isEmpty)
        #expect(try Data(contentsOf: URL(fileURLWithPath: fixture.copy)) == before)
    }

    @Test func aChangedByteInACopyExitsFiveNamingTheEventAsTheDaemonPathDoes() async throws {
        let fixture = try LedgerCopy()
        let tampered = try fixture.tamperedCopy()
        let seq = fixture.markedSeq

        let offline = try await runCommand(["ledger", "verify", "--database", tampered], transport: Self.noDaemon())
        #expect(offline.status == 5)
        #expect(offline.stdout.hasPrefix("FAILED at event \(seq) (hashMismatch): event \(seq) was altered"))
        #expect(offline.stdout.contains("events verified before it: \(seq - 1)"))
        #expect(offline.stderr == "hotspotctl: the ledger does not verify at event \(seq): event \(seq) was altered: its content does not match its hash\n")

        let json = try await runCommand(["ledger", "verify", "--database", tampered, "--json"], transport: Self.noDaemon())
        #expect(json.status == 5)
        let info = try StationJSON.decoder().decode(LedgerVerifyInfo.self, from: Data(json.stdout.utf8))
        #expect(!info.ok && info.failure?.seq == seq && info.failure?.reason == "hashMismatch")

        // The daemon path, given the same verification, prints the same text and exits the same way.
        let daemon = FakeTransport()
        try daemon.reply("GET", "/v1/ledger/verify", json: info)
        let online = try await runCommand(["ledger", "verify"], transport: daemon)
        #expect(online.status == offline.status && online.stdout == offline.stdout && online.stderr == offline.stderr)
    }

    @Test func anAnchorFromTheLiveLedgerCatchesACopyWhoseTailWasCut() async throws {
        let fixture = try LedgerCopy()
        let oldCopyHead = try fixture.ledger.headHash()
        try fixture.ledger.recordDeviceEvent(imei: "861234567890123", iccid: nil, kind: .replugged, detail: [:], actor: nil)
        let newHead = try fixture.ledger.headHash()
        let result = try await runCommand(["ledger", "verify", "--database", fixture.copy, "--anchor", "\(newHead.seq):\(newHead.hash)"],
                                          transport: Self.noDaemon())
        #expect(result.status == 5)
        #expect(result.stdout.hasPrefix("FAILED at event \(newHead.seq) (anchorMismatch)"))
        #expect(result.stdout.contains("last good \(oldCopyHead.seq):\(oldCopyHead.hash)"))
    }

    @Test func anchorAndExportReadTheCopyAsTheLedgerWritesIt() async throws {
        let fixture = try LedgerCopy()
        let head = try fixture.ledger.headHash()
        let transport = Self.noDaemon()
        let anchor = try await runCommand(["ledger", "anchor", "--database", fixture.copy], transport: transport)
        #expect(anchor.status == 0 && anchor.stdout == "\(head.seq):\(head.hash)\n")
        let anchorJSON = try await runCommand(["ledger", "anchor", "--database", fixture.copy, "--json"], transport: transport)
        #expect(try StationJSON.decoder().decode(LedgerAnchorInfo.self, from: Data(anchorJSON.stdout.utf8))
            == LedgerAnchorInfo(seq: head.seq, hash: head.hash))

        var jsonl = Data()
        try fixture.ledger.exportEvents(format: .jsonl) { jsonl.append($0) }
        let stdout = try await runCommand(["ledger", "export", "--database", fixture.copy], transport: transport)
        #expect(stdout.status == 0 && stdout.stdout == String(decoding: jsonl, as: UTF8.self))

        var csv = Data()
        try fixture.ledger.exportEvents(format: .csv) { csv.append($0) }
        let file = fixture.path("export.csv")
        let written = try await runCommand(["ledger", "export", "--database", fixture.copy, "--format", "csv", "--output", file, "--json"],
                                           transport: transport)
        #expect(written.status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == csv)
        let summary = try StationJSON.decoder().decode(LedgerExportSummary.self, from: Data(written.stdout.utf8))
        #expect(summary.events == Int(head.seq) && summary.bytes == csv.count && summary.format == "csv")
        #expect(transport.requests.isEmpty)
    }

    @Test func aMissingFileOrAFileThatIsNotALedgerIsNamedAndExitsOne() async throws {
        let fixture = try LedgerCopy()
        let absent = fixture.path("absent.sqlite")
        let missing = try await runCommand(["ledger", "verify", "--database", absent], transport: Self.noDaemon())
        #expect(missing.status == 1)
        #expect(missing.stderr == "hotspotctl: ledger file \(absent): no such file\n")
        #expect(!FileManager.default.fileExists(atPath: absent))

        let text = fixture.path("notes.txt")
        try Data(String(repeating: "not a database\n", count: 200).utf8).write(to: URL(fileURLWithPath: text))
        let notLedger = try await runCommand(["ledger", "anchor", "--database", text, "--json"], transport: Self.noDaemon())
        #expect(notLedger.status == 1)
        #expect(notLedger.stderr.hasPrefix("hotspotctl: ledger file \(text): not a ledger"))
        let body = try StationJSON.decoder().decode(APIErrorBody.self, from: Data(notLedger.stdout.utf8))
        #expect(body.error.code == "ledger-file" && body.error.message.contains(text))

        let export = try await runCommand(["ledger", "export", "--database", absent], transport: Self.noDaemon())
        #expect(export.status == 1 && export.stderr.contains(absent))
    }

    @Test func databaseAndSocketAreRefusedTogether() throws {
        for subcommand in [["verify"], ["anchor"], ["export"]] {
            #expect(throws: (any Error).self) {
                try Hotspotctl.parseAsRoot(["ledger"] + subcommand + ["--database", "/tmp/x.sqlite", "--socket", "/tmp/s.sock"])
            }
            #expect(throws: Never.self) { try Hotspotctl.parseAsRoot(["ledger"] + subcommand + ["--database", "/tmp/x.sqlite"]) }
        }
        #expect(throws: (any Error).self) {
            try Hotspotctl.parseAsRoot(["ledger", "export", "--database", "/tmp/x.sqlite", "--output", "/tmp/../tmp/x.sqlite"])
        }
    }
}

/// The built executable with `--database`: exit statuses from `main()`.
@Suite(.enabled(if: HotspotctlBinary.url != nil, "the hotspotctl executable is not next to the test bundle"))
struct OfflineLedgerBinaryTests {
    @Test func theBinaryVerifiesACopyAndExitsFiveOnATamperedOne() throws {
        let fixture = try OfflineLedgerTests.LedgerCopy()
        let good = try HotspotctlBinary.run(["ledger", "verify", "--database", fixture.copy])
        #expect(good.status == 0 && good.stdout.hasPrefix("ok: "))
        let bad = try HotspotctlBinary.run(["ledger", "verify", "--database", try fixture.tamperedCopy()])
        #expect(bad.status == 5)
        #expect(bad.stderr.contains("does not verify at event \(fixture.markedSeq)"))
        // With no daemon anywhere: the socket is never asked.
        #expect(!bad.stderr.contains("cannot reach hotspotd"))
    }

    @Test func theBinaryRefusesDatabaseWithSocketAsAUsageError() throws {
        let result = try HotspotctlBinary.run(["ledger", "anchor", "--database", "/tmp/x.sqlite", "--socket", "/tmp/s.sock"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--database and --socket cannot be used together"))
    }
}
