import ArgumentParser
import Foundation
import Localization
import StationAPI

/// `hotspotctl ledger`: the group for the ledger's events and its integrity (verify, anchor, export, backup).
///
/// `hotspotctl ledger [--iccid …]` with no subcommand still lists events (`events` is the default).
struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Show the ledger's events, verify its hash chain, print its anchor, export or back it up.",
        subcommands: [LedgerEventsCommand.self, LedgerVerifyCommand.self, LedgerAnchorCommand.self,
                      LedgerExportCommand.self, LedgerBackupCommand.self],
        defaultSubcommand: LedgerEventsCommand.self)
}

/// `hotspotctl ledger [events]`: the ledger's events, filtered by SIM, device, date, count.
struct LedgerEventsCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Show the ledger's events, newest last (the default of `hotspotctl ledger`).")

    @OptionGroup var globals: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("Only events of this SIM (full ICCID or unique last digits).", valueName: "iccid"))
    var iccid: String?

    @Option(name: .long, help: ArgumentHelp("Only events of this device (full IMEI or unique last digits).", valueName: "imei"))
    var imei: String?

    @Option(name: .long, help: ArgumentHelp(
        "Only events at or after this time: YYYY-MM-DD (local midnight) or ISO 8601 (2024-05-01T14:00:00Z).",
        valueName: "time"))
    var since: String?

    @Option(name: .long, help: ArgumentHelp("At most this many events.", valueName: "n"))
    var limit: Int?

    func validate() throws {
        if let iccid, iccid.isEmpty || !iccid.allSatisfy(\.isASCIIDigitOrF) {
            throw ValidationError("--iccid takes digits (the full ICCID or its last digits).")
        }
        if let imei, imei.isEmpty || !imei.allSatisfy({ $0.isASCII && $0.isNumber }) {
            throw ValidationError("--imei takes digits (the full IMEI or its last digits).")
        }
        if let since, DateArgument.parse(since) == nil {
            throw ValidationError("--since takes YYYY-MM-DD or an ISO 8601 time such as 2024-05-01T14:00:00Z, not '\(since)'.")
        }
        if let limit, limit < 1 {
            throw ValidationError("--limit must be at least 1.")
        }
    }

    func execute(in context: CommandContext) async throws(HotspotctlError) {
        let sinceDate = since.flatMap { DateArgument.parse($0, timeZone: context.timestamps.timeZone) }
        let events = try await context.client.ledger(iccid: iccid, imei: imei, since: sinceDate, limit: limit)
        if context.json {
            try context.emitJSON(events)
        } else {
            context.output.write(Self.render(events, timestamps: context.timestamps, messages: context.messages))
        }
    }

    /// The human table: `SEQ TIME KIND PROV IMEI ICCID VOUCHER UID DETAIL`, or a sentence when empty.
    static func render(_ events: [LedgerEventInfo], timestamps: LocalTimestamp,
                       messages: Messages = Messages(language: .english)) -> String {
        guard !events.isEmpty else { return messages.text(.noLedgerEvents) + "\n" }
        let table = TextTable(
            [TextTable.Column(title: "SEQ", alignment: .right), TextTable.Column(title: "TIME"),
             TextTable.Column(title: "KIND"), TextTable.Column(title: "PROV", alignment: .right),
             TextTable.Column(title: "IMEI"), TextTable.Column(title: "ICCID"),
             TextTable.Column(title: "VOUCHER", alignment: .right), TextTable.Column(title: "UID", alignment: .right),
             TextTable.Column(title: "DETAIL")],
            rows: events.map { event in
                [String(event.seq), timestamps.dateTime(event.at), event.kind,
                 event.provisioningID.map(String.init) ?? "-", event.imei ?? "-", event.iccid ?? "-",
                 event.voucherID.map(String.init) ?? "-", event.actorUID.map(String.init) ?? "-",
                 event.detail.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")]
            })
        return table.render()
    }
}

private extension Character {
    /// ICCIDs are digits, but some SIMs report a trailing `F` filler.
    var isASCIIDigitOrF: Bool { (isASCII && isNumber) || self == "F" || self == "f" }
}
