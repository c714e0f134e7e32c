import ArgumentParser
import Foundation
import Localization
import StationAPI

/// What a daemon command needs to do its work: the client, where to write, and how to show things.
struct CommandContext: Sendable {
    /// The daemon's API.
    var client: StationClient
    /// stdout (or a test buffer).
    var output: any OutputSink
    /// Machine output: the API's JSON instead of tables.
    var json: Bool
    /// Whether secrets were asked for.
    var reveal: Bool
    /// How dates are shown to people.
    var timestamps: LocalTimestamp
    /// The language of the human output (never of `--json`).
    var language: Language = .english
    /// The message catalog in `language`.
    var messages: Messages { Messages(language: language) }
    /// Whether and how human output is coloured (never with `--json`, `NO_COLOR` or off a terminal).
    var colour = Colour.off

    /// Writes a value as the API's JSON: pretty-printed, sorted keys, one trailing newline.
    func emitJSON(_ value: some Encodable) throws(HotspotctlError) {
        output.write(try Self.prettyJSON(value) + "\n")
    }

    /// The API's pretty JSON text for a value.
    static func prettyJSON(_ value: some Encodable) throws(HotspotctlError) -> String {
        do {
            return String(decoding: try StationJSON.encoder(pretty: true).encode(value), as: UTF8.self)
        } catch {
            throw .localInput("could not encode the output as JSON: \(error)")
        }
    }
}

/// A subcommand that talks to the daemon: it declares its arguments and `execute`; running is shared.
protocol StationCommand: AsyncParsableCommand {
    /// `--socket`, `--json`, `--reveal`.
    var globals: GlobalOptions { get }
    /// Does the command's work against the daemon.
    func execute(in context: CommandContext) async throws(HotspotctlError)
}

extension StationCommand {
    func run() async throws {
        let transport = UnixSocketTransport(socketPath: globals.socketPath())
        try await CommandRunner.run(self, transport: transport)
    }
}

/// Runs a `StationCommand` and turns its failure into a line on stderr, JSON on stdout and an exit status.
enum CommandRunner {
    /// Runs the command; on failure reports it and throws the matching `ExitCode`.
    static func run(_ command: some StationCommand, transport: any StationTransport,
                    output: any OutputSink = StandardStream.standardOutput,
                    errorOutput: any OutputSink = StandardStream.standardError,
                    timeZone: TimeZone = .current,
                    environment: [String: String] = ProcessInfo.processInfo.environment) async throws(ExitCode) {
        try await run(json: command.globals.json, reveal: command.globals.revealsAnything,
                      revealQuery: command.globals.revealQuery, language: command.globals.language(environment: environment),
                      transport: transport, output: output, errorOutput: errorOutput,
                      timeZone: timeZone) { context throws(HotspotctlError) in
            var context = context
            context.colour = Colour.decide(json: command.globals.json, descriptor: (output as? StandardStream)?.descriptor,
                                           environment: environment)
            try await command.execute(in: context)
        }
    }

    /// Runs `body` with a context built from the flags; on failure reports it and throws the matching `ExitCode`.
    static func run(json: Bool, reveal: Bool, revealQuery: String = "1", language: Language = .english,
                    transport: any StationTransport,
                    output: any OutputSink = StandardStream.standardOutput,
                    errorOutput: any OutputSink = StandardStream.standardError,
                    timeZone: TimeZone = .current,
                    _ body: (CommandContext) async throws(HotspotctlError) -> Void) async throws(ExitCode) {
        let context = CommandContext(
            client: StationClient(transport: transport, reveal: reveal, revealQuery: revealQuery),
            output: output, json: json, reveal: reveal,
            timestamps: LocalTimestamp(timeZone: timeZone), language: language)
        do {
            try await body(context)
        } catch {
            throw report(error, json: json, output: output, errorOutput: errorOutput, language: language)
        }
    }

    /// Writes the failure (stderr line, plus the `APIErrorBody` on stdout with `--json` unless the command already
    /// printed its own result there) and returns its exit status.
    static func report(_ error: HotspotctlError, json: Bool, output: any OutputSink, errorOutput: any OutputSink,
                       language: Language = .english) -> ExitCode {
        errorOutput.write(FailureText.lines(for: error, language: language))
        if json, !error.resultAlreadyPrinted, let text = try? CommandContext.prettyJSON(error.body) {
            output.write(text + "\n")
        }
        return error.exitCode
    }
}
