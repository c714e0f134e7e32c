import Foundation
import ModemSimulator
import SerialPort
import Synchronization
import Testing
@testable import DeviceDiscovery

/// Pseudo-terminals and lock holders for the probe's lock tests.
///
/// The tests themselves run in the serialized umockdev suite: they need no mocked device, but while another test's
/// testbed is alive umockdev's preload intercepts ioctls on `/dev/ptmx`, so they must not run beside one.
enum ProbeLockFixtures {
    /// A pty pair (the simulator's `PseudoTerminal`): the master side (the "modem") and the slave's path, which the probe opens. The test keeps the slave
    /// open too, so the pty is never hung up between probes.
    final class PTY {
        let master: Int32
        let slave: Int32
        let path: String

        init() throws {
            let pair = try PseudoTerminal.open()
            master = pair.master
            slave = pair.slave
            path = pair.path
            _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)
        }

        deinit {
            close(slave)
            close(master)
        }

        /// Everything the probe wrote so far (non-blocking).
        func pending() -> [UInt8] {
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 256)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
                guard count > 0 else { return bytes }
                bytes += buffer[0..<count]
            }
        }

        /// The lock file name of this pty (`LCK..pts_N`).
        var lockName: String { "LCK.." + path.dropFirst("/dev/".count).replacingOccurrences(of: "/", with: "_") }
    }

    static func lockDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hotspotd-locks-\(UInt32.random(in: 0...UInt32.max))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A `sleep` process holding `pty`'s slave open (its standard input): a live holder with a known name. A lock
    /// counts only while its process holds the tty.
    static func sleeper(holding pty: PTY) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sleep")
        process.arguments = ["30"]
        process.standardInput = FileHandle(fileDescriptor: pty.slave, closeOnDealloc: false)
        try process.run()
        return process
    }

}

/// The probe and other programs' UUCP locks, on real pseudo-terminals.
extension UMockdevDiscoveryTests {
    @Test func portAnotherProgramOpenedExclusivelyIsBusyAndKeepsItsExclusivity() async throws {
        // The test's own slave descriptor plays the other program: TIOCEXCL set on it. Root (these tests) can open the
        // port all the same, so only asking the tty (TIOCGEXCL) keeps the probe off it.
        let pty = try ProbeLockFixtures.PTY()
        #expect(ioctl(pty.slave, UInt(TIOCEXCL)) == 0)
        let results = await ATPortProber(timeout: .milliseconds(100), tries: 1, lockDirectory: nil).probe([pty.path])
        #expect(results.first?.outcome == .busy(holder: nil))
        #expect(pty.pending().isEmpty, "an exclusively held port got bytes")
        #expect(SerialPort.isExclusive(fd: pty.slave) == true, "the probe must not clear the holder's exclusive mode")
        _ = ioctl(pty.slave, UInt(TIOCNXCL))
    }

    @Test func portWithALiveLockIsReportedBusyWithItsHolderAndGetsNoByte() async throws {
        let pty = try ProbeLockFixtures.PTY()
        let locks = try ProbeLockFixtures.lockDirectory()
        defer { try? FileManager.default.removeItem(atPath: locks) }
        let holder = try ProbeLockFixtures.sleeper(holding: pty)
        defer { holder.terminate() }
        let lockFile = locks + "/" + pty.lockName
        let text = UUCPLockFile.contents(pid: holder.processIdentifier)
        #expect(text.count == 11 && text.hasSuffix("\n"))
        try text.write(toFile: lockFile, atomically: false, encoding: .utf8)

        let prober = ATPortProber(timeout: .milliseconds(200), tries: 1, lockDirectory: locks)
        let results = await prober.probe([pty.path])
        #expect(results == [PortProbeResult(port: pty.path, outcome: .busy(holder: "sleep (pid \(holder.processIdentifier))"))])
        #expect(results.first?.busyMessage == "\(pty.path) is held by sleep (pid \(holder.processIdentifier))")
        #expect(await prober.portModeReply(on: pty.path) == nil)
        #expect(pty.pending().isEmpty, "a locked port receives no byte")
        #expect(try String(contentsOfFile: lockFile, encoding: .utf8) == text, "someone else's lock is left alone")
    }

