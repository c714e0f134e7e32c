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
        abstract: HelpLanguage.text(.rootAbstract),
        discussion: HelpLanguage.text(.rootDiscussion),
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
            if let help = helpScreen(for: error) {
                StandardStream.standardOutput.write(help)
                exit(withError: ExitCode.success)
            }
            exit(withError: remappingUsageError(error))
        }
    }

    /// The help screen a `--help`, `-h` or `help COMMAND` asked for, with argument-parser's own words in the help
    /// language; `nil` for any other error or clean exit (`--version`, a completion script).
    static func helpScreen(for error: any Error) -> String? {
        guard exitCode(for: error) == .success else { return nil }
        let message = fullMessage(for: error)
        guard message.contains("USAGE:") else { return nil }
        return HelpLanguage.translatingLibraryWords(message) + "\n"
    }

    /// Maps argument-parser's usage failures to exit status 2, printing their message first; other errors pass.
    static func remappingUsageError(_ error: any Error, errorOutput: any OutputSink = StandardStream.standardError) -> any Error {
        guard exitCode(for: error) == .validationFailure else { return error }
        errorOutput.write(HelpLanguage.translatingUsageWords(fullMessage(for: error)) + "\n")
        return usageExitCode
    }
}
