import Foundation
import Glibc
import Logging
@testable import SerialPort
import Testing
import TestSupport

extension SerialPortTargetTests {
    /// A `SerialPort` opens serial devices only: nothing else is touched, and every refusal reads the same.
    @Suite struct SerialDeviceCheckTests {
        static let logger = Logger(label: "test.serial.check")
        static let options = SerialPortOptions(lockDirectory: nil, allowPseudoTerminals: true)

        /// A device number as glibc's `makedev(3)` builds it.
        static func device(_ major: UInt32, _ minor: UInt32) -> dev_t {
            let major = UInt64(major), minor = UInt64(minor)
            return dev_t(((major & 0xfff) << 8) | ((major & ~0xfff) << 32) | (minor & 0xff) | ((minor & ~0xff) << 12))
        }

        /// The refusal `path` gets, or nil when it opened (and is closed again at once).
        static func refusal(_ path: String, options: SerialPortOptions = options) -> SerialPortError? {
            do {
                let port = try SerialPort(path: path, options: options, logger: logger)
                port.close()
                return nil
            } catch {
                return error
            }
        }

        @Test func onlyUSBSerialACMAndTheStationUsersOwnPseudoTerminalsAreAccepted() {
            let me = geteuid()
            let strict = SerialDevicePolicy(allowsPseudoTerminals: false, owner: me)
            let lenient = SerialDevicePolicy(allowsPseudoTerminals: true, owner: me)
            let character = mode_t(S_IFCHR | 0o660)
            for policy in [strict, lenient] {
                #expect(policy.judge(mode: character, device: Self.device(188, 0), nodeOwner: 0) == .accepted, "ttyUSB0")
                #expect(policy.judge(mode: character, device: Self.device(188, 300), nodeOwner: 0) == .accepted, "ttyUSB300")
                #expect(policy.judge(mode: character, device: Self.device(166, 3), nodeOwner: 0) == .accepted, "ttyACM3")
                for (major, minor) in [(5, 1), (5, 0), (5, 2), (4, 0), (4, 1), (4, 63), (4, 64), (1, 3), (1, 5), (10, 130), (3, 0), (2, 0)] {
                    #expect(policy.judge(mode: character, device: Self.device(UInt32(major), UInt32(minor)), nodeOwner: me) != .accepted,
                            "\(major):\(minor) must be refused")
                }
                for type in [S_IFREG, S_IFDIR, S_IFIFO, S_IFSOCK, S_IFBLK] {
                    #expect(policy.judge(mode: mode_t(type | 0o666), device: Self.device(188, 0), nodeOwner: me) != .accepted)
                }
            }
            for major: UInt32 in 136...143 {
                #expect(strict.judge(mode: character, device: Self.device(major, 7), nodeOwner: me) != .accepted)
                #expect(lenient.judge(mode: character, device: Self.device(major, 7), nodeOwner: me) == .accepted)
                #expect(lenient.judge(mode: character, device: Self.device(major, 7), nodeOwner: me &+ 4242) != .accepted,
                        "another user's pseudo-terminal")
            }
            #expect(strict.judge(mode: character, device: Self.device(5, 1), nodeOwner: 0) == .refused("the console (5:1), not a serial driver the station drives"))
        }

        /// A missing path, a directory, a regular file, a FIFO and devices that are no serial port: one refusal, the same
        /// words for all (so a caller learns nothing about the path), before any ioctl or write, leaving no lock file.
        @Test func whatIsNoSerialDeviceGetsOneRefusalThatSaysNothingAboutIt() throws {
            let temporary = try TemporaryDirectory(prefix: "serial-check")
            let directory = temporary.path
            let locks = directory + "/locks"
            try FileManager.default.createDirectory(atPath: locks, withIntermediateDirectories: false)
            let file = directory + "/passwd-copy"
            let text = "root:x:0:0:root:/root:/bin/bash\n"
            try text.write(toFile: file, atomically: false, encoding: .utf8)
            let fifo = directory + "/fifo"
            try #require(mkfifo(fifo, 0o600) == 0)
            let options = SerialPortOptions(lockDirectory: locks, allowPseudoTerminals: true)

            let paths = [directory + "/missing", "/nonexistent/ttyUSB9", directory, file, fifo, "/etc/passwd",
                         "/dev/null", "/dev/zero", "/proc/self/mem"]
            var descriptions: Set<String> = []
            for path in paths {
                let started = ContinuousClock.now
                let error = try #require(Self.refusal(path, options: options), "\(path) was opened")
                #expect(ContinuousClock.now - started < .seconds(1), "\(path) took long: a FIFO must not block")
                #expect(error.code == .notSerialDevice, "\(path): \(error)")
                #expect(error.message == "is not a serial device this station drives")
                #expect(error.holderPID == nil)
                descriptions.insert(error.description.replacingOccurrences(of: path, with: "PATH"))
            }
            #expect(descriptions == ["not-serial-device PATH: is not a serial device this station drives"])
            #expect(try String(contentsOfFile: file, encoding: .utf8) == text)
            #expect(try FileManager.default.contentsOfDirectory(atPath: locks).isEmpty, "a refused path left a lock file")
            // The log still learns what each was.
            #expect(Self.refusal(directory + "/missing")?.errno == ENOENT)
            #expect(Self.refusal(fifo)?.detail == "a FIFO")
            #expect(Self.refusal(directory)?.detail == "a directory")
            #expect(Self.refusal("/dev/null")?.detail?.contains("(1:3)") == true)
        }

        /// The console, the virtual terminals and /dev/tty are judged on an `O_PATH` descriptor: refused without their
        /// driver ever being opened (so nothing is switched to raw, written or made exclusive).
        @Test func theConsoleVirtualTerminalsAndTheTtyAliasAreRefusedWithoutBeingOpened() throws {
            let expected = ["/dev/console": "the console (5:1)", "/dev/tty0": "a virtual terminal (4:0)",
                            "/dev/tty1": "a virtual terminal (4:1)", "/dev/tty": "the controlling-terminal alias /dev/tty (5:0)",
                            "/dev/ptmx": "the pseudo-terminal multiplexer (5:2)"]
            var checked = 0
            for (path, what) in expected.sorted(by: { $0.key < $1.key }) where access(path, F_OK) == 0 {
                checked += 1
                let error = try #require(Self.refusal(path), "\(path) was opened")
                #expect(error.code == .notSerialDevice)
                #expect(error.errno == 0)
                // The detail comes from the check on the O_PATH descriptor, made before the real open.
                #expect(error.detail == "\(what), not a serial driver the station drives", "\(path): \(error.detail ?? "-")")
            }
            #expect(checked >= 2, "this machine has neither /dev/console nor /dev/tty")
        }

        @Test func aPseudoTerminalIsTakenOnlyWhenAllowed() throws {
            let pty = try TestPseudoTerminal(.cooked)
            defer { pty.close() }
            let refused = try #require(Self.refusal(pty.path, options: SerialPortOptions(lockDirectory: nil)))
            #expect(refused.code == .notSerialDevice)
            #expect(refused.detail?.contains("pseudo-terminals are not allowed") == true)
            var settings = termios()
            #expect(tcgetattr(pty.slave, &settings) == 0)
            #expect(settings.c_lflag & tcflag_t(ICANON) != 0, "the refused open changed the terminal's mode")
            #expect(Self.refusal(pty.path) == nil, "allowed, the station user's own pseudo-terminal opens")
        }

        /// Another user's pseudo-terminal (a login of theirs) is refused even when pseudo-terminals are allowed: nothing
        /// reaches it, its mode is left alone, it is not made exclusive, and its input is not taken.
        @Test func anotherUsersPseudoTerminalIsRefusedAndGetsNoByte() async throws {
            let pty = try TestPseudoTerminal(.cooked)
            defer { pty.close() }
            try #require(chown(pty.path, 4242, 4242) == 0, "tests run as root")
            var before = termios()
            #expect(tcgetattr(pty.slave, &before) == 0)
            before.c_lflag &= ~tcflag_t(ECHO)  // what the user types is not echoed to the master: only the station's bytes are
            #expect(tcsetattr(pty.slave, TCSANOW, &before) == 0)
            // The user typed something the station must not take.
            #expect(write(pty.master, "ls\n", 3) == 3)

            do {
                let session = try await ATSession.open(path: pty.path, options: Self.options, logger: Self.logger)
                await session.close()
                Issue.record("another user's pseudo-terminal was opened")
            } catch {
                #expect(error.code == .notSerialDevice)
                #expect(error.detail?.contains("of uid 4242") == true, "\(error.detail ?? "-")")
            }
            try await Task.sleep(for: .milliseconds(300))
            #expect(pty.drainMaster().isEmpty, "bytes reached another user's terminal")
            var after = termios()
            #expect(tcgetattr(pty.slave, &after) == 0)
            #expect(after.c_lflag == before.c_lflag && after.c_iflag == before.c_iflag && after.c_oflag == before.c_oflag)
            #expect(SerialPort.isExclusive(fd: pty.slave) == false)
            var waiting: Int32 = 0
            #expect(ioctl(pty.slave, UInt(FIONREAD), &waiting) == 0)
            #expect(waiting == 3, "the user's input was taken")
        }

        /// A tty that is a session's controlling terminal (a shell on it) is refused even when it is the station user's
        /// own pseudo-terminal.
        @Test func someonesControllingTerminalIsRefused() async throws {
            let pty = try TestPseudoTerminal(.cooked)
            defer { pty.close() }
            // setsid(1) starts a new session; its shell, the session leader, opens the tty without O_NOCTTY and so
            // makes it its controlling terminal, then becomes `sleep`.
            let shell = Process()
            shell.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
            shell.arguments = ["/bin/sh", "-c", "exec sleep 30 < \(pty.path)"]
            try shell.run()
            defer { shell.terminate() }
            var info = stat()
            #expect(lstat(pty.path, &info) == 0)
            let device = info.st_rdev
            let controlled = await eventually(timeout: .seconds(5)) {
                SerialDevicePolicy.controllingProcess(of: device) != nil
            }
            try #require(controlled, "the shell did not take the terminal as its controlling terminal")
            // Should setsid(1) have forked, its child is not `shell`: stop it by the pid that holds the terminal.
            defer { SerialDevicePolicy.controllingProcess(of: device).map { _ = kill($0, SIGTERM) } }
            let error = try #require(Self.refusal(pty.path), "someone's terminal was opened")
            #expect(error.code == .notSerialDevice)
            #expect(error.detail?.hasPrefix("the controlling terminal of pid") == true, "\(error.detail ?? "-")")
            #expect(pty.drainMaster().isEmpty)
        }

        @Test func theControllingTerminalFieldIsReadPastACommandNameWithSpacesAndParentheses() {
            let line = Array("4242 (evil) 1 2 (x) S 1 4242 4242 34816 4242 4194560 0\n".utf8)
            #expect(SerialDevicePolicy.terminalNumber(stat: line) == 34816)
            #expect(SerialDevicePolicy.terminalNumber(stat: Array("1 (init) S 0 1 1 0 -1".utf8)) == 0)
            #expect(SerialDevicePolicy.terminalNumber(stat: Array("garbage".utf8)) == nil)
        }

        /// The check is made on what was opened, through `/proc/self/fd`, not on the path again: a symlink swapped
        /// after the check cannot lead the open elsewhere. A symlink to an accepted device opens it.
        @Test func aSymlinkToASerialDeviceOpensTheDevice() throws {
            let modem = try FakeModem(script: { _ in [] })
            defer { modem.stop() }
            let temporary = try TemporaryDirectory(prefix: "serial-check")
            let directory = temporary.path
            let link = directory + "/ttyHOTSPOT"
            try #require(symlink(modem.slavePath, link) == 0)
            let port = try SerialPort(path: link, options: Self.options, logger: Self.logger)
            port.close()
            try #require(unlink(link) == 0 && symlink("/dev/console", link) == 0)
            #expect(Self.refusal(link)?.detail?.hasPrefix("the console") == true)
        }
    }
}
