import ArgumentParser
import Foundation
import Localization
import StationAPI

/// `hotspotctl vouchers unknown`: vouchers whose outcome nobody knows yet, for a person to settle.
struct VoucherUnknownCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "unknown",
        abstract: HelpLanguage.text(.voucherUnknownAbstract),
        discussion: HelpLanguage.text(.voucherUnknownDiscussion))

    @OptionGroup var globals: GlobalOptions

    func execute(in context: CommandContext) async throws(HotspotctlError) {
        let vouchers = try await context.client.unknownVouchers()
        if context.json {
            try context.emitJSON(vouchers)
        } else {
            context.output.write(Self.render(vouchers, timestamps: context.timestamps, messages: context.messages))
        }
    }

    /// The human table: `ID PLAN CODE ICCID SINCE REASON BEFORE MB CHECKS`, or a sentence when none wait.
    static func render(_ vouchers: [UnknownVoucherInfo], timestamps: LocalTimestamp,
                       messages m: Messages = Messages(language: .english)) -> String {
        guard !vouchers.isEmpty else { return m.text(.noUnknownVouchers) + "\n" }
        let table = TextTable(
            [TextTable.Column(title: m.text(.id), alignment: .right), TextTable.Column(title: m.text(.plan)),
             TextTable.Column(title: m.text(.code)), TextTable.Column(title: m.text(.iccid)), TextTable.Column(title: m.text(.since)),
             TextTable.Column(title: m.text(.reason)), TextTable.Column(title: m.text(.beforeMB), alignment: .right),
             TextTable.Column(title: m.text(.checks), alignment: .right)],
            rows: vouchers.map { voucher in
                [String(voucher.id), voucher.plan, voucher.code, voucher.iccid ?? "-", timestamps.dateTime(voucher.since),
                 voucher.state == "sending" ? m.text(.stillSending) : (voucher.reason ?? "-"),
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
        case .applied: HelpLanguage.argument(.settledApplied)
        case .rejected: HelpLanguage.argument(.settledRejected)
        case .manual: HelpLanguage.argument(.settledManual)
        }
    }
}

/// `hotspotctl vouchers settle ID --applied|--rejected|--manual --note TEXT`: a person decides an unknown voucher.
struct VoucherSettleCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "settle",
        abstract: HelpLanguage.text(.voucherSettleAbstract),
        discussion: HelpLanguage.text(.voucherSettleDiscussion))

    @OptionGroup var globals: GlobalOptions

    @Argument(help: HelpLanguage.argument(.voucherSettleID, valueName: "id"))
    var id: Int64

    @Flag(help: HelpLanguage.argument(.voucherSettleOutcome))
    var outcome: SettlementOutcomeFlag

    @Option(name: .long, help: HelpLanguage.argument(.voucherSettleNote, valueName: "text"))
    var note: String

    @Flag(name: .long, help: HelpLanguage.argument(.voucherSettleForce))
    var force = false

    func validate() throws {
        if id < 1 { throw ValidationError(HelpLanguage.usage(.voucherID)) }
        let trimmed = note.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { throw ValidationError(HelpLanguage.usage(.noteEmpty)) }
        if trimmed.utf8.count > 1024 { throw ValidationError(HelpLanguage.usage(.noteTooLong)) }
    }

    func execute(in context: CommandContext) async throws(HotspotctlError) {
        let voucher = try await context.client.settleVoucher(id, VoucherSettleRequest(
            outcome: outcome.rawValue, note: note.trimmingCharacters(in: .whitespacesAndNewlines), force: force ? true : nil))
        if context.json {
            try context.emitJSON(voucher)
        } else {
            context.output.write(context.messages.text(.voucherIsNow, values: [String(voucher.id), voucher.plan,
                                                                               context.messages.text(.voucherState(voucher.state))]) + "\n")
        }
    }
}
