import ArgumentParser
import Foundation
import Localization
import StationAPI

/// `hotspotctl history DEVICE|ICCID`: every provisioning of a device or SIM, newest first.
struct HistoryCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: HelpLanguage.text(.historyAbstract),
        discussion: HelpLanguage.text(.historyDiscussion))

    @OptionGroup var globals: GlobalOptions

    @Argument(help: HelpLanguage.argument(.historyReference, valueName: "device-or-iccid"))
    var reference: String

    @Option(name: .long, help: HelpLanguage.argument(.historyLimit, valueName: "n"))
    var limit: Int?

    func validate() throws {
        if let limit, !(1...100_000).contains(limit) { throw ValidationError(HelpLanguage.usage(.historyLimit)) }
    }

    func execute(in context: CommandContext) async throws(HotspotctlError) {
        let reference = LedgerDigits.digits(self.reference) ?? self.reference
        let entries = try await context.client.history(reference, limit: limit)
        if context.json {
            try context.emitJSON(entries)
        } else {
            context.output.write(Self.render(entries, timestamps: context.timestamps, messages: context.messages))
        }
    }

    /// `RUN STARTED ENDED STATE PLAN IMEI ICCID CODE UID`, or a sentence when empty.
    static func render(_ entries: [HistoryEntryInfo], timestamps: LocalTimestamp,
                       messages m: Messages = Messages(language: .english)) -> String {
        guard !entries.isEmpty else { return m.text(.noProvisionings) + "\n" }
        return TextTable(
            [TextTable.Column(title: m.text(.run), alignment: .right), TextTable.Column(title: m.text(.startedAt)),
             TextTable.Column(title: m.text(.endedAt)), TextTable.Column(title: m.text(.state)), TextTable.Column(title: m.text(.plan)),
             TextTable.Column(title: m.text(.imei)), TextTable.Column(title: m.text(.iccid)), TextTable.Column(title: m.text(.code)),
             TextTable.Column(title: m.text(.uid), alignment: .right)],
            rows: entries.map { entry in
                [String(entry.provisioningID), timestamps.dateTime(entry.startedAt),
                 entry.finishedAt.map { timestamps.time($0) } ?? "-", entry.state, entry.plan ?? "-", entry.imei ?? "-",
                 entry.iccid ?? "-", entry.failureCode ?? "-", entry.actorUID.map(String.init) ?? "-"]
            }).render()
    }
}
