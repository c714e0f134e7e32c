import Foundation
#if canImport(Glibc)
import Glibc
#endif
import ModemSimulator
import Synchronization

/// A fake device on a pseudo-terminal for in-process tests: the simulator's pty (`PseudoTerminal`) served on a thread
/// of its own, answered either by the simulator's engine (`ModemEngine`, as `hotspot-sim` does) or by a script.
///
/// The code under test opens `slavePath`. Every command line is recorded in order (`commands`). The fixture keeps its
/// own descriptor on the slave, so the master never reads EIO while no client holds the tty.
///
/// - A script answers each line at once with what it returns, and may hang up: for tests of the serial layer that
///   need exact bytes (late replies, garbage, a close mid-reply).
/// - The engine plays its scheduled outputs at their delays, one command at a time, like a modem.
public final class FakeModem: Sendable {
    /// What a script does for one received command line.
    public enum Action: Sendable {
        /// Write these bytes (as UTF-8) to the master.
        case send(String)
        /// Close the master: the slave side sees a hangup (EIO / POLLHUP).
        case hangUp
    }

    private enum Responder: Sendable {
        case script(@Sendable (String) -> [Action])
        case engine(ModemEngine, muteUSSDFrom: Int?)
    }

    /// The tty the code under test opens.
    public let slavePath: String
    private let master: Mutex<Int32>
    /// The fixture's own slave descriptor (-1 when the fixture serves a descriptor it did not open).
    private let slaveKeeper: Int32
    private let ownsMaster: Bool
    private let stopPipe: (read: Int32, write: Int32)
    private let received = Mutex<[String]>([])
    private let stopped = Mutex(false)
    private let finished = DispatchSemaphore(value: 0)

    /// A pty of its own answered by `script`, one call per line received (split at CR, LF dropped).
    public convenience init(script: @escaping @Sendable (String) -> [Action]) throws {
        try self.init(responder: .script(script))
    }

    /// A pty of its own answered by the simulator's `engine`. From the `muteUSSDFrom`-th `AT+CUSD=1` command on
    /// (1-based), the network never answers (the device says OK, no `+CUSD:` follows): a recharge left in flight.
    public convenience init(engine: ModemEngine, muteUSSDFrom: Int? = nil) throws {
        try self.init(responder: .engine(engine, muteUSSDFrom: muteUSSDFrom))
    }

    /// Serves `descriptor`, a pty master opened by someone else (umockdev's mocked tty, which it closes itself), at
    /// `path`, with the simulator's `engine`; `muteUSSDFrom` as above.
    /// (A pipe that cannot be made leaves a fixture that serves until the process ends.)
    public init(serving descriptor: Int32, at path: String, engine: ModemEngine, muteUSSDFrom: Int? = nil) {
        var ends: [Int32] = [-1, -1]
        _ = pipe(&ends)
        slavePath = path
        master = Mutex(descriptor)
        slaveKeeper = -1
        ownsMaster = false
        stopPipe = (ends[0], ends[1])
        start(.engine(engine, muteUSSDFrom: muteUSSDFrom))
    }

