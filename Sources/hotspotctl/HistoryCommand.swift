import ArgumentParser
import Foundation
import StationAPI

/// `hotspotctl history DEVICE|ICCID`: every provisioning of a device or SIM, newest first.
struct HistoryCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "The provisionings of a device or SIM, newest first.",
        discussion: """
            DEVICE is an attached device's id (d3), or the last 4 or more digits of an IMEI or ICCID (…7899 as the \
            tables print it works too), attached or not.
            """)

    @OptionGroup var globals: GlobalOptions

    @Argument(help: ArgumentHelp("A device id, or IMEI or ICCID digits (full or last 4+).", valueName: "device-or-iccid"))
    var reference: String

    @Option(name: .long, help: ArgumentHelp("At most this many runs (default 100).", valueName: "n"))
    var limit: Int?

    func validate() throws {
        if let limit, !(1...100_000).contains(limit) { throw ValidationError("--limit must be between 1 and 100000.") }
    }

    func execute(in context: CommandContext) async throws(HotspotctlError) {
        let reference = LedgerDigits.digits(self.reference) ?? self.reference
        let entries = try await context.client.history(reference, limit: limit)
        if context.json {
            try context.emitJSON(entries)
        } else {
            context.output.write(Self.render(entries, timestamps: context.timestamps))
        }
    }

    /// `RUN STARTED ENDED STATE PLAN IMEI ICCID CODE UID`, or a sentence when empty.
    static func render(_ entries: [HistoryEntryInfo], timestamps: LocalTimestamp) -> String {
        guard !entries.isEmpty else { return "No provisionings.\n" }
        return TextTable(
            [TextTable.Column(title: "RUN", alignment: .right), TextTable.Column(title: "STARTED"),
             TextTable.Column(title: "ENDED"), TextTable.Column(title: "STATE"), TextTable.Column(title: "PLAN"),
             TextTable.Column(title: "IMEI"), TextTable.Column(title: "ICCID"), TextTable.Column(title: "CODE"),
             TextTable.Column(title: "UID", alignment: .right)],
            rows: entries.map { entry in
                [String(entry.provisioningID), timestamps.dateTime(entry.startedAt),
                 entry.finishedAt.map { timestamps.time($0) } ?? "-", entry.state, entry.plan ?? "-", entry.imei ?? "-",
                 entry.iccid ?? "-", entry.failureCode ?? "-", entry.actorUID.map(String.init) ?? "-"]
            }).render()
    }
}
