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
        let started = ContinuousClock.now
        let bytes = request.csv.utf8.count
        if !context.json, bytes > 256 * 1024 {
            // A partner's book of many thousand codes: say what is under way (all of it, or none, in one transaction).
            StandardStream.standardError.write("Sending \(TerminalText.sanitize(request.fileName)) (\(bytes / 1024) KiB); the daemon imports all of it or nothing…\n")
        }
        let result = try await context.client.importVouchers(request)
        if context.json {
            try context.emitJSON(result)
        } else {
            let noun = result.imported == 1 ? "voucher" : "vouchers"
            let elapsed = started.duration(to: .now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let timing = bytes > 256 * 1024 ? String(format: " in %.1f s", seconds) : ""
            context.output.write("Imported \(result.imported) \(noun) from \(TerminalText.sanitize(request.fileName))\(timing).\n")
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