    private init(responder: Responder) throws {
        let terminal: PseudoTerminal
        do {
            terminal = try PseudoTerminal.open()
        } catch {
            throw TestSupportError(call: error.description, errno: 0)
        }
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            terminal.close()
            throw TestSupportError(call: "pipe", errno: errno)
        }
        slavePath = terminal.path
        master = Mutex(terminal.master)
        slaveKeeper = terminal.slave
        ownsMaster = true
        stopPipe = (ends[0], ends[1])
        start(responder)
    }

    private func start(_ responder: Responder) {
        let thread = Thread { [self] in
            switch responder {
            case .script(let script): serveScript(script)
            case .engine(let engine, let mute): serveEngine(engine, muteUSSDFrom: mute)
            }
            finished.signal()
        }
        thread.name = "fake-modem"
        thread.start()
    }

    /// The command lines received so far, in order.
    public var commands: [String] { received.withLock { $0 } }

    /// Bytes written by the master that nobody has read from the slave yet (FIONREAD); -1 when unknown.
    public var pendingInputOnSlave: Int32 {
        guard slaveKeeper >= 0 else { return -1 }
        var count: Int32 = 0
        return ioctl(slaveKeeper, UInt(FIONREAD), &count) == 0 ? count : -1
    }

    /// Writes `text` to the master now (unsolicited reports, late replies).
    public func inject(_ text: String) {
        write(Array(text.utf8))
    }

    /// Stops the thread and closes the fixture's descriptors (idempotent).
    public func stop() {
        let first = stopped.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        guard first else { return }
        var byte: UInt8 = 1
        _ = Glibc.write(stopPipe.write, &byte, 1)
        _ = finished.wait(timeout: .now() + 5)
        hangUp()
        if slaveKeeper >= 0 { Glibc.close(slaveKeeper) }
        Glibc.close(stopPipe.read)
        Glibc.close(stopPipe.write)
    }

    // MARK: - The serving thread

    private func write(_ bytes: [UInt8]) {
        master.withLock { descriptor in
            guard descriptor >= 0 else { return }
            var offset = 0
            while offset < bytes.count {
                let count = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
                if count < 0 {
                    if errno == EINTR || errno == EAGAIN { continue }
                    return
                }
                offset += count
            }
        }
    }

    /// Closes the master when the fixture opened it; a descriptor served for someone else is only let go.
    private func hangUp() {
        master.withLock { descriptor in
            if descriptor >= 0, ownsMaster { Glibc.close(descriptor) }
            descriptor = -1
        }
    }

    /// Waits up to `timeoutMs` (-1: no bound) for input or stop; returns the bytes read, or nil to end the thread.
    private func readInput(timeoutMs: Int32, into buffer: inout [UInt8]) -> [UInt8]? {
        let descriptor = master.withLock { $0 }
        guard descriptor >= 0 else { return nil }
        var fds = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0), pollfd(fd: stopPipe.read, events: Int16(POLLIN), revents: 0)]
        let ready = poll(&fds, 2, timeoutMs)
        if ready < 0 { return errno == EINTR ? [] : nil }
        if fds[1].revents != 0 || fds[0].revents & Int16(POLLNVAL) != 0 { return nil }
        guard fds[0].revents != 0 else { return [] }
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count > 0 { return Array(buffer[0..<count]) }
        if count < 0, errno == EINTR || errno == EAGAIN { return [] }
        // EIO while no client has a umockdev slave open: wait a little instead of spinning.
        guard !ownsMaster else { return nil }
        var stop = pollfd(fd: stopPipe.read, events: Int16(POLLIN), revents: 0)
        return poll(&stop, 1, 5) > 0 ? nil : []
    }

    private func serveScript(_ script: @Sendable (String) -> [Action]) {
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while let bytes = readInput(timeoutMs: -1, into: &buffer) {
            pending += bytes
            while let cr = pending.firstIndex(of: 0x0D) {
                let line = String(decoding: pending[..<cr].filter { $0 != 0x0A }, as: UTF8.self)
                pending.removeSubrange(...cr)
                received.withLock { $0.append(line) }
                for action in script(line) {
                    switch action {
                    case .send(let text):
                        inject(text)
                    case .hangUp:
                        hangUp()
                        return
                    }
                }
            }
        }
    }

    private func serveEngine(_ start: ModemEngine, muteUSSDFrom mute: Int?) {
        var engine = start
        let clock = ContinuousClock()
        var input: [UInt8] = []
        var commands: [String] = []
        var pending: [(due: ContinuousClock.Instant, output: ModemOutput, ends: Bool)] = []
        var awaitingFinal = false
        var silent = false
        var ussdCount = 0
        var networkSilent = false
        var buffer = [UInt8](repeating: 0, count: 1024)
        while true {
            let now = clock.now
            if !awaitingFinal, !commands.isEmpty {
                let line = commands.removeFirst()
                received.withLock { $0.append(line) }
                if line.hasPrefix("AT+CUSD=1") {
                    ussdCount += 1
                    if let mute, ussdCount >= mute { networkSilent = true }
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
                    let report = bytes.starts(with: Array("\r\n+CUSD:".utf8)) || bytes.starts(with: Array("+CUSD:".utf8))
                    if networkSilent, report { continue }
                    if !silent { write(bytes) }
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
                let milliseconds = left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1
                timeout = Int32(clamping: max(0, milliseconds))
            }
            guard let bytes = readInput(timeoutMs: timeout, into: &buffer) else { return }
            input += bytes
            while let end = input.firstIndex(where: { $0 == 0x0D || $0 == 0x0A }) {
                let line = String(decoding: input[..<end], as: UTF8.self)
                input.removeSubrange(...end)
                if !line.isEmpty { commands.append(line) }
            }
        }
    }
}

/// Formats an AT reply the way modems do: each line as CR LF line CR LF.
public func reply(_ lines: String...) -> String {
    lines.map { "\r\n\($0)\r\n" }.joined()
}

/// The number of open descriptors of this process (a leak check).
public func openDescriptorCount() -> Int {
    guard let directory = opendir("/proc/self/fd") else { return -1 }
    defer { closedir(directory) }
    var count = 0
    while readdir(directory) != nil { count += 1 }
    return count
}
