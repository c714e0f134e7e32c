import ArgumentParser
import Dispatch
import Foundation
import Localization
import StationAPI

/// `hotspotctl watch`: follows the station's live events until interrupted.
struct WatchCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: HelpLanguage.text(.watchAbstract),
        discussion: HelpLanguage.text(.watchDiscussion))

    @OptionGroup var globals: GlobalOptions

    @Flag(name: .long, help: HelpLanguage.argument(.watchFollow))
    var follow = false

    @Flag(name: .long, help: HelpLanguage.argument(.watchCompact))
    var compact = false

    func run() async throws {
        let transport = UnixSocketTransport(socketPath: globals.socketPath())
        let json = globals.json
        let reveal = globals.revealsAnything
        let revealQuery = globals.revealQuery
        let language = globals.language()
        let mode = WatchMode(compact: compact, follow: follow)
        // SIGINT is the normal way to stop watching: turn it into task cancellation and a clean exit.
        signal(SIGINT, SIG_IGN)
        let task = Task { () async -> ExitCode in
            do {
                try await CommandRunner.run(json: json, reveal: reveal, revealQuery: revealQuery, language: language,
                                            transport: transport) { context throws(HotspotctlError) in
                    try await Self.watch(in: context, mode: mode)
                }
                return .success
            } catch {
                return (error as? ExitCode) ?? ExitCode.failure
            }
        }
        let interrupt = DispatchSource.makeSignalSource(signal: SIGINT, queue: DispatchQueue(label: "hotspotctl.sigint"))
        interrupt.setEventHandler { task.cancel() }
        interrupt.resume()
        let status = await task.value
        interrupt.cancel()
        if status != ExitCode.success { throw status }
    }

    func execute(in context: CommandContext) async throws(HotspotctlError) {
        try await Self.watch(in: context, mode: WatchMode(compact: compact, follow: follow))
    }

    /// Prints events as they arrive; returns when the task is cancelled, throws when the daemon ends the stream.
    static func follow(in context: CommandContext, compact: CompactWatch? = nil) async throws(HotspotctlError) {
        let lines: AsyncThrowingStream<[UInt8], any Error>
        do {
            lines = try await context.client.events()
        } catch {
            if Task.isCancelled { return }
            throw error
        }
        let decoder = StationJSON.decoder()
        do {
            for try await line in lines {
                let trimmed = trimmingWhitespace(line)
                if trimmed.isEmpty { continue }  // keep-alive
                if context.json {
                    context.output.write(String(decoding: trimmed, as: UTF8.self) + "\n")
                } else if let event = try? decoder.decode(StationEvent.self, from: Data(trimmed)) {
                    if let compact {
                        if let line = await compact.line(for: event) { context.output.write(line + "\n") }
                    } else {
                        context.output.write(render(event, timestamps: context.timestamps, messages: context.messages) + "\n")
                    }
                } else {
                    context.output.write("(an event hotspotctl could not read: \(TerminalText.sanitize(String(decoding: trimmed.prefix(200), as: UTF8.self))))\n")
                }
            }
        } catch {
            if Task.isCancelled { return }
            throw .connectionFailed(socketPath: context.client.transport.socketPath, detail: String(describing: error))
        }
        if Task.isCancelled { return }
        throw .eventStreamEnded(socketPath: context.client.transport.socketPath)
    }

    /// One event for people: `14:03:22 d1 provisioning recharge started Sending the voucher`.
    ///
    /// The state and step are named in the output's language (English names are the codes); the message is the
    /// daemon's.
    static func render(_ event: StationEvent, timestamps: LocalTimestamp,
                       messages m: Messages = Messages(language: .english)) -> String {
        var parts = [timestamps.time(event.at), event.deviceID, m.text(.state(event.state.rawValue))]
        if event.kind == "step" {
            if let step = event.step { parts.append(m.text(.step(step))) }
            if let status = event.status { parts.append(Self.stepStatus(status, m)) }
        } else if event.kind != "state" {
            parts.append(event.kind)
        }
        if let message = event.message, !message.isEmpty { parts.append(message) }
        return TerminalText.sanitize(parts.joined(separator: " "))
    }

    /// `started`, `succeeded`, `failed` in the output's language; any other status as the daemon wrote it.
    static func stepStatus(_ status: String, _ m: Messages) -> String {
        switch status {
        case "started": m.text(.started)
        case "succeeded": m.text(.succeeded)
        case "failed": m.text(.stepFailed)
        default: status
        }
    }

    private static func trimmingWhitespace(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }),
              let last = bytes.lastIndex(where: { !isSpace($0) }) else { return [] }
        return bytes[first...last]
    }
}
