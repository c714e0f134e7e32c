import ArgumentParser
import Foundation
import StationAPI

/// `hotspotctl vouchers unknown`: vouchers whose outcome nobody knows yet, for a person to settle.
struct VoucherUnknownCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "unknown",
        abstract: "List vouchers whose outcome is unknown (timeout, unplug, restart) and wait for a person.",
        discussion: "Check the SIM's balance or the operator's records, then `hotspotctl vouchers settle ID "
            + "--applied|--rejected|--manual --note TEXT`. The daemon already compared balances where it could.")

    @OptionGroup var globals: GlobalOptions

    func execute(in context: CommandContext) async throws(HotspotctlError) {
        let vouchers = try await context.client.unknownVouchers()
        if context.json {
            try context.emitJSON(vouchers)
        } else {
            context.output.write(Self.render(vouchers, timestamps: context.timestamps))
        }
    }

    /// The human table: `ID PLAN CODE ICCID SINCE REASON BEFORE MB CHECKS`, or a sentence when none wait.
    static func render(_ vouchers: [UnknownVoucherInfo], timestamps: LocalTimestamp) -> String {
        guard !vouchers.isEmpty else { return "No voucher waits for settlement.\n" }
        let table = TextTable(
            [TextTable.Column(title: "ID", alignment: .right), TextTable.Column(title: "PLAN"),
             TextTable.Column(title: "CODE"), TextTable.Column(title: "ICCID"), TextTable.Column(title: "SINCE"),
             TextTable.Column(title: "REASON"), TextTable.Column(title: "BEFORE MB", alignment: .right),
             TextTable.Column(title: "CHECKS", alignment: .right)],
            rows: vouchers.map { voucher in
                [String(voucher.id), voucher.plan, voucher.code, voucher.iccid ?? "-", timestamps.dateTime(voucher.since),
                 voucher.state == "sending" ? "still sending" : (voucher.reason ?? "-"),
                 voucher.balanceBeforeMB.map(String.init) ?? "-", String(voucher.checks)]
            })
        return table.render()
    }
}

/// How a person settles an unknown voucher.
enum SettlementOutcomeFlag: String, EnumerableFlag, Sendable {
    case applied, rejected, manual

    static func help(for value: SettlementOutcomeFlag) -> ArgumentHelp? {
        switch value {
        case .applied: "The credit arrived on the SIM."
        case .rejected: "The credit did not arrive; the code is spent or refused."
        case .manual: "Settled outside the ledger (refund, operator ticket); say how in the note."
        }
    }
}

/// `hotspotctl vouchers settle ID --applied|--rejected|--manual --note TEXT`: a person decides an unknown voucher.
struct VoucherSettleCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "settle",
        abstract: "Settle an unknown voucher as applied, rejected or manual, with a note saying what you checked.",
        discussion: """
            Only an unknown voucher can be settled. The ledger records the outcome, the note and your uid. The station \
            refuses a settlement its balance checks contradict ('rejected' while the balance rose or was never \
            checked, 'applied' while it did not rise): plug the device in so the balance is checked, or use --force \
            if you know better (the ledger records that it was forced).
            """)

    @OptionGroup var globals: GlobalOptions

    @Argument(help: ArgumentHelp("The voucher's id (see `hotspotctl vouchers unknown`).", valueName: "id"))
    var id: Int64

    @Flag(help: "The outcome.")
    var outcome: SettlementOutcomeFlag

    @Option(name: .long, help: ArgumentHelp("What you checked, e.g. \"balance 120 MB → 2168 MB on *100#\".", valueName: "text"))
    var note: String

    @Flag(name: .long, help: "Settle even against the station's balance checks (recorded as forced).")
    var force = false

    func validate() throws {
        if id < 1 { throw ValidationError("The voucher id is a positive number.") }
        let trimmed = note.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { throw ValidationError("--note must say what you checked.") }
        if trimmed.utf8.count > 1024 { throw ValidationError("--note is at most 1024 bytes.") }
    }

    func execute(in context: CommandContext) async throws(HotspotctlError) {
        let voucher = try await context.client.settleVoucher(id, VoucherSettleRequest(
            outcome: outcome.rawValue, note: note.trimmingCharacters(in: .whitespacesAndNewlines), force: force ? true : nil))
        if context.json {
            try context.emitJSON(voucher)
        } else {
            context.output.write("Voucher \(voucher.id) (\(voucher.plan)) is now \(voucher.state).\n")
        }
    }
}
