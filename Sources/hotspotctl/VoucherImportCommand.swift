import ArgumentParser
import Foundation
import Localization
import StationAPI

/// `hotspotctl vouchers import FILE.csv`: sends a voucher file to the daemon, which adds all of it or none.
struct VoucherImportCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: HelpLanguage.text(.voucherImportAbstract),
        discussion: HelpLanguage.text(.voucherImportDiscussion))

    @OptionGroup var globals: GlobalOptions

    @Argument(help: HelpLanguage.argument(.voucherImportFile, valueName: "file.csv"))
    var file: String

    func execute(in context: CommandContext) async throws(HotspotctlError) {
        let request = try Self.request(forFileAt: file)
        let started = ContinuousClock.now
        let bytes = request.csv.utf8.count
        if !context.json, bytes > 256 * 1024 {
            // A partner's book of many thousand codes: say what is under way (all of it, or none, in one transaction).
            StandardStream.standardError.write(context.messages.text(.importSending, values: [
                TerminalText.sanitize(request.fileName), String(bytes / 1024)]) + "\n")
        }
        let result = try await context.client.importVouchers(request)
        if context.json {
            try context.emitJSON(result)
        } else {
            let noun = context.messages.text(result.imported == 1 ? .voucherNoun : .vouchersNoun)
            let elapsed = started.duration(to: .now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let figure = String(format: "%.1f", seconds)
            let timing = bytes > 256 * 1024
                ? " " + context.messages.text(.inSeconds, context.messages.language == .french ? figure.replacingOccurrences(of: ".", with: ",") : figure)
                : ""
            context.output.write(context.messages.text(.imported, values: [String(result.imported), noun,
                                                                            TerminalText.sanitize(request.fileName), timing]) + "\n")
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
