import ArgumentParser

/// `hotspotctl vouchers`: the group for importing, listing and settling prepaid vouchers.
struct VouchersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vouchers",
        abstract: "Import, list and settle prepaid vouchers.",
        subcommands: [VoucherImportCommand.self, VoucherListCommand.self, VoucherUnknownCommand.self,
                      VoucherSettleCommand.self])
}
