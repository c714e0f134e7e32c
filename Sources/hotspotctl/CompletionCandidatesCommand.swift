import ArgumentParser
import StationAPI

/// `hotspotctl __complete devices|plans`: the words the shell completion offers, one a line, from the daemon.
///
/// Hidden; the bash, zsh and fish scripts (`hotspotctl --generate-completion-script`) call it for device and plan
/// arguments. It prints nothing and succeeds when the daemon cannot be asked: completion must never print errors
/// into the command line being typed.
struct CompletionCandidatesCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "__complete",
        abstract: HelpLanguage.text(.completeAbstract),
        shouldDisplay: false)

    /// What to list.
    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case devices, plans
    }

    @OptionGroup var globals: GlobalOptions

    @Argument(help: HelpLanguage.argument(.completeKind))
    var kind: Kind

    /// The shell command the completion scripts run for a device argument.
    static let devices = CompletionKind.shellCommand("hotspotctl __complete devices 2>/dev/null")
    /// The shell command the completion scripts run for a plan option.
    static let plans = CompletionKind.shellCommand("hotspotctl __complete plans 2>/dev/null")

    func run() async throws {
        let transport = UnixSocketTransport(socketPath: globals.socketPath())
        do {
            try await CommandRunner.run(self, transport: transport, errorOutput: SilentOutput())
        } catch {
            // No daemon, no permission: no candidates, and no message.
        }
    }

    func execute(in context: CommandContext) async throws(HotspotctlError) {
        context.output.write(try await Self.candidates(kind, client: context.client).map { $0 + "\n" }.joined())
    }

    /// Device ids (`d1`) and ports, or plan names.
    static func candidates(_ kind: Kind, client: StationClient) async throws(HotspotctlError) -> [String] {
        switch kind {
        case .devices: return try await client.devices().flatMap { [$0.id, $0.port] }
        case .plans: return try await client.plans().map(\.name)
        }
    }
}

/// An output that drops what it is given.
struct SilentOutput: OutputSink {
    func write(_ text: String) {}
}
