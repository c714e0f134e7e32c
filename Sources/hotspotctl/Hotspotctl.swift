import ArgumentParser
import Foundation
import StationAPI

/// The root command of `hotspotctl`, the command-line client of `hotspotd`.
///
/// Thin on purpose: every subcommand is its own type. `main()` is replaced so that usage errors exit with
/// status 2 (argument-parser's default is 64, `EX_USAGE`), as the exit-status table in `docs/hotspotctl.md` says.
@main
struct Hotspotctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hotspotctl",
        abstract: "Ask the hotspot station (hotspotd) about devices, vouchers and the ledger, and start provisioning.",
        discussion: """
            Exit status: 0 success, 1 error reported by hotspotd (or a local error), 2 usage error, \
            3 hotspotd not reachable, 4 not found, 5 the ledger does not verify. Global options (--json, --socket, \
            --lang, --reveal…) may come before the subcommand: hotspotctl --json devices.
            """,
        version: SoftwareVersion.current,
        subcommands: [
            DevicesCommand.self,
            StatusCommand.self,
            CardCommand.self,
            CompletionCandidatesCommand.self,
            WatchCommand.self,
            ProvisionCommand.self,
            TopUpCommand.self,
            OrdersCommand.self,
            UnlockCommand.self,
            AttachCommand.self,
            DetachCommand.self,
            VouchersCommand.self,
            LedgerCommand.self,
            PlansCommand.self,
            DecodeCommand.self,
            BoardCommand.self,
            ReportCommand.self,
            HistoryCommand.self,
            ReloadCommand.self,
        ]
    )

    /// The exit status of a usage error (argument-parser uses 64 unless told otherwise).
    static let usageExitCode = ExitCode(2)

    /// Parses the arguments, runs the chosen command and exits with the status the command chose.
    static func main() async {
        do {
            var command = try parseAsRoot(GlobalOptionOrder.movingLeadingGlobals(Array(CommandLine.arguments.dropFirst())))
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: remappingUsageError(error))
        }
    }

    /// Maps argument-parser's usage failures to exit status 2, printing their message first; other errors pass.
    static func remappingUsageError(_ error: any Error, errorOutput: any OutputSink = StandardStream.standardError) -> any Error {
        guard exitCode(for: error) == .validationFailure else { return error }
        errorOutput.write(fullMessage(for: error) + "\n")
        return usageExitCode
    }
}
