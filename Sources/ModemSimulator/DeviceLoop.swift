import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The I/O loop of one fake device: reads command lines from the pty master, plays the engine's
/// outputs at their times, sends periodic reports, stops when the stop pipe becomes readable.
///
/// Runs on its own thread and owns the terminal's descriptors for its whole life; commands are
/// taken up one at a time (the next waits for the previous one's final result), like a modem.
struct DeviceLoop: Sendable {
    var engine: ModemEngine
    var terminal: PseudoTerminal
    let stopFD: Int32
    /// Readable when the host asks for an unplug: four bytes, the milliseconds until the device comes back.
    let unplugFD: Int32
    let label: String
    let verbose: Bool
    /// Called on the device thread with the new tty path after a hangup followed by a replug.
    let onReplug: @Sendable (String) -> Void

    /// Why one pty session ended.
    enum Ending {
        case stopped
        /// A hangup fault fired.
        case hungUp
        /// The host unplugged the device: it comes back `afterMs` later on `next` (opened before the old pty closed,
        /// so its path differs), or on a pty opened then when `next` could not be opened.
        case unplugged(afterMs: Int, next: PseudoTerminal?)
    }

    private struct Pending {
        var due: ContinuousClock.Instant
        var output: ModemOutput
        var endsCommand: Bool
    }

    /// Maximum bytes kept for a client that does not read; the oldest are dropped beyond that.
    static let outputLimit = 64 * 1024

    /// Runs until stopped, or hung up with no replug configured.
    ///
    /// With `faults.replugAfterMs`, a hangup is followed, that long later, by a fresh device in
    /// its power-up state on a new pty (the host moves the link and rewrites the ports file).
    ///
    /// The host's `unplug` does the same on request, with its own delay, whatever the faults say.
    mutating func run() {
        while true {
            switch serve() {
            case .stopped:
                return
            case .hungUp:
                guard let delay = engine.personality.faults.replugAfterMs, comeBack(afterMs: delay, on: nil) else { return }
            case let .unplugged(delay, next):
                guard comeBack(afterMs: delay, on: next) else { return }
            }
        }
    }

    /// Waits `afterMs` (false when stopped meanwhile), then serves a fresh device on `next` or a new pty.
    private mutating func comeBack(afterMs delay: Int, on next: PseudoTerminal?) -> Bool {
        var stop = pollfd(fd: stopFD, events: Int16(POLLIN), revents: 0)
        if poll(&stop, 1, Int32(clamping: delay)) != 0 {
            next?.close()
            return false
        }
        if let next {
            terminal = next
        } else {
            do {
                terminal = try PseudoTerminal.open()
            } catch {
                log("replug failed: \(error.description)")
                return false
            }
        }
        engine = ModemEngine(personality: engine.personality, network: engine.network)
        log("replugged on \(terminal.path)")
        onReplug(terminal.path)
        return true
    }

