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
        abstract: "Show the ledger's newest events, newest last (the default of `hotspotctl ledger`).")

    @OptionGroup var globals: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("Only events of this SIM: the full ICCID or its last 4 or more digits (…6782 as printed works too).", valueName: "iccid"))
    var iccid: String?

    @Option(name: .long, help: ArgumentHelp("Only events of this device: the full IMEI or its last 4 or more digits (as on the box).", valueName: "imei"))
    var imei: String?

    @Option(name: .long, help: ArgumentHelp("Only events at or after this time: \(DayArgument.help).", valueName: "time"))
    var since: String?

    @Option(name: .long, help: ArgumentHelp("The newest n events (default 1000), shown oldest first.", valueName: "n"))
    var limit: Int?

    @Option(name: .long, help: ArgumentHelp("The last n events: the same as --limit.", valueName: "n"))
    var tail: Int?

    func validate() throws {
        if let iccid, LedgerDigits.digits(iccid) == nil {
            throw ValidationError("--iccid takes the full ICCID or its last 4 or more digits, not '\(iccid)'.")
        }
        if let imei, LedgerDigits.digits(imei).map({ $0.allSatisfy(\.isNumber) }) != true {
            throw ValidationError("--imei takes the full IMEI or its last 4 or more digits, not '\(imei)'.")
        }
        if let since, DayArgument.since(since) == nil {
            throw ValidationError("--since takes \(DayArgument.help), not '\(since)'.")
        }
        if let count = tail ?? limit, count < 1 {
            throw ValidationError("--limit and --tail must be at least 1.")
        }
        if tail != nil, limit != nil, tail != limit {
            throw ValidationError("--limit and --tail say the same thing: give one of them.")
        }
    }

    func execute(in context: CommandContext) async throws(HotspotctlError) {
        let sinceDate = since.flatMap { DayArgument.since($0, timeZone: context.timestamps.timeZone) }
        let events = try await context.client.recentLedger(iccid: iccid.flatMap(LedgerDigits.digits),
                                                           imei: imei.flatMap(LedgerDigits.digits), since: sinceDate,
                                                           until: nil, limit: tail ?? limit)
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

/// An identifier as typed or pasted: digits, maybe after the `…` the station prints.
enum LedgerDigits {
    /// The digits (an ICCID's `F` filler upper-cased), 4 to 32 of them; nil for anything else.
    static func digits(_ text: String) -> String? {
        var body = Substring(text.trimmingCharacters(in: .whitespaces))
        while body.hasPrefix("…") { body = body.dropFirst() }
        while body.hasPrefix("...") { body = body.dropFirst(3) }
        let upper = body.uppercased()
        guard (4...32).contains(upper.count), upper.allSatisfy({ ($0.isASCII && $0.isNumber) || $0 == "F" }) else { return nil }
        return upper
    }
}
