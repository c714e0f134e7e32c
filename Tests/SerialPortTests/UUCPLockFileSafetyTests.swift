import Foundation
import Glibc
import Logging
@testable import SerialPort
import Synchronization
import Testing
import TestSupport

extension SerialPortTargetTests {
    /// What any user can leave in the lock directory: nothing there blocks an open, and a lock keeps a port only while
    /// its process holds the tty.
    @Suite struct UUCPLockFileSafetyTests {
        static let logger = Logger(label: "test.serial.locks")

        static func options(_ directory: String) -> SerialPortOptions {
            SerialPortOptions(lockDirectory: directory, allowPseudoTerminals: true)
        }

        static func lockPath(_ directory: String, _ device: String) -> String {
            directory + "/" + UUCPLockFile.fileName(forDevice: device)
        }

        /// The file type at `path` without following a symlink, or nil when nothing is there.
        static func fileType(_ path: String) -> mode_t? {
            var info = stat()
            guard lstat(path, &info) == 0 else { return nil }
            return info.st_mode & S_IFMT
        }

        /// Opens `path` on a thread of its own and waits up to `limit` for it; if it is still blocked then, `unblock`
        /// is called (again every 100 ms) until it returns, and the test records that it blocked.
        static func openWithWatchdog(_ path: String, options: SerialPortOptions, limit: Duration = .seconds(3),
                                     unblock: @escaping @Sendable () -> Void) -> Result<SerialPort, SerialPortError> {
            let outcome = Mutex<Result<SerialPort, SerialPortError>?>(nil)
            let thread = Thread {
                let result = Result { () throws(SerialPortError) -> SerialPort in try SerialPort(path: path, options: options, logger: logger) }
                outcome.withLock { $0 = result }
            }
            thread.start()
            let deadline = ContinuousClock.now + limit
            while outcome.withLock({ $0 == nil }) && ContinuousClock.now < deadline { usleep(5_000) }
            if outcome.withLock({ $0 == nil }) {
                Issue.record("opening \(path) blocked on its lock file")
                while outcome.withLock({ $0 == nil }) {
                    unblock()
                    usleep(100_000)
                }
            }
            return outcome.withLock { $0 } ?? .failure(SerialPortError(code: .closed, errno: 0, path: path, message: "no result"))
        }

        /// Lets a reader blocked opening or reading the FIFO go: a writer that writes a line and leaves.
        static func feed(_ fifo: String) {
            let fd = open(fifo, O_WRONLY | O_NONBLOCK)
            guard fd >= 0 else { return }
            _ = write(fd, "x\n", 2)
            close(fd)
        }

        /// `mkfifo /var/lock/LCK..ttyUSB2` by another user must not hang the open (and the station actor with it): the
        /// FIFO is no lock, so it is neither honoured (the port opens) nor removed.
        @Test func aFIFOInPlaceOfALockDoesNotBlockAndIsNeitherHonouredNorRemoved() throws {
            let modem = try FakeModem(script: { _ in [] })
            defer { modem.stop() }
            let temporary = try TemporaryDirectory(prefix: "serial-locks")
            let directory = temporary.path
            let fifo = Self.lockPath(directory, modem.slavePath)
            try #require(mkfifo(fifo, 0o666) == 0)

            let started = ContinuousClock.now
            let result = Self.openWithWatchdog(modem.slavePath, options: Self.options(directory)) { Self.feed(fifo) }
            #expect(ContinuousClock.now - started < .seconds(2))
            let port = try result.get()
            #expect(port.isOpen)
            port.close()
            #expect(Self.fileType(fifo) == S_IFIFO, "the FIFO is not ours to remove")
            #expect(UUCPLockFile.take(devicePath: modem.slavePath, directory: directory).isNotHonoured)
        }

