import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
@testable import Station
import Synchronization
import Testing
import TestSupport

/// A datagram socket standing in for systemd's `$NOTIFY_SOCKET`; collects what the daemon sends.
final class FakeNotifySocket: Sendable {
    let path: String
    private let descriptor: Int32

    init() throws {
        path = NSTemporaryDirectory() + "notify-\(UUID().uuidString.prefix(8)).sock"
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        try #require(descriptor >= 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0, "bind failed: errno \(errno)")
        try #require(fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK) == 0)
    }

    deinit {
        close(descriptor)
        unlink(path)
    }

    /// The messages received so far (each datagram once).
    func drain() -> [String] {
        var messages: [String] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return messages }
            messages.append(String(decoding: buffer[0..<count], as: UTF8.self))
        }
    }
}

@Suite("systemd watchdog")
struct WatchdogTests {
    @Test func notifierReadsTheWatchdogMeantForThisProcess() {
        let ours = SystemdNotifier(environment: ["NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "42"],
                                   processID: 42)
        #expect(ours.watchdogTimeout == .seconds(30))
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "2500000"], processID: 42)
            .watchdogTimeout == .milliseconds(2500))
        // Inherited from a parent, not meant for us.
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "7"],
                                processID: 42).watchdogTimeout == nil)
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "30000000"], processID: 42).watchdogTimeout == nil)
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "0"], processID: 42).watchdogTimeout == nil)
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "soon"], processID: 42).watchdogTimeout == nil)
    }

    @Test func feedsAtHalfTheTimeoutWhileHealthy() async throws {
        let systemd = try FakeNotifySocket()
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": systemd.path, "WATCHDOG_USEC": "30000000"])
        let timeout = try #require(notifier.watchdogTimeout)
        let pauses = PauseRecorder(stopAfter: 3)
        let feeding = Task {
            await StationService.feedWatchdog(notifier: notifier, timeout: timeout, logger: Logger(label: "watchdog-test"),
                                              pause: pauses.pause) { true }
        }
        #expect(await eventually(timeout: .seconds(20)) { pauses.count == 3 })
        #expect(systemd.drain() == ["WATCHDOG=1", "WATCHDOG=1", "WATCHDOG=1"])
        #expect(pauses.durations == [.seconds(15), .seconds(15), .seconds(15)])
        feeding.cancel()
        await feeding.value
    }

    @Test func stopsFeedingWhenTheStationDoesNotAnswer() async throws {
        let systemd = try FakeNotifySocket()
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": systemd.path, "WATCHDOG_USEC": "30000000"])
        let calls = Mutex(0)
        let feeding = Task {
            await StationService.feedWatchdog(notifier: notifier, timeout: .seconds(30), logger: Logger(label: "watchdog-test"),
                                              pause: { _ in }) {
                let call = calls.withLock { count in
                    count += 1
                    return count
                }
                if call > 2 {
                    // Stuck like an actor that never gets back to its mailbox (until the test ends it).
                    try? await Task.sleep(for: .seconds(3600))
                    return false
                }
                return true
            }
        }
        #expect(await eventually(timeout: .seconds(20)) { calls.withLock { $0 } == 3 })
        try await Task.sleep(for: .milliseconds(50))
        #expect(systemd.drain() == ["WATCHDOG=1", "WATCHDOG=1"])
        #expect(calls.withLock { $0 } == 3)
        feeding.cancel()
        await feeding.value
    }

    @Test func aStationThatIsNotReadyIsNotVouchedFor() async throws {
        let served = try await ServedStation()
        let systemd = try FakeNotifySocket()
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": systemd.path, "WATCHDOG_USEC": "30000000"])
        let station = served.station
        let server = served.server
        let pauses = PauseRecorder(stopAfter: nil)
        let feeding = Task {
            await StationService.feedWatchdog(notifier: notifier, timeout: .seconds(30), logger: Logger(label: "watchdog-test"),
                                              pause: pauses.pause) {
                await server.pingEventLoops()
                return await station.isReady
            }
        }
        #expect(await eventually(timeout: .seconds(20)) { pauses.count >= 3 })
        #expect(systemd.drain().isEmpty)
        _ = await station.finishStartup()
        #expect(await eventually(timeout: .seconds(20)) { systemd.drain().contains("WATCHDOG=1") })
        feeding.cancel()
        await feeding.value
        await served.stop()
    }
}

/// Stands in for the watchdog loop's sleep: records each requested pause and returns after a millisecond, or,
/// once `stopAfter` pauses were asked for, waits until the task is cancelled.
private final class PauseRecorder: Sendable {
    private let state = Mutex<[Duration]>([])
    private let stopAfter: Int?

    init(stopAfter: Int?) {
        self.stopAfter = stopAfter
    }

    var count: Int { state.withLock { $0.count } }
    var durations: [Duration] { state.withLock { $0 } }

    var pause: @Sendable (Duration) async -> Void {
        { [self] duration in
            let count = state.withLock { pauses in
                pauses.append(duration)
                return pauses.count
            }
            if let stopAfter, count >= stopAfter {
                try? await Task.sleep(for: .seconds(3600))
            } else {
                try? await Task.sleep(for: .milliseconds(1))
            }
        }
    }
}
