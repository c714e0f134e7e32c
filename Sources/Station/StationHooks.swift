import Foundation
import Logging
import StationAPI
#if canImport(Glibc)
import Glibc
#endif

/// Commands run when a device needs someone at a headless station (configuration `hooks`): a lamp, a buzzer, a chat
/// message.
///
/// Each hook is an argv (`["/usr/local/bin/lamp", "green"]`), executed directly, never through a shell. It learns the
/// device from its environment only: `HOTSPOT_EVENT` (`done`, `failed`, `attention`), `HOTSPOT_DEVICE` (the id),
/// `HOTSPOT_SOCKET` (the socket's label), `HOTSPOT_ICCID4` (the ICCID's last four digits), `HOTSPOT_STATE` and
/// `HOTSPOT_CODE` (the failure code). Never a voucher code, a Wi-Fi key or a full identifier.
public struct HookSettings: Codable, Sendable, Equatable {
    /// Run when a device is done (hand it over).
    public var done: [String]?
    /// Run when a device's run failed.
    public var failed: [String]?
    /// Run when a device waits for a person (a plan to choose).
    public var attention: [String]?
    /// How long a hook may run before it is stopped (SIGTERM, then SIGKILL 2 s later); default 10, 1–300.
    public var timeoutSeconds: Int?

    /// Creates hook settings.
    public init(done: [String]? = nil, failed: [String]? = nil, attention: [String]? = nil, timeoutSeconds: Int? = nil) {
        self.done = done
        self.failed = failed
        self.attention = attention
        self.timeoutSeconds = timeoutSeconds
    }

    /// Problems, by key path: each argv names an absolute program; the timeout is 1–300 s.
    func problems() -> [(key: String, reason: String)] {
        var found: [(String, String)] = []
        for (name, argv) in [("done", done), ("failed", failed), ("attention", attention)] {
            guard let argv else { continue }
            guard let program = argv.first else {
                found.append(("hooks.\(name)", "must name a program, then its arguments"))
                continue
            }
            if !program.hasPrefix("/") { found.append(("hooks.\(name)[0]", "must be an absolute path (no shell, no PATH search)")) }
            if argv.contains(where: { $0.contains("\u{0}") }) { found.append(("hooks.\(name)", "must not contain NUL characters")) }
        }
        if let seconds = timeoutSeconds, !(1...300).contains(seconds) {
            found.append(("hooks.timeoutSeconds", "must be between 1 and 300"))
        }
        return found
    }

    /// The argv for an event.
    func command(for event: HookEvent) -> [String]? {
        switch event {
        case .done: return done
        case .failed: return failed
        case .attention: return attention
        }
    }
}

/// Why a hook runs.
public enum HookEvent: String, Sendable, Equatable {
    /// The device is done.
    case done
    /// The device's run failed.
    case failed
    /// The device waits for a person.
    case attention

    /// The event a device entering `state` triggers, if any.
    static func entering(_ state: DeviceState) -> HookEvent? {
        switch state {
        case .done: return .done
        case .failed: return .failed
        case .awaitingPlan: return .attention
        default: return nil
        }
    }
}

/// Runs hooks off the station: each in a process of its own, bounded in time and in number, its failure logged.
public actor HookRunner {
    private let settings: HookSettings
    private let logger: Logger
    private var running = 0
    /// Hooks running at once at most; more are skipped (and logged) rather than piling up behind a stuck one.
    static let maxConcurrent = 8

    /// Creates a runner.
    public init(settings: HookSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    /// The environment a hook sees: the device's id, socket, ICCID's last four digits, state and failure code, and a
    /// fixed `PATH`; nothing of the daemon's own environment.
    static func environment(event: HookEvent, device: DeviceStatus) -> [String: String] {
        let iccidDigits = (device.iccid ?? "").filter { $0.isASCII && ($0.isNumber || $0 == "F" || $0 == "f") }
        return [
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOTSPOT_EVENT": event.rawValue,
            "HOTSPOT_DEVICE": device.id,
            "HOTSPOT_SOCKET": device.socket ?? "",
            "HOTSPOT_ICCID4": String(iccidDigits.suffix(4)),
            "HOTSPOT_STATE": device.state.rawValue,
            "HOTSPOT_CODE": device.failure?.code.rawValue ?? "",
        ]
    }

    /// Runs the hook of `event` for `device` (redacted status) and returns its exit status, or nil when none ran
    /// (no hook, too many running, the program could not start, or it was stopped at its deadline).
    @discardableResult
    public func run(_ event: HookEvent, device: DeviceStatus) async -> Int32? {
        guard let argv = settings.command(for: event), let program = argv.first else { return nil }
        guard running < Self.maxConcurrent else {
            logger.warning("hook skipped: too many hooks still running", metadata: ["hook.event": "\(event.rawValue)"])
            return nil
        }
        running += 1
        defer { running -= 1 }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = Array(argv.dropFirst())
        process.environment = Self.environment(event: event, device: device)
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let timeout = Duration.seconds(settings.timeoutSeconds ?? 10)
        let status: Int32? = await withCheckedContinuation { (continuation: CheckedContinuation<Int32?, Never>) in
            let once = ResumeOnce(continuation)
            process.terminationHandler = { ended in
                once.resume(ended.terminationReason == .exit ? ended.terminationStatus : nil)
            }
            do {
                try process.run()
            } catch {
                logger.error("hook could not start", metadata: ["hook.event": "\(event.rawValue)", "hook.program": "\(program)",
                                                                "error": "\(error)"])
                once.resume(nil)
                return
            }
            let pid = process.processIdentifier
            let logger = self.logger
            Task {
                try? await Task.sleep(for: timeout)
                guard !once.hasResumed else { return }
                logger.warning("hook stopped at its deadline", metadata: ["hook.event": "\(event.rawValue)",
                                                                          "hook.program": "\(program)"])
                kill(pid, SIGTERM)
                try? await Task.sleep(for: .seconds(2))
                if !once.hasResumed { kill(pid, SIGKILL) }
            }
        }
        if let status, status != 0 {
            logger.warning("hook failed", metadata: ["hook.event": "\(event.rawValue)", "hook.program": "\(program)",
                                                     "hook.status": "\(status)"])
        }
        return status
    }
}

/// Resumes a continuation at most once, from whichever thread gets there first.
private final class ResumeOnce: @unchecked Sendable {
    // @unchecked Sendable: `resumed` is only touched under `lock`.
    private let lock = NSLock()
    private var resumed = false
    private let continuation: CheckedContinuation<Int32?, Never>

    init(_ continuation: CheckedContinuation<Int32?, Never>) { self.continuation = continuation }

    var hasResumed: Bool { lock.withLock { resumed } }

    func resume(_ value: Int32?) {
        let first = lock.withLock { () -> Bool in
            defer { resumed = true }
            return !resumed
        }
        if first { continuation.resume(returning: value) }
    }
}