    @Test func oldBinaryLockIsReadToo() async throws {
        let pty = try ProbeLockFixtures.PTY()
        let locks = try ProbeLockFixtures.lockDirectory()
        defer { try? FileManager.default.removeItem(atPath: locks) }
        let holder = try ProbeLockFixtures.sleeper(holding: pty)
        defer { holder.terminate() }
        var pid = holder.processIdentifier
        try Data(bytes: &pid, count: 4).write(to: URL(fileURLWithPath: locks + "/" + pty.lockName))

        let results = await ATPortProber(timeout: .milliseconds(200), tries: 1, lockDirectory: locks).probe([pty.path])
        #expect(results.first?.outcome == .busy(holder: "sleep (pid \(pid))"))
        #expect(pty.pending().isEmpty)
    }

    @Test func staleLockIsIgnoredAndThePortProbedUnderOurOwnLock() async throws {
        let pty = try ProbeLockFixtures.PTY()
        let locks = try ProbeLockFixtures.lockDirectory()
        defer { try? FileManager.default.removeItem(atPath: locks) }
        let finished = Process()
        finished.executableURL = URL(fileURLWithPath: "/bin/true")
        try finished.run()
        finished.waitUntilExit()
        let lockFile = locks + "/" + pty.lockName
        try UUCPLockFile.contents(pid: finished.processIdentifier).write(toFile: lockFile, atomically: false, encoding: .utf8)

        // The "modem": answers AT with OK, and notes whose lock file was there when the AT arrived.
        let seenLock = Mutex<String?>(nil)
        let master = pty.master
        let responder = Thread {
            let end = ContinuousClock.now + .seconds(5)
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 64)
            while ContinuousClock.now < end {
                var pfd = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
                guard poll(&pfd, 1, 50) > 0 else { continue }
                let count = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
                guard count > 0 else { continue }
                received += buffer[0..<count]
                if received.contains(0x0d) {
                    seenLock.withLock { $0 = try? String(contentsOfFile: lockFile, encoding: .utf8) }
                    let reply = Array("\r\nOK\r\n".utf8)
                    _ = reply.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
                    return
                }
            }
        }
        responder.start()

        let results = await ATPortProber(timeout: .seconds(2), tries: 1, lockDirectory: locks).probe([pty.path])
        #expect(results.first?.outcome == .answered)
        #expect(seenLock.withLock { $0 } == UUCPLockFile.contents(pid: getpid()), "the probe holds the port's lock while it talks")
        #expect(!FileManager.default.fileExists(atPath: lockFile), "the probe removes its lock afterwards")
    }

    @Test func withoutALockDirectoryLockFilesAreNotConsulted() async throws {
        let pty = try ProbeLockFixtures.PTY()
        let results = await ATPortProber(timeout: .milliseconds(100), tries: 1, lockDirectory: nil).probe([pty.path])
        #expect(results.first?.outcome == .silent)
        #expect(pty.pending() == Array("AT\r".utf8))
    }

    @Test func probeTurnsHardwareFlowControlOffLikeTheStationsSerialPort() async throws {
        // A port left with RTS/CTS on (by another tool) would hold the probe's `AT` back on a modem that never raises
        // CTS: the probe sets the same raw termios as the station's serial port.
        let pty = try ProbeLockFixtures.PTY()
        var settings = termios()
        #expect(tcgetattr(pty.slave, &settings) == 0)
        settings.c_cflag |= tcflag_t(CRTSCTS)
        #expect(tcsetattr(pty.slave, TCSANOW, &settings) == 0)
        #expect(tcgetattr(pty.slave, &settings) == 0)
        try #require(settings.c_cflag & tcflag_t(CRTSCTS) != 0, "this pty keeps CRTSCTS, so the test can see it cleared")
        let results = await ATPortProber(timeout: .milliseconds(100), tries: 1, lockDirectory: nil).probe([pty.path])
        #expect(results.first?.outcome == .silent)
        #expect(pty.pending() == Array("AT\r".utf8))
        #expect(tcgetattr(pty.slave, &settings) == 0)
        #expect(settings.c_cflag & tcflag_t(CRTSCTS) == 0)
    }
}

/// A port that is not there.
struct ATPortProberOpenTests {
    @Test func missingPortCannotBeOpened() async {
        let results = await ATPortProber(timeout: .milliseconds(50), tries: 1, lockDirectory: "/nonexistent-lock-dir")
            .probe(["/nonexistent/ttyUSB9"])
        #expect(results == [PortProbeResult(port: "/nonexistent/ttyUSB9", outcome: .cannotOpen(errno: ENOENT))])
    }
}
