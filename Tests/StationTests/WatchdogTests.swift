import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
@testable import Station
import Synchronization
import Testing

/// A datagram socket standing in for systemd's `$NOTIFY_SOCKET`; collects what the daemon sends.
private final class FakeNotifySocket: Sendable {
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
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": systemd.path, "WATCHDOG_USEC": "200000"])
        let timeout = try #require(notifier.watchdogTimeout)
        let feeding = Task {
            await StationService.feedWatchdog(notifier: notifier, timeout: timeout, logger: Logger(label: "watchdog-test")) { true }
        }
        try await Task.sleep(for: .milliseconds(450))
        feeding.cancel()
        await feeding.value
        let pings = systemd.drain()
        // At 0, 100, 200, 300, 400 ms; a loaded machine may fit one fewer.
        #expect(pings.allSatisfy { $0 == "WATCHDOG=1" })
        #expect((3...6).contains(pings.count))
    }

    @Test func stopsFeedingWhenTheStationDoesNotAnswer() async throws {
        let systemd = try FakeNotifySocket()
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": systemd.path, "WATCHDOG_USEC": "100000"])
        let calls = Mutex(0)
        let feeding = Task {
            await StationService.feedWatchdog(notifier: notifier, timeout: .milliseconds(100), logger: Logger(label: "watchdog-test")) {
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
        try await Task.sleep(for: .milliseconds(200))
        let fed = systemd.drain()
        try await Task.sleep(for: .milliseconds(300))
        let afterwards = systemd.drain()
        feeding.cancel()
        await feeding.value
        #expect(fed.count == 2)
        #expect(afterwards.isEmpty)
    }

    @Test func aStationThatIsNotReadyIsNotVouchedFor() async throws {
        let served = try await ServedStation()
        let systemd = try FakeNotifySocket()
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": systemd.path, "WATCHDOG_USEC": "60000"])
        let station = served.station
        let server = served.server
        let feeding = Task {
            await StationService.feedWatchdog(notifier: notifier, timeout: .milliseconds(60), logger: Logger(label: "watchdog-test")) {
                await server.pingEventLoops()
                return await station.isReady
            }
        }
        try await Task.sleep(for: .milliseconds(150))
        #expect(systemd.drain().isEmpty)
        _ = await station.finishStartup()
        try await Task.sleep(for: .milliseconds(150))
        #expect(systemd.drain().contains("WATCHDOG=1"))
        feeding.cancel()
        await feeding.value
        await served.stop()
    }
}
