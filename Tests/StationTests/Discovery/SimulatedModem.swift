import CUMockdev
import Foundation
import ModemSimulator
import Synchronization

/// The project's simulator engine (`ModemEngine`) serving a mocked tty: umockdev's pty master (`get_dev_fd`) is read
/// and written on a dedicated thread, commands one at a time, outputs at their scheduled delays, like `hotspot-sim`.
///
/// `hotspot-sim`'s own ptys cannot be opened under umockdev's preload (TIOCSPTLCK fails), so the engine is driven
/// here on the pty umockdev made for the mocked node.
final class SimulatedModem: Sendable {
    private let stopWrite: Int32
    private let finished = Mutex(false)
    private let lines = Mutex<[String]>([])
    private let done = DispatchSemaphore(value: 0)

    /// Starts serving `fd` (not owned: umockdev closes it) with `engine`. From the `muteAtUSSD`-th `AT+CUSD=1`
    /// command on (1-based), the network never answers (OK, but no `+CUSD:`): a recharge left in flight.
    init(fd: Int32, engine: ModemEngine, muteAtUSSD: Int? = nil) {
        var fds: [Int32] = [-1, -1]
        _ = pipe(&fds)
        stopWrite = fds[1]
        let stopRead = fds[0]
        let thread = Thread { [self] in
            var loop = Loop(fd: fd, stopFD: stopRead, engine: engine, muteAtUSSD: muteAtUSSD, received: { line in self.lines.withLock { $0.append(line) } })
            loop.run()
            close(stopRead)
            done.signal()
        }
        thread.name = "sim-umockdev"
        thread.start()
    }

    /// Every command line received so far.
    var received: [String] { lines.withLock { $0 } }

    /// Stops the thread (idempotent).
    func stop() {
        let first = finished.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        guard first else { return }
        var byte: UInt8 = 1
        _ = write(stopWrite, &byte, 1)
        _ = done.wait(timeout: .now() + 5)
        close(stopWrite)
    }

    deinit { stop() }

    private struct Loop {
        let fd: Int32
        let stopFD: Int32
        var engine: ModemEngine
        let muteAtUSSD: Int?
        let received: @Sendable (String) -> Void

        mutating func run() {
            let clock = ContinuousClock()
            var input: [UInt8] = []
            var commands: [String] = []
            var pending: [(due: ContinuousClock.Instant, output: ModemOutput, ends: Bool)] = []
            var awaitingFinal = false
            var silent = false
            var ussdCount = 0
            // The network never answers: the device still says OK, but no +CUSD report follows.
            var networkSilent = false
            var buffer = [UInt8](repeating: 0, count: 1024)
            while true {
                let now = clock.now
                if !awaitingFinal, !commands.isEmpty {
                    let line = commands.removeFirst()
                    received(line)
                    if line.hasPrefix("AT+CUSD=1") {
                        ussdCount += 1
                        if let mute = muteAtUSSD, ussdCount >= mute { networkSilent = true }
                    }
                    for step in engine.receive(line: line) {
                        pending.append((now + .milliseconds(step.delayMs), step.output, step.endsCommand))
                        if step.endsCommand { awaitingFinal = true }
                    }
                    pending.sort { $0.due < $1.due }
                }
                while let first = pending.first, first.due <= clock.now {
                    pending.removeFirst()
                    if first.ends { awaitingFinal = false }
                    switch first.output {
                    case .bytes(let bytes):
                        if networkSilent, bytes.starts(with: Array("\r\n+CUSD:".utf8)) || bytes.starts(with: Array("+CUSD:".utf8)) { continue }
                        if !silent { _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } }
                    case .hangup, .silence:
                        silent = true
                        pending.removeAll()
                    }
                }
                var timeout: Int32 = -1
                if !awaitingFinal, !commands.isEmpty {
                    timeout = 0
                } else if let first = pending.first {
                    let left = first.due - clock.now
                    timeout = Int32(clamping: max(0, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1))
                }
                var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: stopFD, events: Int16(POLLIN), revents: 0)]
                let ready = poll(&fds, 2, timeout)
                if ready < 0 && errno != EINTR { return }
                if fds[1].revents != 0 { return }
                guard fds[0].revents != 0 else { continue }
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count <= 0 {
                    // EIO while no client has the slave open: wait a little instead of spinning.
                    var stop = pollfd(fd: stopFD, events: Int16(POLLIN), revents: 0)
                    if poll(&stop, 1, 5) > 0 { return }
                    continue
                }
                input += buffer[0..<count]
                while let end = input.firstIndex(where: { $0 == 0x0d || $0 == 0x0a }) {
                    let line = String(decoding: input[..<end], as: UTF8.self)
                    input.removeSubrange(...end)
                    if !line.isEmpty { commands.append(line) }
                }
            }
        }
    }
}

/// Makes direct `ioctl()`s on a mocked tty reach the real pty behind it (TESTING.md §3c): TIOCEXCL works, and the
/// modem-line calls get plausible answers. Keep the returned handler alive while the device is in use.
enum TTYIoctlHandler {
    static func attach(_ testbed: MockTestbed, device: String) -> UnsafeMutablePointer<UMockdevIoctlBase>? {
        guard let handler = umockdev_ioctl_base_new() else { return nil }
        let callback: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<UMockdevIoctlClient>?, UnsafeMutableRawPointer?) -> gboolean = { _, client, _ in
            let request = umockdev_ioctl_client_get_request(client)
            if request == UInt(TIOCMGET) {
                var bits = Int32(TIOCM_DTR | TIOCM_RTS | TIOCM_CTS | TIOCM_DSR | TIOCM_CAR)
                let data = umockdev_ioctl_data_resolve(umockdev_ioctl_client_get_arg(client), 0, 4, nil)
                withUnsafeMutableBytes(of: &bits) { raw in
                    if let base = raw.baseAddress { umockdev_ioctl_data_update(data, 0, base.assumingMemoryBound(to: UInt8.self), 4) }
                }
                umockdev_ioctl_client_complete(client, 0, 0)
                return 1
            }
            if request == UInt(TIOCMSET) || request == UInt(TIOCMBIS) || request == UInt(TIOCMBIC) {
                umockdev_ioctl_client_complete(client, 0, 0)
                return 1
            }
            var error: Int32 = 0
            let result = umockdev_ioctl_client_execute(client, &error, nil)
            umockdev_ioctl_client_complete(client, Int(result), error)
            return 1
        }
        g_signal_connect_data(handler, "handle-ioctl", unsafeBitCast(callback, to: GCallback.self), nil, nil, GConnectFlags(rawValue: 0))
        var gerror: UnsafeMutablePointer<GError>?
        guard umockdev_testbed_attach_ioctl(testbed.pointer, device, handler, &gerror) != 0 else {
            if let gerror { g_error_free(gerror) }
            g_object_unref(handler)
            return nil
        }
        return handler
    }
}
