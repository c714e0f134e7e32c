import Foundation
import PCSCReader
#if canImport(Glibc)
import Glibc
#endif

/// A `pcscd --foreground` of the test's own, with vsmartcard's `vpcd` reader driver, stopped by its PID.
///
/// pcscd is never started with `--auto-exit` (it would quit after 60 s idle, in the middle of a slow run).
final class PCSCDaemonHarness: @unchecked Sendable {
    // @unchecked Sendable: `pid` is set in `start` and read in `stop`, both on the test's task.
    static let pcscdPath = "/usr/sbin/pcscd"
    static let vpcdDriver = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so"
    static let vpcdConfig = "/etc/reader.conf.d/vpcd"
    /// vpcd's first reader's TCP port (`CHANNELID 0x8C7B` in its reader.conf).
    static let vpcdPort: UInt16 = 35963
    /// The name pcscd gives vpcd's first reader.
    static let firstReader = "Virtual PCD 00 00"

    /// Why the PC/SC tests cannot run here, or nil when they can.
    static var unavailableReason: String? {
        let files = FileManager.default
        if !files.isExecutableFile(atPath: pcscdPath) { return "pcscd is not installed (scripts/install-deps.sh installs it)" }
        if !files.fileExists(atPath: vpcdDriver) || !files.fileExists(atPath: vpcdConfig) {
            return "vsmartcard-vpcd is not installed (scripts/install-deps.sh installs it)"
        }
        if let text = try? String(contentsOfFile: "/run/pcscd/pcscd.pid", encoding: .utf8),
           let other = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), kill(other, 0) == 0,
           !isListening(port: vpcdPort) {
            return "a pcscd without vpcd is already running (pid \(other))"
        }
        return nil
    }

    /// Whether the tests can run (for `.enabled(if:)`); prints the reason once when they cannot.
    static let available: Bool = {
        if let reason = unavailableReason {
            FileHandle.standardError.write(Data("PCSCReaderTests SKIPPED: \(reason)\n".utf8))
            return false
        }
        return true
    }()

    private var pid: pid_t?

    /// Starts pcscd unless one with vpcd already runs, and waits until vpcd listens (its socket in /proc/net/tcp:
    /// looking, not connecting, since a connection to vpcd is a card insertion).
    func start() throws {
        if Self.isListening(port: Self.vpcdPort) { return }
        pid = try Self.spawn([Self.pcscdPath, "--foreground"])
        let deadline = ContinuousClock.now + .seconds(15)
        while !Self.isListening(port: Self.vpcdPort) {
            guard isRunning, ContinuousClock.now < deadline else {
                stop()
                throw HarnessError(message: "pcscd did not load vpcd within 15 s")
            }
            // Waiting for the port: re-read the socket table until vpcd's listening socket is in it.
            usleep(20_000)
        }
    }

    /// Stops the pcscd this harness started (SIGTERM to its PID) and reaps it.
    func stop() {
        guard let pid else { return }
        kill(pid, SIGTERM)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        self.pid = nil
    }

    /// Whether this harness started the pcscd in use (and so may stop it).
    var startedHere: Bool { pid != nil }

    private var isRunning: Bool {
        guard let pid else { return false }
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == 0
    }

    /// Spawns a program with an empty signal mask and default handlers: the test's threads block signals, and a
    /// child inheriting that mask would never see the SIGTERM that stops it.
    private static func spawn(_ arguments: [String]) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for number in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGUSR1, SIGUSR2] { sigaddset(&defaults, number) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, environ)
        guard result == 0 else { throw HarnessError(message: "posix_spawn \(arguments[0]) failed: errno \(result)") }
        return pid
    }

    /// Whether a TCP socket listens on `port` (any address), from /proc/net/tcp and tcp6.
    static func isListening(port: UInt16) -> Bool {
        let needle = ":" + String(format: "%04X", port) + " "
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                // local_address is field 1, st is field 3; 0A is LISTEN.
                if fields.count > 3, (String(fields[1]) + " ").hasSuffix(needle), fields[3] == "0A" { return true }
            }
        }
        return false
    }

    struct HarnessError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}

/// Collects a monitor's events and waits for the next one that matches, within a deadline.
actor EventWaiter {
    private typealias Waiter = (matches: @Sendable (PCSCEvent) -> Bool, continuation: CheckedContinuation<PCSCEvent?, Never>)
    private var seen: [PCSCEvent] = []
    private var waiters: [Int: Waiter] = [:]
    private var nextToken = 0
    private var consumed = 0

    init(_ stream: AsyncStream<PCSCEvent>) {
        Task { [weak self] in
            for await event in stream { await self?.add(event) }
        }
    }

    private func add(_ event: PCSCEvent) {
        seen.append(event)
        for (token, waiter) in waiters.sorted(by: { $0.key < $1.key }) {
            guard let index = seen[consumed...].firstIndex(where: waiter.matches) else { continue }
            consumed = index + 1
            waiters[token] = nil
            waiter.continuation.resume(returning: seen[index])
        }
    }

    /// The next event after the last one returned that `matches`, or nil after `timeout`.
    func next(within timeout: Duration, _ matches: @escaping @Sendable (PCSCEvent) -> Bool) async -> PCSCEvent? {
        if let index = seen[consumed...].firstIndex(where: matches) {
            consumed = index + 1
            return seen[index]
        }
        let token = nextToken
        nextToken += 1
        return await withCheckedContinuation { continuation in
            waiters[token] = (matches, continuation)
            Task {
                try? await Task.sleep(for: timeout)
                self.expire(token)
            }
        }
    }

    private func expire(_ token: Int) {
        waiters.removeValue(forKey: token)?.continuation.resume(returning: nil)
    }

    /// Every event seen so far.
    var all: [PCSCEvent] { seen }
}