        /// A symlink (to a device, or to a lock elsewhere) and a directory are no lock files either.
        @Test func aSymlinkOrADirectoryInPlaceOfALockIsNeitherHonouredNorRemoved() throws {
            let modem = try FakeModem(script: { _ in [] })
            defer { modem.stop() }
            let temporary = try TemporaryDirectory(prefix: "serial-locks")
            let directory = temporary.path
            let lock = Self.lockPath(directory, modem.slavePath)
            let elsewhere = directory + "/elsewhere"
            try UUCPLockFile.contents(pid: getpid()).write(toFile: elsewhere, atomically: false, encoding: .utf8)

            for target in ["/dev/zero", elsewhere] {
                try #require(symlink(target, lock) == 0)
                let port = try SerialPort(path: modem.slavePath, options: Self.options(directory), logger: Self.logger)
                port.close()
                #expect(Self.fileType(lock) == S_IFLNK, "the symlink to \(target) was removed")
                try #require(unlink(lock) == 0)
            }
            try #require(mkdir(lock, 0o755) == 0)
            let port = try SerialPort(path: modem.slavePath, options: Self.options(directory), logger: Self.logger)
            port.close()
            #expect(Self.fileType(lock) == S_IFDIR)
            #expect(UUCPLockFile.take(devicePath: modem.slavePath, directory: directory).isNotHonoured)
        }

        /// Pid 1 always exists, but does not hold the tty: a lock another user wrote in its name is stale, replaced by
        /// ours, and gone after close. (Where pid 1's descriptors cannot be read, even by root in some containers, the
        /// lock is still not trusted: its file is not pid 1's user's.)
        @Test func aLockNamingPID1IsStale() throws {
            let modem = try FakeModem(script: { _ in [] })
            defer { modem.stop() }
            let temporary = try TemporaryDirectory(prefix: "serial-locks")
            let directory = temporary.path
            let lock = Self.lockPath(directory, modem.slavePath)
            try UUCPLockFile.contents(pid: 1).write(toFile: lock, atomically: false, encoding: .utf8)
            try #require(chown(lock, 4242, 4242) == 0, "tests run as root")

            let port = try SerialPort(path: modem.slavePath, options: Self.options(directory), logger: Self.logger)
            #expect(try String(contentsOfFile: lock, encoding: .utf8) == UUCPLockFile.contents(pid: getpid()))
            port.close()
            #expect(Self.fileType(lock) == nil)
        }

        /// A live process that does not hold the tty (a recycled pid, a `sleep` someone named) keeps nobody off the
        /// port; the same process holding the tty open does.
        @Test func aLiveProcessKeepsTheLockOnlyWhileItHoldsTheTty() throws {
            let modem = try FakeModem(script: { _ in [] })
            defer { modem.stop() }
            let temporary = try TemporaryDirectory(prefix: "serial-locks")
            let directory = temporary.path
            let lock = Self.lockPath(directory, modem.slavePath)

            let idle = Process()
            idle.executableURL = URL(fileURLWithPath: "/bin/sleep")
            idle.arguments = ["30"]
            idle.standardInput = FileHandle.nullDevice
            try idle.run()
            defer { idle.terminate() }
            try UUCPLockFile.contents(pid: idle.processIdentifier).write(toFile: lock, atomically: false, encoding: .utf8)
            let taken = try SerialPort(path: modem.slavePath, options: Self.options(directory), logger: Self.logger)
            #expect(try String(contentsOfFile: lock, encoding: .utf8) == UUCPLockFile.contents(pid: getpid()))
            taken.close()

            // The holder has the tty as its standard input.
            let slave = open(modem.slavePath, O_RDWR | O_NOCTTY | O_NONBLOCK)
            try #require(slave >= 0)
            let holder = Process()
            holder.executableURL = URL(fileURLWithPath: "/bin/sleep")
            holder.arguments = ["30"]
            holder.standardInput = FileHandle(fileDescriptor: slave, closeOnDealloc: true)
            try holder.run()
            close(slave)
            defer { holder.terminate() }
            let text = UUCPLockFile.contents(pid: holder.processIdentifier)
            try text.write(toFile: lock, atomically: false, encoding: .utf8)
            do {
                let port = try SerialPort(path: modem.slavePath, options: Self.options(directory), logger: Self.logger)
                port.close()
                Issue.record("the port was taken from a process holding it")
            } catch {
                #expect(error.code == .busy)
                #expect(error.holderPID == holder.processIdentifier)
                #expect(error.holderProgram == "sleep")
            }
            #expect(try String(contentsOfFile: lock, encoding: .utf8) == text, "a live lock is left alone")
        }

