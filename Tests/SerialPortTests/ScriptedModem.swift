import Glibc
import Synchronization

/// Test fixture: a pseudo-terminal whose master side is served by a scripted responder thread.
///
/// The code under test opens `slavePath`. The responder splits what it reads at CR, records each
/// command line in order and writes whatever the script returns. This is a minimal fixture for
/// the serial layer, not the project's simulator.
final class ScriptedModem: Sendable {
    /// What the responder does for one received command line.
    enum Action: Sendable {
        /// Write these bytes (as UTF-8) to the master.
        case send(String)
        /// Close the master: the slave side sees a hangup (EIO / POLLHUP).
        case hangUp
    }

    let slavePath: String
    private let master: Mutex<Int32>
    /// A slave descriptor kept open by the fixture so the master never reads EIO between sessions.
    private let slaveKeeper: Int32
    private let stopPipe: (read: Int32, write: Int32)
    private let received = Mutex<[String]>([])
    private let thread: Mutex<pthread_t?>
    private let script: @Sendable (String) -> [Action]

    init(script: @escaping @Sendable (String) -> [Action]) throws {
        var masterFD: Int32 = -1
        var slaveFD: Int32 = -1
        var name = [CChar](repeating: 0, count: 128)
        guard openpty(&masterFD, &slaveFD, &name, nil, nil) == 0 else { throw FixtureError.system("openpty", errno) }
        var attributes = termios()
        tcgetattr(slaveFD, &attributes)
        cfmakeraw(&attributes)
        tcsetattr(slaveFD, TCSANOW, &attributes)
        _ = fcntl(masterFD, F_SETFD, FD_CLOEXEC)
        _ = fcntl(slaveFD, F_SETFD, FD_CLOEXEC)
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw FixtureError.system("pipe", errno) }
        self.slavePath = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        self.master = Mutex(masterFD)
        self.slaveKeeper = slaveFD
        self.stopPipe = (ends[0], ends[1])
        self.script = script
        self.thread = Mutex(nil)
        let context = Unmanaged.passRetained(self).toOpaque()
        var tid = pthread_t()
        let rc = pthread_create(&tid, nil, { raw in
            guard let raw else { return nil }
            Unmanaged<ScriptedModem>.fromOpaque(raw).takeRetainedValue().serve()
            return nil
        }, context)
        guard rc == 0 else { throw FixtureError.system("pthread_create", rc) }
        thread.withLock { $0 = tid }
    }

    /// The command lines received so far, in order.
    var commands: [String] { received.withLock { $0 } }

    /// Bytes written by the master that nobody has read from the slave yet (FIONREAD).
    var pendingInputOnSlave: Int32 {
        var count: Int32 = 0
        return ioctl(slaveKeeper, UInt(FIONREAD), &count) == 0 ? count : -1
    }

    /// Writes `text` to the master now (unsolicited reports, late replies).
    func inject(_ text: String) {
        master.withLock { fd in
            guard fd >= 0 else { return }
            Self.writeAll(fd, Array(text.utf8))
        }
    }

    /// Stops the responder thread and closes every descriptor of the fixture.
    func stop() {
        guard let tid = thread.withLock({ current -> pthread_t? in
            let tid = current
            current = nil
            return tid
        }) else { return }
        var byte: UInt8 = 1
        _ = Glibc.write(stopPipe.write, &byte, 1)
        pthread_join(tid, nil)
        master.withLock { fd in
            if fd >= 0 { Glibc.close(fd) }
            fd = -1
        }
        Glibc.close(slaveKeeper)
        Glibc.close(stopPipe.read)
        Glibc.close(stopPipe.write)
    }

    /// Polls `condition` until it holds or `timeout` passes (no fixed sleeps).
    static func eventually(timeout: Duration = .seconds(2), _ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return await condition()
    }

    private func serve() {
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let fd = master.withLock { $0 }
            guard fd >= 0 else { return }
            var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: stopPipe.read, events: Int16(POLLIN), revents: 0)]
            let rc = poll(&fds, 2, -1)
            if rc < 0 { if errno == EINTR { continue } else { return } }
            if fds[1].revents != 0 { return }
            if fds[0].revents & Int16(POLLNVAL) != 0 { return }
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 {
                // EIO while no slave is open cannot happen (slaveKeeper); anything else ends the fixture.
                if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                return
            }
            pending.append(contentsOf: buffer[0..<n])
            while let cr = pending.firstIndex(of: 0x0D) {
                let line = String(decoding: pending[..<cr].filter { $0 != 0x0A }, as: UTF8.self)
                pending.removeSubrange(...cr)
                received.withLock { $0.append(line) }
                for action in script(line) {
                    switch action {
                    case .send(let text):
                        inject(text)
                    case .hangUp:
                        master.withLock { fd in
                            if fd >= 0 { Glibc.close(fd) }
                            fd = -1
                        }
                        return
                    }
                }
            }
        }
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return
            }
            offset += n
        }
    }
}

enum FixtureError: Error {
    case system(String, Int32)
}

/// Formats an AT reply the way modems do: each line as CR LF line CR LF.
func reply(_ lines: String...) -> String {
    lines.map { "\r\n\($0)\r\n" }.joined()
}

/// The number of open descriptors of this process.
func openDescriptorCount() -> Int {
    guard let directory = opendir("/proc/self/fd") else { return -1 }
    defer { closedir(directory) }
    var count = 0
    while readdir(directory) != nil { count += 1 }
    return count
}
