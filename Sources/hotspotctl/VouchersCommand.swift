import ArgumentParser

/// `hotspotctl vouchers`: the group for importing and listing prepaid vouchers.
struct VouchersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vouchers",
        abstract: "Import and list prepaid vouchers.",
        subcommands: [VoucherImportCommand.self, VoucherListCommand.self])
}
