import Dispatch
import Foundation
import StationAPI
import Testing
import UnixHTTP
@testable import hotspotctl

/// `hotspotctl board` in a real terminal: tmux runs it at 80×24, `capture-pane` reads the screen.
@Suite(.enabled(if: Tmux.path != nil, "tmux is not installed (scripts/install-deps.sh installs it)"),
       .enabled(if: HotspotctlBinary.url != nil, "the hotspotctl executable is not next to the test bundle"))
struct BoardTmuxTests {
    /// The event streams a stand-in daemon has open, ended before it shuts down (as hotspotd ends its watchers').
    final class Streams: @unchecked Sendable {
        // @unchecked Sendable: `open` is only touched under `lock`.
        private let lock = NSLock()
        private var open: [AsyncStream<[UInt8]>.Continuation] = []

        func make() -> AsyncStream<[UInt8]> {
            let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
            lock.withLock { open.append(continuation) }
            return stream
        }

        func finishAll() {
            for continuation in lock.withLock({ open }) { continuation.finish() }
        }
    }

    /// A stand-in daemon: its devices, its stock, and event streams that stay open until `streams` ends them.
    static func daemon(_ devices: [DeviceStatus], streams: Streams) -> UnixHTTPServer.Handler {
        { request in
            switch request.path {
            case "/v1/devices": return UnixSocketTransportTests.json(devices)
            case "/v1/plans":
                return UnixSocketTransportTests.json([PlanInfo(name: "500MB", megabytes: 500, priceCents: 100, isDefault: true,
                                                               vouchersAvailable: 12)])
            case "/v1/events": return HTTPResponse.ndjsonStream(streams.make())
            default: return UnixSocketTransportTests.json(APIErrorBody(error: FailureInfo(code: "no-such-route", message: "no")),
                                                           status: 404)
            }
        }
    }

    @Test func drawsTheDevicesAndReconnectsWhenTheDaemonRestarts() async throws {
        let binary = try #require(HotspotctlBinary.url)
        let tmux = try #require(Tmux.path)
        let path = UnixSocketTransportTests.socketPath()
        var ready = Sample.doneHotspot
        ready.socket = "gauche"
        ready.attachedAt = Date().addingTimeInterval(-65)
        ready.updatedAt = Date()
        let firstStreams = Streams()
        let first = UnixHTTPServer(socketPath: path, socketMode: 0o600, handler: Self.daemon([ready], streams: firstStreams))
        try await first.start()
        let session = Tmux(executable: tmux)
        defer { session.kill() }
        try await session.start(command: [binary.path, "board", "--socket", path])

        let screen = try await session.waitFor { $0.contains("PRÊT") && $0.contains("hotspotd connecté") }
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.allSatisfy { TerminalText.displayWidth($0) <= 80 })
        #expect(lines.first?.contains("1 prêt, 0 en échec, 12 × 500 Mo en stock") == true)
        let row = try #require(lines.first { $0.contains("gauche") })
        #expect(row.contains("E5573"))
        #expect(row.contains("…1234 …8931"))
        #expect(row.contains("Remettre l'appareil"))
        print("board at 80×24, daemon up:\n" + screen)

        // The daemon restarts: the board says so, then shows the new state without being touched.
        firstStreams.finishAll()
        await first.shutdown()
        let lost = try await session.waitFor { $0.contains("hotspotd injoignable") }
        #expect(lost.contains("reconnexion automatique"))
        var failed = ready
        failed.state = .failed
        failed.failure = FailureInfo(code: "sim-pin-required", message: "The SIM is locked.")
        let secondStreams = Streams()
        let second = UnixHTTPServer(socketPath: path, socketMode: 0o600, handler: Self.daemon([failed], streams: secondStreams))
        try await second.start()
        let back = try await session.waitFor { $0.contains("ÉCHEC") && $0.contains("hotspotd connecté") }
        #expect(back.contains("Saisir le PIN SIM"))
        print("board at 80×24, after the daemon restarted:\n" + back)
        await session.stop()
        secondStreams.finishAll()
        await second.shutdown()
    }
}

/// One tmux server of the test's own (`-L`), so the tests never touch a user's sessions.
struct Tmux: Sendable {
    static let path: String? = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    let executable: String
    let server = "hctl-\(UUID().uuidString.prefix(8))"

    enum Failure: Error { case commandFailed([String]), timedOut(lastScreen: String) }

    /// Runs a tmux command; `capture` reads its output (never for the command that starts the server: the server
    /// would inherit the pipe and hold it open).
    @discardableResult
    func run(_ arguments: [String], capture: Bool = true) throws -> String {
        // posix_spawn and waitpid of our own: the tmux client forks the server and exits, and Foundation's Process
        // does not always see that exit, leaving waitUntilExit waiting for ever.
        let outputPath = NSTemporaryDirectory() + "tmux-\(UUID().uuidString).out"
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, capture ? outputPath : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var environment = ProcessInfo.processInfo.environment
        environment["TZ"] = "UTC"
        environment["LANG"] = "C.UTF-8"
        environment.removeValue(forKey: "TMUX")
        let argv = [executable, "-u", "-L", server] + arguments
        let cArguments = argv.map { strdup($0) } + [nil]
        let cEnvironment = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArguments.forEach { free($0) }
            cEnvironment.forEach { free($0) }
        }
        var pid = pid_t()
        guard posix_spawn(&pid, executable, &actions, nil, cArguments, cEnvironment) == 0 else {
            throw Failure.commandFailed(arguments)
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        guard status == 0 else { throw Failure.commandFailed(arguments) }
        guard capture else { return "" }
        return String(decoding: FileManager.default.contents(atPath: outputPath) ?? Data(), as: UTF8.self)
    }

    /// `run` on a dispatch thread: waiting for tmux must not hold one of the few threads of the concurrency pool
    /// that the stand-in daemon's handlers (and the other tests) run on.
    @discardableResult
    func runOffPool(_ arguments: [String], capture: Bool = true) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try run(arguments, capture: capture) })
            }
        }
    }

    /// A detached 80×24 session running `command`, in French (the counter's language) unless `language` says `en`.
    func start(command: [String], language: String = "fr") async throws {
        try await runOffPool(["new-session", "-d", "-x", "80", "-y", "24", "-e", "TZ=UTC", "-e", "LANG=C.UTF-8",
                              "-e", "HOTSPOT_LANG=\(language)"] + command,
                             capture: false)
    }

    /// The visible screen as text.
    func capture() async throws -> String { try await runOffPool(["capture-pane", "-p"]) }

    /// Captures until `accept` takes the screen, for at most 20 s.
    func waitFor(_ accept: (String) -> Bool) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(20)
        var screen = ""
        while ContinuousClock.now < deadline {
            screen = (try? await capture()) ?? ""
            if accept(screen) { return screen }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure.timedOut(lastScreen: screen)
    }

    func kill() { _ = try? run(["kill-server"], capture: false) }

    /// Stops the board (SIGTERM to the pane's process: it gives the terminal back and exits), then the server.
    func stop() async {
        let pids = ((try? await runOffPool(["list-panes", "-a", "-F", "#{pane_pid}"])) ?? "")
            .split(separator: "\n").compactMap { pid_t($0) }
        for pid in pids { Glibc.kill(pid, SIGTERM) }
        try? await Task.sleep(for: .milliseconds(1500))
        _ = try? await runOffPool(["kill-server"], capture: false)
    }
}
