import ArgumentParser
import Foundation

/// `--database FILE`: check a ledger file (a backup, a copy sent by a station) without the daemon.
struct LedgerFileOption: ParsableArguments {
    @Option(name: .long, help: HelpLanguage.argument(.ledgerDatabase, discussion: .ledgerDatabaseDiscussion, valueName: "file"))
    var database: String?

    /// Refuses `--database` with `--socket`: one names a file, the other a daemon.
    func validate(with globals: GlobalOptions) throws {
        guard let database else { return }
        if database.isEmpty {
            throw ValidationError(HelpLanguage.usage(.databasePath))
        }
        if globals.socket != nil {
            throw ValidationError(HelpLanguage.usage(.databaseWithSocket))
        }
    }

    /// The file when `--database` was given, else the daemon behind `context.client`.
    func source(_ context: CommandContext) throws(HotspotctlError) -> any LedgerIntegritySource {
        guard let database else { return context.client }
        return try LedgerFileSource(path: database)
    }
}
