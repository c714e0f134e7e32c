import ArgumentParser
import Foundation
import Localization
import StationAPI

/// The states a voucher can be in, as `--state` accepts them.
enum VoucherState: String, CaseIterable, ExpressibleByArgument, Sendable {
    case available, reserved, sending, applied, rejected, unknown, manual
}

/// `hotspotctl vouchers list`: the vouchers the ledger holds, codes redacted unless `--reveal`.
struct VoucherListCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: HelpLanguage.text(.voucherListAbstract))

    @OptionGroup var globals: GlobalOptions

    @Option(name: .long, help: HelpLanguage.argument(.voucherListState, valueName: "state"))
    var state: VoucherState?

    @Option(name: .long, help: ArgumentHelp(HelpLanguage.text(.voucherListSince) + HelpLanguage.text(.dayValues) + ".", valueName: "time"))
    var since: String?

    func validate() throws {
        if let since, DayArgument.since(since) == nil { throw ValidationError(HelpLanguage.usage(.sinceValue, values: [HelpLanguage.text(.dayValues), since])) }
    }

    func execute(in context: CommandContext) async throws(HotspotctlError) {
        let vouchers: [VoucherInfo]
        if let since, let date = DayArgument.since(since, timeZone: context.timestamps.timeZone) {
            vouchers = try await context.client.vouchers(state: state?.rawValue, since: date)
        } else {
            vouchers = try await context.client.vouchers(state: state?.rawValue)
        }
        if context.json {
            try context.emitJSON(vouchers)
        } else {
            context.output.write(Self.render(vouchers, timestamps: context.timestamps, messages: context.messages))
        }
    }

    /// The human table: `ID CODE PLAN STATE ICCID PROV BEFORE AFTER UPDATED`, or a sentence when empty.
    static func render(_ vouchers: [VoucherInfo], timestamps: LocalTimestamp,
                       messages m: Messages = Messages(language: .english)) -> String {
        guard !vouchers.isEmpty else { return m.text(.noVouchers) + "\n" }
        let table = TextTable(
            [TextTable.Column(title: m.text(.id), alignment: .right), TextTable.Column(title: m.text(.code)),
             TextTable.Column(title: m.text(.plan)), TextTable.Column(title: m.text(.state)), TextTable.Column(title: m.text(.iccid)),
             TextTable.Column(title: m.text(.provisioningShort), alignment: .right),
             TextTable.Column(title: m.text(.beforeMB), alignment: .right),
             TextTable.Column(title: m.text(.afterMB), alignment: .right), TextTable.Column(title: m.text(.updated))],
            rows: vouchers.map { voucher in
                [String(voucher.id), voucher.code, voucher.plan, m.text(.voucherState(voucher.state)), voucher.iccid ?? "-",
                 voucher.provisioningID.map(String.init) ?? "-", voucher.balanceBeforeMB.map(String.init) ?? "-",
                 voucher.balanceAfterMB.map(String.init) ?? "-", timestamps.dateTime(voucher.updatedAt)]
            })
        return table.render()
    }
}
