import ArgumentParser

/// `hotspotctl vouchers`: the group for importing, listing and settling prepaid vouchers.
struct VouchersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vouchers",
        abstract: HelpLanguage.text(.vouchersAbstract),
        subcommands: [VoucherImportCommand.self, VoucherListCommand.self, VoucherUnknownCommand.self,
                      VoucherSettleCommand.self])
}
