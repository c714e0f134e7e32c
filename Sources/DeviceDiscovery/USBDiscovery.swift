import CUdev
import Foundation
import Logging
import Synchronization

/// Watches USB devices with libudev and publishes one `USBDeviceSnapshot` per physical device.
///
/// `start()` spawns ONE dedicated thread that owns every libudev object (libudev 252 requires
/// that its objects stay on the thread that created them): it opens a monitor on the `usb`, `tty`
/// and `net` subsystems, enumerates what is already plugged in, and then waits for uevents.
/// Only `Sendable` values leave the thread. Each `events()` stream first replays the current
/// devices as `added`, then receives live events, so a subscriber never misses a device.
///
/// Thread-safety: all members may be called from any task; the mutable state is behind a mutex.
public final class USBDiscovery: Sendable {
    private struct State: Sendable {
        var phase: Phase = .idle
        var snapshots: [String: USBDeviceSnapshot] = [:]
        var subscribers: [UInt64: AsyncStream<DiscoveryEvent>.Continuation] = [:]
        var nextSubscriber: UInt64 = 0
    }

    private enum Phase: Sendable {
        case idle
        case running(wakeFD: Int32)
        case stopped
    }

    private let state = Mutex(State())
    private let logger: Logger

    /// Creates a discovery service; nothing happens until `start()`.
    public init(logger: Logger = Logger(label: "hotspotd.discovery")) {
        self.logger = logger
    }

    deinit {
        stop()
    }

    /// Starts the libudev thread and returns once the devices present at start are known.
    ///
    /// Throws `udevUnavailable` when libudev cannot be used (no `/sys`, no netlink), and
    /// `discoveryStopped` when called twice or after `stop()`.
    public func start() async throws(DiscoveryError) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            throw DiscoveryError(.discoveryStopped, errno: errno, context: "pipe for the discovery thread's wake-up")
        }
        let (readFD, writeFD) = (fds[0], fds[1])
        // Not inherited by children (the station may spawn tools); the single wake-up byte never blocks.
        _ = fcntl(readFD, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeFD, F_SETFD, FD_CLOEXEC)
        let claimed = state.withLock { state -> Bool in
            guard case .idle = state.phase else { return false }
            state.phase = .running(wakeFD: writeFD)
            return true
        }
        guard claimed else {
            close(readFD)
            close(writeFD)
            throw DiscoveryError(.discoveryStopped, context: "discovery was already started or stopped")
        }
        let result: Result<Void, DiscoveryError> = await withCheckedContinuation { continuation in
            let thread = Thread { [self] in
                UdevLoop.run(wakeFD: readFD, logger: logger,
                             started: { continuation.resume(returning: $0) },
                             publish: { event, snapshots in self.publish(event, snapshots: snapshots) })
                close(readFD)
                // Also after an unexpected exit of the loop: subscribers must see their stream end.
                self.stop()
            }
            thread.name = "hotspotd-udev"
            thread.start()
        }
        if case .failure(let error) = result {
            stop()
            throw error
        }
        logger.info("discovery started", metadata: ["devices.count": "\(snapshots.count)"])
    }

    /// Stops the thread and finishes every event stream. Idempotent.
    ///
    /// The thread holds a reference to the service until it ends, so call this on shutdown:
    /// dropping the last reference does not stop a started discovery.
    public func stop() {
        let (wakeFD, subscribers) = state.withLock { state -> (Int32?, [AsyncStream<DiscoveryEvent>.Continuation]) in
            var fd: Int32?
            if case .running(let wakeFD) = state.phase { fd = wakeFD }
            state.phase = .stopped
            let subscribers = Array(state.subscribers.values)
            state.subscribers = [:]
            return (fd, subscribers)
        }
        if let wakeFD {
            var byte: UInt8 = 1
            _ = write(wakeFD, &byte, 1)
            close(wakeFD)
        }
        for subscriber in subscribers { subscriber.finish() }
    }

    /// The devices present now, ordered by USB path.
    public var snapshots: [USBDeviceSnapshot] {
        state.withLock { state in state.snapshots.values.sorted { $0.usbPath < $1.usbPath } }
    }

    /// A stream of events: first `added` for every device present now, then live events.
    ///
    /// May be called before `start()`: the initial enumeration then arrives as `added` events.
    /// Each call makes an independent subscription (the station's device loop and a mode-switch
    /// wait can listen at the same time). The stream finishes when discovery stops. Events are
    /// buffered without bound: a subscriber that stops reading should cancel its task.
    public func events() -> AsyncStream<DiscoveryEvent> {
        let (stream, continuation) = AsyncStream<DiscoveryEvent>.makeStream(bufferingPolicy: .unbounded)
        let id = state.withLock { state -> UInt64? in
            if case .stopped = state.phase { return nil }
            let id = state.nextSubscriber
            state.nextSubscriber += 1
            for snapshot in state.snapshots.values.sorted(by: { $0.usbPath < $1.usbPath }) {
                continuation.yield(.added(snapshot))
            }
            state.subscribers[id] = continuation
            return id
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { state in state.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Called on the udev thread: records the new state and fans the event out, under one lock
    /// so a subscriber's replay and its live events never overlap or leave a gap.
    private func publish(_ event: DiscoveryEvent?, snapshots: [USBDeviceSnapshot]?) {
        state.withLock { state in
            if let snapshots {
                // The initial enumeration: subscribers that came before start() get it as added.
                state.snapshots = Dictionary(snapshots.map { ($0.usbPath, $0) }, uniquingKeysWith: { $1 })
                for subscriber in state.subscribers.values {
                    for snapshot in snapshots { subscriber.yield(.added(snapshot)) }
                }
            }
            guard let event else { return }
            switch event {
            case .added(let snapshot), .changed(let snapshot): state.snapshots[snapshot.usbPath] = snapshot
            case .removed(let usbPath): state.snapshots[usbPath] = nil
            }
            for subscriber in state.subscribers.values { subscriber.yield(event) }
        }
    }
}
