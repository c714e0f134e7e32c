import ArgumentParser
import Foundation
import Localization
import StationAPI

/// `hotspotctl ledger verify [--anchor SEQ:HASH]`: the daemon re-walks the hash chain and names the first bad event.
struct LedgerVerifyCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: HelpLanguage.text(.ledgerVerifyAbstract),
        discussion: HelpLanguage.text(.ledgerVerifyDiscussion))

    @OptionGroup var globals: GlobalOptions

    @OptionGroup var file: LedgerFileOption

    @Option(name: .long, help: HelpLanguage.argument(.ledgerVerifyAnchor, valueName: "seq:hash"))
    var anchor: String?

    func validate() throws {
        if let anchor, LedgerAnchorInfo(text: anchor) == nil {
            throw ValidationError(HelpLanguage.usage(.anchorValue))
        }
        try file.validate(with: globals)
    }

    func execute(in context: CommandContext) async throws(HotspotctlError) {
        let source = try file.source(context)
        let result = try await source.verifyLedger(anchor: anchor.flatMap(LedgerAnchorInfo.init(text:)))
        if context.json {
            try context.emitJSON(result)
        } else {
            context.output.write(Self.render(result, messages: context.messages))
        }
        if let failure = result.failure {
            throw .ledgerDoesNotVerify("the ledger does not verify at event \(failure.seq): \(failure.message)")
        }
    }

    /// `ok: N events, head SEQ:HASH` or the first bad event and why.
    static func render(_ result: LedgerVerifyInfo, messages m: Messages = Messages(language: .english)) -> String {
        if let failure = result.failure {
            return m.text(.verifyFailed, values: [String(failure.seq), failure.reason, TerminalText.sanitize(failure.message),
                                                  String(result.rowsChecked), result.lastGood.text]) + "\n"
        }
        var text = m.text(.verifyOK, values: [String(result.rowsChecked), String(result.elapsedMS), result.lastGood.text]) + "\n"
        if let anchor = result.anchor {
            text += m.text(.verifyAnchorMatches, values: [String(anchor.seq)]) + "\n"
        }
        return text
    }
}

/// `hotspotctl ledger anchor`: the head of the chain, to keep somewhere the station cannot rewrite.
struct LedgerAnchorCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "anchor",
        abstract: HelpLanguage.text(.ledgerAnchorAbstract))

    @OptionGroup var globals: GlobalOptions

    @OptionGroup var file: LedgerFileOption

    func validate() throws {
        try file.validate(with: globals)
    }

    func execute(in context: CommandContext) async throws(HotspotctlError) {
        let anchor = try await file.source(context).ledgerAnchor()
        if context.json {
            try context.emitJSON(anchor)
        } else {
            context.output.write(anchor.text + "\n")
        }
    }
}

/// The formats `hotspotctl ledger export --format` accepts.
enum LedgerExportFormatArgument: String, CaseIterable, ExpressibleByArgument, Sendable {
    case csv, jsonl
}

/// `hotspotctl ledger export --format csv|jsonl [--output FILE]`: every event with its hashes, streamed.
struct LedgerExportCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: HelpLanguage.text(.ledgerExportAbstract),
        discussion: HelpLanguage.text(.ledgerExportDiscussion))

    @OptionGroup var globals: GlobalOptions

    @Option(name: .long, help: HelpLanguage.argument(.ledgerExportFormat, valueName: "format"))
    var format: LedgerExportFormatArgument = .jsonl

    @Option(name: .long, help: HelpLanguage.argument(.ledgerExportOutput, valueName: "file"))
    var output: String?

    @OptionGroup var file: LedgerFileOption

    func validate() throws {
        try file.validate(with: globals)
        if let database = file.database, let output, Self.samePath(database, output) {
            throw ValidationError(HelpLanguage.usage(.exportOverDatabase, values: [output]))
        }
    }

    /// Whether two paths name the same file (after the current directory and symbolic links).
    static func samePath(_ first: String, _ second: String) -> Bool {
        URL(fileURLWithPath: first).standardized.resolvingSymlinksInPath().path
            == URL(fileURLWithPath: second).standardized.resolvingSymlinksInPath().path
    }

    func execute(in context: CommandContext) async throws(HotspotctlError) {
        let lines = try await file.source(context).exportLedger(format: format.rawValue)
        let ending: [UInt8] = format == .csv ? [0x0D, 0x0A] : [0x0A]
        var sink: FileHandle?
        if let output {
            // Full IMEIs and ICCIDs: owner-only whatever the umask, and never through a link planted at the name.
            let fd = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw .localInput("cannot write \(output): \(String(cString: strerror(errno)))") }
            guard fchmod(fd, 0o600) == 0 else {
                let code = errno
                close(fd)
                throw .localInput("cannot make \(output) private: \(String(cString: strerror(code)))")
            }
            sink = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        }
        defer { try? sink?.close() }
        var rows = 0
        var bytes = 0
        var buffer: [UInt8] = []
        func flush() throws(HotspotctlError) {
            guard !buffer.isEmpty else { return }
            if let sink {
                do { try sink.write(contentsOf: buffer) } catch { throw .localInput("cannot write \(output ?? "the export"): \(error)") }
            } else {
                context.output.write(String(decoding: buffer, as: UTF8.self))
            }
            buffer.removeAll(keepingCapacity: true)
        }
        do {
            for try await line in lines {
                buffer += line
                buffer += ending
                rows += 1
                bytes += line.count + ending.count
                if buffer.count >= 64 * 1024 { try flush() }
            }
        } catch let error as HotspotctlError {
            throw error
        } catch {
            throw .connectionFailed(socketPath: globals.socketPath(), detail: "the export stream broke: \(error)")
        }
        try flush()
        guard let output else { return }
        // The CSV header is a line too; it is not an event.
        let events = format == .csv ? max(0, rows - 1) : rows
        if context.json {
            try context.emitJSON(LedgerExportSummary(output: output, format: format.rawValue, events: events, bytes: bytes))
        } else {
            context.output.write(context.messages.text(.exported, values: [String(events), String(bytes), format.rawValue,
                                                                            TerminalText.sanitize(output)]) + "\n")
        }
    }
}

/// What `ledger export --output FILE --json` prints.
struct LedgerExportSummary: Codable, Sendable, Equatable {
    /// The file written.
    var output: String
    /// csv or jsonl.
    var format: String
    /// Events written.
    var events: Int
    /// Bytes written.
    var bytes: Int
}

/// `hotspotctl ledger backup PATH`: the daemon copies the ledger with SQLite's online backup and verifies the copy.
struct LedgerBackupCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: HelpLanguage.text(.ledgerBackupAbstract),
        discussion: HelpLanguage.text(.ledgerBackupDiscussion))

    @OptionGroup var globals: GlobalOptions

    @Argument(help: HelpLanguage.argument(.ledgerBackupPath, valueName: "path"))
    var path: String

    func execute(in context: CommandContext) async throws(HotspotctlError) {
        let absolute = path.hasPrefix("/") ? path
            : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(path).standardized.path
        let result = try await context.client.backupLedger(to: absolute)
        if context.json {
            try context.emitJSON(result)
        } else {
            context.output.write(context.messages.text(.backedUp, values: [String(result.rowsChecked),
                                                                            TerminalText.sanitize(result.path),
                                                                            result.head.text]) + "\n")
        }
    }
}
