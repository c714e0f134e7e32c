import ArgumentParser
import Foundation
import StationAPI

/// `hotspotctl vouchers import FILE.csv`: sends a voucher file to the daemon, which adds all of it or none.
struct VoucherImportCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import vouchers from a CSV file (header line, then code,plan).",
        discussion: "The daemon checks the whole file first and imports all of it or nothing; an error names the file and line.")

    @OptionGroup var globals: GlobalOptions

    @Argument(help: ArgumentHelp("The CSV file.", valueName: "file.csv"))
    var file: String

    func execute(in context: CommandContext) async throws(HotspotctlError) {
        let request = try Self.request(forFileAt: file)
        let result = try await context.client.importVouchers(request)
        if context.json {
            try context.emitJSON(result)
        } else {
            let noun = result.imported == 1 ? "voucher" : "vouchers"
            context.output.write("Imported \(result.imported) \(noun) from \(TerminalText.sanitize(request.fileName)).\n")
        }
    }

    /// Reads the file into a request named after the file (its last path component), refusing non-UTF-8 text.
    static func request(forFileAt path: String) throws(HotspotctlError) -> VoucherImportRequest {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
            throw .localInput("cannot read \(path): \(reason)")
        }
        guard let csv = String(data: data, encoding: .utf8) else {
            throw .localInput("\(path) is not UTF-8 text")
        }
        return VoucherImportRequest(fileName: URL(fileURLWithPath: path).lastPathComponent, csv: csv)
    }
}