        /// A lock holding our own pid that this process did not take was left by an earlier process with the same pid
        /// (a restarted container): stale unless we hold the tty. One we took is live even before the port is open.
        @Test func ourOwnPidCountsOnlyForLocksWeTookOrTtysWeHold() throws {
            let pty = try TestPseudoTerminal()
            defer { pty.close() }
            pty.closeSlave()  // this process holds the master only
            let path = pty.path
            let temporary = try TemporaryDirectory(prefix: "serial-locks")
            let directory = temporary.path
            let lock = Self.lockPath(directory, path)

            try UUCPLockFile.contents(pid: getpid()).write(toFile: lock, atomically: false, encoding: .utf8)
            let port = try SerialPort(path: path, options: Self.options(directory), logger: Self.logger)
            port.close()
            #expect(Self.fileType(lock) == nil)

            guard case .locked(let ours) = UUCPLockFile.take(devicePath: path, directory: directory) else {
                Issue.record("the lock was not taken")
                return
            }
            do {
                let second = try SerialPort(path: path, options: Self.options(directory), logger: Self.logger)
                second.close()
                Issue.record("a lock this process holds was taken for stale")
            } catch {
                #expect(error.code == .busy)
                #expect(error.holderPID == getpid())
            }
            ours.release()
            let again = try SerialPort(path: path, options: Self.options(directory), logger: Self.logger)
            again.close()
        }

        /// Where another user's descriptors cannot be listed, a lock is trusted only when its file belongs to the
        /// process's user or to root.
        @Test func aLockAnotherUserWroteForSomeoneElsesProcessIsNotTrusted() {
            #expect(UUCPLockFile.trustsUnlistedHolder(fileOwner: 1000, holderUsers: [1000, 1000, 1000, 1000]))
            #expect(UUCPLockFile.trustsUnlistedHolder(fileOwner: 0, holderUsers: [1000]))
            #expect(UUCPLockFile.trustsUnlistedHolder(fileOwner: 1000, holderUsers: nil), "cannot tell: trusted")
            #expect(!UUCPLockFile.trustsUnlistedHolder(fileOwner: 1001, holderUsers: [0]), "a user naming pid 1")
            #expect(!UUCPLockFile.trustsUnlistedHolder(fileOwner: 1001, holderUsers: [1000]))
        }

        /// A lock file is read a bounded amount: a huge one is no pid, stale, and replaced at once.
        @Test func aHugeLockFileIsReadBoundedAndReplaced() throws {
            let modem = try FakeModem(script: { _ in [] })
            defer { modem.stop() }
            let temporary = try TemporaryDirectory(prefix: "serial-locks")
            let directory = temporary.path
            let lock = Self.lockPath(directory, modem.slavePath)
            try Data(repeating: UInt8(ascii: "1"), count: 4 << 20).write(to: URL(fileURLWithPath: lock))
            let port = try SerialPort(path: modem.slavePath, options: Self.options(directory), logger: Self.logger)
            #expect(try String(contentsOfFile: lock, encoding: .utf8) == UUCPLockFile.contents(pid: getpid()))
            port.close()
        }
    }
}

extension UUCPLockFile.Acquisition {
    /// Whether this is `.notHonoured`.
    var isNotHonoured: Bool {
        if case .notHonoured = self { return true }
        return false
    }
}