    /// Serves one pty until stopped or hung up; closes the terminal before returning.
    private mutating func serve() -> Ending {
        let clock = ContinuousClock()
        let start = clock.now
        let reports = engine.personality.unsolicited.reports
        var nextReport = reports.map { start + .milliseconds($0.periodMs) }
        var input: [UInt8] = []
        var output: [UInt8] = []
        var commands: [String] = []
        var pending: [Pending] = []
        var awaitingFinal = false
        // The simulator's own slave descriptor keeps the tty alive, so a client's TIOCEXCL would
        // outlive its close (non-root reopens would get EBUSY). A real tty forgets it on last close:
        // watch for the client's close and clear the flag, like the kernel would.
        let closeWatch = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        if closeWatch >= 0 {
            _ = inotify_add_watch(closeWatch, terminal.path, UInt32(IN_CLOSE_WRITE | IN_CLOSE_NOWRITE))
        }
        defer {
            if closeWatch >= 0 { close(closeWatch) }
            terminal.close()
        }

        while true {
            var now = clock.now
            // 1. Take up the next command when the previous one is finished.
            if !awaitingFinal, !commands.isEmpty {
                let line = commands.removeFirst()
                log("<- \(line)")
                for step in engine.receive(line: line) {
                    let item = Pending(due: now + .milliseconds(step.delayMs), output: step.output, endsCommand: step.endsCommand)
                    let index = pending.firstIndex { $0.due > item.due } ?? pending.endIndex
                    pending.insert(item, at: index)
                    if step.endsCommand { awaitingFinal = true }
                }
            }
            // 2. Play what is due.
            while let first = pending.first, first.due <= now {
                pending.removeFirst()
                if first.endsCommand { awaitingFinal = false }
                switch first.output {
                case .bytes(let bytes):
                    log("-> \(Self.printable(bytes))")
                    output += bytes
                case .hangup:
                    log("hangup")
                    return .hungUp
                case .silence:
                    log("silent from now on")
                    pending.removeAll()
                    output.removeAll()
                }
            }
            // 3. Periodic reports.
            for index in reports.indices where nextReport[index] <= now {
                if let bytes = engine.unsolicitedBytes(reports[index]) {
                    output += bytes
                }
                nextReport[index] = now + .milliseconds(reports[index].periodMs)
            }
            if output.count > Self.outputLimit {
                output.removeFirst(output.count - Self.outputLimit)
            }
            // 4. Write what the pty takes.
            if !output.isEmpty {
                let written = output.withUnsafeBytes { Glibc.write(terminal.master, $0.baseAddress, $0.count) }
                if written > 0 { output.removeFirst(written) }
            }
            // 5. Sleep until input, the next deadline, or stop.
            now = clock.now
            var deadline: ContinuousClock.Instant?
            if let first = pending.first { deadline = first.due }
            for due in nextReport where deadline.map({ due < $0 }) ?? true { deadline = due }
            var timeout: Int32 = -1
            if !awaitingFinal, !commands.isEmpty {
                timeout = 0
            } else if let deadline {
                let remaining = deadline - now
                let ms = remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000
                timeout = Int32(clamping: max(0, ms + (remaining > .zero ? 1 : 0)))
            }
            if !output.isEmpty { timeout = timeout < 0 ? 50 : min(timeout, 50) }
            var fds = [
                pollfd(fd: terminal.master, events: Int16(POLLIN), revents: 0),
                pollfd(fd: stopFD, events: Int16(POLLIN), revents: 0),
                pollfd(fd: closeWatch, events: Int16(POLLIN), revents: 0),
                pollfd(fd: unplugFD, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&fds, nfds_t(fds.count), timeout)
            if ready < 0 {
                if errno == EINTR { continue }
                log("poll failed: errno \(errno)")
                return .stopped
            }
            if fds[1].revents != 0 { return .stopped }
            if fds[3].revents & Int16(POLLIN) != 0 {
                var delay: UInt32 = 0
                let count = withUnsafeMutableBytes(of: &delay) { Glibc.read(unplugFD, $0.baseAddress, $0.count) }
                if count == 4 {
                    log("unplugged for \(delay) ms")
                    // The next pty is opened while this one is still open, so the kernel cannot hand back its number.
                    return .unplugged(afterMs: Int(delay), next: try? PseudoTerminal.open())
                }
            }
            if fds[2].revents & Int16(POLLIN) != 0 {
                var events = [UInt8](repeating: 0, count: 1024)
                while events.withUnsafeMutableBytes({ Glibc.read(closeWatch, $0.baseAddress, $0.count) }) > 0 {}
                _ = ioctl(terminal.slave, UInt(TIOCNXCL))
                log("client closed the tty")
            }
            if fds[0].revents & Int16(POLLIN) != 0 {
                var buffer = [UInt8](repeating: 0, count: 4096)
                let count = buffer.withUnsafeMutableBytes { Glibc.read(terminal.master, $0.baseAddress, $0.count) }
                if count > 0 {
                    input += buffer[0..<count]
                    Self.extractLines(from: &input, into: &commands)
                } else if count < 0, errno != EAGAIN, errno != EINTR {
                    // The sim holds the slave open, so this should not happen; avoid spinning if it does.
                    usleep(20_000)
                }
            } else if fds[0].revents & Int16(POLLHUP | POLLERR) != 0 {
                usleep(20_000)
            }
        }
    }

    /// Moves complete lines (ended by CR or LF) from `input` to `commands`; blank lines are dropped.
    static func extractLines(from input: inout [UInt8], into commands: inout [String]) {
        while let end = input.firstIndex(where: { $0 == 0x0D || $0 == 0x0A }) {
            let line = String(decoding: input[..<end].filter { $0 != 0 }, as: UTF8.self)
            input.removeSubrange(...end)
            if !line.trimmingBlanks().isEmpty { commands.append(line) }
        }
        if input.count > 4096 { input.removeAll() }
    }

    static func printable(_ bytes: [UInt8]) -> String {
        var text = ""
        for byte in bytes {
            switch byte {
            case 0x0D: text += "\\r"
            case 0x0A: text += "\\n"
            case 0x20...0x7E: text.append(Character(Unicode.Scalar(byte)))
            default: text += String(format: "\\x%02X", byte)
            }
        }
        return text
    }

    private func log(_ message: String) {
        guard verbose else { return }
        FileHandle.standardError.write(Data("[\(label)] \(message)\n".utf8))
    }
}
