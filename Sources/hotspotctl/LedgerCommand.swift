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
        abstract: HelpLanguage.text(.ledgerAbstract),
        subcommands: [LedgerEventsCommand.self, LedgerVerifyCommand.self, LedgerAnchorCommand.self,
                      LedgerExportCommand.self, LedgerBackupCommand.self],
        defaultSubcommand: LedgerEventsCommand.self)
}

/// `hotspotctl ledger [events]`: the ledger's events, filtered by SIM, device, date, count.
struct LedgerEventsCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: HelpLanguage.text(.ledgerEventsAbstract))

    @OptionGroup var globals: GlobalOptions

    @Option(name: .long, help: HelpLanguage.argument(.ledgerICCID, valueName: "iccid"))
    var iccid: String?

    @Option(name: .long, help: HelpLanguage.argument(.ledgerIMEI, valueName: "imei"))
    var imei: String?

    @Option(name: .long, help: ArgumentHelp(HelpLanguage.text(.ledgerSince) + HelpLanguage.text(.dayValues) + ".", valueName: "time"))
    var since: String?

    @Option(name: .long, help: HelpLanguage.argument(.ledgerLimit, valueName: "n"))
    var limit: Int?

    @Option(name: .long, help: HelpLanguage.argument(.ledgerTail, valueName: "n"))
    var tail: Int?

    func validate() throws {
        if let iccid, LedgerDigits.digits(iccid) == nil {
            throw ValidationError(HelpLanguage.usage(.ledgerICCID, values: [iccid]))
        }
        if let imei, LedgerDigits.digits(imei).map({ $0.allSatisfy(\.isNumber) }) != true {
            throw ValidationError(HelpLanguage.usage(.ledgerIMEI, values: [imei]))
        }
        if let since, DayArgument.since(since) == nil {
            throw ValidationError(HelpLanguage.usage(.sinceValue, values: [HelpLanguage.text(.dayValues), since]))
        }
        if let count = tail ?? limit, count < 1 {
            throw ValidationError(HelpLanguage.usage(.limitAtLeastOne))
        }
        if tail != nil, limit != nil, tail != limit {
            throw ValidationError(HelpLanguage.usage(.limitOrTail))
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
            [TextTable.Column(title: messages.text(.seq), alignment: .right), TextTable.Column(title: messages.text(.time)),
             TextTable.Column(title: messages.text(.kind)),
             TextTable.Column(title: messages.text(.provisioningShort), alignment: .right),
             TextTable.Column(title: messages.text(.imei)), TextTable.Column(title: messages.text(.iccid)),
             TextTable.Column(title: messages.text(.voucher), alignment: .right),
             TextTable.Column(title: messages.text(.uid), alignment: .right), TextTable.Column(title: messages.text(.detail))],
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
