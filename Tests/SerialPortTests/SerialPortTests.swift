import Foundation
import Glibc
import Logging
import SerialPort
import Testing
import TestSupport

extension SerialPortTargetTests {
    /// Opening, locking and hangup behaviour of `SerialPort` on a real pseudo-terminal.
    @Suite struct SerialPortTests {
        static let logger = Logger(label: "test.serial")

        private func lockFilePath(directory: String, device: String) -> String {
            // /dev/pts/N → LCK..pts_N
            directory + "/LCK.." + device.dropFirst("/dev/".count).replacing("/", with: "_")
        }

        private func readFile(_ path: String) -> String? {
            let fd = open(path, O_RDONLY)
            guard fd >= 0 else { return nil }
            defer { close(fd) }
            var buffer = [UInt8](repeating: 0, count: 256)
            let n = read(fd, &buffer, buffer.count)
            return n >= 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : nil
        }

        private func writeFile(_ path: String, _ text: String) throws {
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard fd >= 0 else { throw TestSupportError(call: "open", errno: errno) }
            defer { close(fd) }
            _ = Array(text.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        }

        @Test func liveLockFileMakesOpenFailWithBusyNamingTheHolder() throws {
            let modem = try FakeModem(script: { _ in [] })
            defer { modem.stop() }
            let temporary = try TemporaryDirectory(prefix: "serialport-test")
            let directory = temporary.path
            let lockPath = lockFilePath(directory: directory, device: modem.slavePath)
            try writeFile(lockPath, "\(getpid())".leftPadded(to: 10) + "\n")

            do {
                let port = try SerialPort(path: modem.slavePath, options: SerialPortOptions(lockDirectory: directory, allowPseudoTerminals: true), logger: Self.logger)
                port.close()
                Issue.record("open succeeded despite a live lock file")
            } catch {
                #expect(error.code == .busy)
                #expect(error.holderPID == getpid())
                let comm = readFile("/proc/self/comm")?.trimmingNewline()
                #expect(error.holderProgram == comm)
                #expect(error.path == modem.slavePath)
            }
            // The live lock is left alone.
            #expect(readFile(lockPath) == "\(getpid())".leftPadded(to: 10) + "\n")
        }

        @Test func staleLockFileIsReplacedAndRemovedOnClose() throws {
            let modem = try FakeModem(script: { _ in [] })
            defer { modem.stop() }
            let temporary = try TemporaryDirectory(prefix: "serialport-test")
            let directory = temporary.path
            let lockPath = lockFilePath(directory: directory, device: modem.slavePath)
            let deadPID: Int32 = 2_147_483_600
            try #require(kill(deadPID, 0) == -1 && errno == ESRCH)
            try writeFile(lockPath, "\(deadPID)".leftPadded(to: 10) + "\n")

            let port = try SerialPort(path: modem.slavePath, options: SerialPortOptions(lockDirectory: directory, allowPseudoTerminals: true), logger: Self.logger)
            #expect(readFile(lockPath) == "\(getpid())".leftPadded(to: 10) + "\n")
            port.close()
            #expect(access(lockPath, F_OK) == -1)
        }

        /// Another program creates its lock with O_EXCL and writes its pid a moment later: the empty file seen in
        /// between is not stale, and must not be removed and taken.
        @Test func aLockStillBeingWrittenIsWaitedForNotTakenForStale() throws {
            let modem = try FakeModem(script: { _ in [] })
            defer { modem.stop() }
            let temporary = try TemporaryDirectory(prefix: "serialport-test")
            let directory = temporary.path
            let lockPath = lockFilePath(directory: directory, device: modem.slavePath)
            try writeFile(lockPath, "")
            let text = "\(getpid())".leftPadded(to: 10) + "\n"
            let writer = Thread {
                usleep(30_000)
                let fd = open(lockPath, O_WRONLY)
                if fd >= 0 {
                    _ = Array(text.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                    close(fd)
                }
            }
            writer.start()
            do {
                let port = try SerialPort(path: modem.slavePath, options: SerialPortOptions(lockDirectory: directory, allowPseudoTerminals: true), logger: Self.logger)
                port.close()
                Issue.record("an empty lock being written was taken for stale")
            } catch {
                #expect(error.code == .busy)
                #expect(error.holderPID == getpid())
            }
            #expect(readFile(lockPath) == text, "the other program's lock is left alone")
        }

        /// Our lock never appears empty: it is linked into place with the pid already in it, and leaves no temporary.
        @Test func ourLockAppearsWithItsPidAndLeavesNoTemporaryFile() throws {
            let modem = try FakeModem(script: { _ in [] })
            defer { modem.stop() }
            let temporary = try TemporaryDirectory(prefix: "serialport-test")
            let directory = temporary.path
            let port = try SerialPort(path: modem.slavePath, options: SerialPortOptions(lockDirectory: directory, allowPseudoTerminals: true), logger: Self.logger)
            let names = try FileManager.default.contentsOfDirectory(atPath: directory)
            #expect(names == [lockFilePath(directory: directory, device: modem.slavePath).split(separator: "/").last.map(String.init) ?? ""])
            #expect(readFile(lockFilePath(directory: directory, device: modem.slavePath)) == "\(getpid())".leftPadded(to: 10) + "\n")
            port.close()
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
        }

        @Test func lockFileIsNamedAfterTheResolvedDeviceSoSymlinksShareIt() throws {
            let modem = try FakeModem(script: { _ in [] })
            defer { modem.stop() }
            let temporary = try TemporaryDirectory(prefix: "serialport-test")
            let directory = temporary.path
            let link = directory + "/ttyHOTSPOT"
            try #require(symlink(modem.slavePath, link) == 0)
            try writeFile(lockFilePath(directory: directory, device: modem.slavePath), "\(getpid())".leftPadded(to: 10) + "\n")
            do {
                let port = try SerialPort(path: link, options: SerialPortOptions(lockDirectory: directory, allowPseudoTerminals: true), logger: Self.logger)
                port.close()
                Issue.record("open through a symlink ignored the device's lock file")
            } catch {
                #expect(error.code == .busy)
                #expect(error.holderPID == getpid())
            }
        }

        @Test func slowConsumerLosesTheOldestBytesAndTheyAreCounted() async throws {
            let modem = try FakeModem(script: { _ in [] })
            defer { modem.stop() }
            let options = SerialPortOptions(lockDirectory: nil, readChunkSize: 16, maxBufferedChunks: 2, allowPseudoTerminals: true)
            let port = try SerialPort(path: modem.slavePath, options: options, logger: Self.logger)
            let text = (0..<100).map { String(format3($0)) }.joined()  // 300 distinct-ish bytes
            modem.inject(text)
            // Wait until the reader has taken every byte from the kernel, then stop it.
            #expect(await eventually { modem.pendingInputOnSlave == 0 && port.droppedBytes > 0 })
            port.close()
            var received: [UInt8] = []
            for await event in port.events {
                if case .bytes(let bytes) = event { received += bytes }
            }
            #expect(port.droppedBytes > 0)
            #expect(received.count <= 32)
            #expect(received.count + port.droppedBytes == text.utf8.count)
            #expect(text.hasSuffix(String(decoding: received, as: UTF8.self)))
        }

        /// The tty is raw with VMIN = VTIME = 0: after a read that fills the whole chunk, the next read(2) returns 0
        /// because the queue is empty, which must not be taken for end of file (seen as a false unplug after a burst).
        @Test func aReadThatExactlyFillsTheChunkIsNotTakenForAHangup() async throws {
            let modem = try FakeModem(script: { _ in [] })
            defer { modem.stop() }
            let options = SerialPortOptions(lockDirectory: nil, readChunkSize: 16, allowPseudoTerminals: true)
            let port = try SerialPort(path: modem.slavePath, options: options, logger: Self.logger)
            defer { port.close() }
            // Each burst is exactly one chunk; whether the reader sees it in one read depends on scheduling, so
            // twenty rounds make the full-chunk-then-empty read all but certain.
            let chunk = "0123456789ABCDEF", second = "later\r\n"
            for _ in 0..<20 {
                modem.inject(chunk)
                #expect(await eventually { modem.pendingInputOnSlave == 0 })
            }
            let first = String(repeating: chunk, count: 20)
            modem.inject(second)
            var received: [UInt8] = []
            for await event in port.events {
                switch event {
                case .bytes(let bytes): received += bytes
                case .gone(let error): Issue.record("reported gone: \(error)")
                }
                if received.count >= first.utf8.count + second.utf8.count { break }
            }
            #expect(String(decoding: received, as: UTF8.self) == first + second)
            #expect(port.isOpen)
        }

        @Test func missingLockDirectoryIsSkipped() throws {
            let modem = try FakeModem(script: { _ in [] })
            defer { modem.stop() }
            let port = try SerialPort(path: modem.slavePath,
                                      options: SerialPortOptions(lockDirectory: "/nonexistent-lock-dir", allowPseudoTerminals: true), logger: Self.logger)
            #expect(port.isOpen)
            port.close()
            #expect(!port.isOpen)
        }

        /// TIOCEXCL would refuse the second open with EBUSY, but root bypasses it (and tests run as
        /// root here), so exclusivity is checked through flock, which binds root too.
        @Test func secondOpenOfTheSamePortFailsWithBusy() throws {
            let modem = try FakeModem(script: { _ in [] })
            defer { modem.stop() }
            let options = SerialPortOptions(lockDirectory: nil, allowPseudoTerminals: true)
            let first = try SerialPort(path: modem.slavePath, options: options, logger: Self.logger)
            defer { first.close() }
            do {
                let second = try SerialPort(path: modem.slavePath, options: options, logger: Self.logger)
                second.close()
                Issue.record("second open succeeded")
            } catch {
                #expect(error.code == .busy)
                #expect(error.errno == EWOULDBLOCK || error.errno == EBUSY)
            }
            first.close()
            // Once closed, the port can be opened again.
            let again = try SerialPort(path: modem.slavePath, options: options, logger: Self.logger)
            again.close()
        }

        /// Root's open succeeds on a tty another program put in exclusive mode; the port asks the tty (TIOCGEXCL)
        /// and refuses instead of sharing it.
        @Test func portAnotherProgramOpenedExclusivelyIsBusyEvenForRoot() throws {
            let modem = try FakeModem(script: { _ in [] })
            defer { modem.stop() }
            let other = open(modem.slavePath, O_RDWR | O_NOCTTY | O_NONBLOCK)
            try #require(other >= 0)
            defer { close(other) }
            #expect(ioctl(other, UInt(TIOCEXCL)) == 0)
            let options = SerialPortOptions(lockDirectory: nil, allowPseudoTerminals: true)
            #expect(throws: SerialPortError.self) { _ = try SerialPort(path: modem.slavePath, options: options, logger: Self.logger) }
            do {
                _ = try SerialPort(path: modem.slavePath, options: options, logger: Self.logger)
            } catch {
                #expect(error.code == .busy)
                #expect(error.errno == EBUSY)
            }
            // The other program leaves exclusive mode: the port opens, and its close leaves the tty non-exclusive.
            #expect(ioctl(other, UInt(TIOCNXCL)) == 0)
            let port = try SerialPort(path: modem.slavePath, options: options, logger: Self.logger)
            #expect(SerialPort.isExclusive(fd: other) == true, "open sets exclusive mode")
            port.close()
            #expect(SerialPort.isExclusive(fd: other) == false, "close must clear the exclusive mode it set")
        }

        /// picocom-style holder: flock only, no exclusive mode. Our failed open must not leave the tty exclusive.
        @Test func anOpenRefusedByAnotherProgramsFlockLeavesTheTtyNotExclusive() throws {
            let modem = try FakeModem(script: { _ in [] })
            defer { modem.stop() }
            let other = open(modem.slavePath, O_RDWR | O_NOCTTY | O_NONBLOCK)
            try #require(other >= 0)
            defer { close(other) }
            #expect(flock(other, LOCK_EX | LOCK_NB) == 0)
            do {
                _ = try SerialPort(path: modem.slavePath, options: SerialPortOptions(lockDirectory: nil, allowPseudoTerminals: true), logger: Self.logger)
                Issue.record("open succeeded although another program holds the flock")
            } catch {
                #expect(error.code == .busy)
                #expect(error.errno == EWOULDBLOCK)
            }
            #expect(SerialPort.isExclusive(fd: other) == false, "the refused open left the tty in exclusive mode")
        }

        /// A missing path is refused like anything else that is no serial device: the errno is kept for the log only.
        @Test func openingAMissingDeviceIsRefusedKeepingItsErrno() {
            do {
                _ = try SerialPort(path: "/dev/does-not-exist", options: SerialPortOptions(lockDirectory: nil, allowPseudoTerminals: true), logger: Self.logger)
                Issue.record("open succeeded")
            } catch {
                #expect(error.code == .notSerialDevice)
                #expect(error.errno == ENOENT)
                #expect(!error.description.contains("errno"), "the description must not tell whether the path exists")
            }
        }

        /// /dev/null is a character device, but no tty: refused before termios (no ENOTTY from tcgetattr any more).
        @Test func openingANonTerminalIsRefusedBeforeTermios() {
            do {
                _ = try SerialPort(path: "/dev/null", options: SerialPortOptions(lockDirectory: nil, allowPseudoTerminals: true), logger: Self.logger)
                Issue.record("open succeeded")
            } catch {
                #expect(error.code == .notSerialDevice)
                #expect(error.errno == 0)
            }
        }

        @Test func hangupIsReportedExactlyOnceAndTheStreamEnds() async throws {
            let modem = try FakeModem(script: { line in
                line == "AT+BYE" ? [.hangUp] : [.send("\r\nhello\r\n")]
            })
            defer { modem.stop() }
            let port = try SerialPort(path: modem.slavePath, options: SerialPortOptions(lockDirectory: nil, allowPseudoTerminals: true), logger: Self.logger)
            defer { port.close() }
            try await port.write(Array("AT+HI\r".utf8), deadline: .now + .seconds(5))
            var received: [UInt8] = []
            var goneCount = 0
            var saidBye = false
            for await event in port.events {
                switch event {
                case .bytes(let bytes):
                    received += bytes
                    if !saidBye, received.count == 9 {
                        saidBye = true
                        try await port.write(Array("AT+BYE\r".utf8), deadline: .now + .seconds(5))
                    }
                case .gone(let error):
                    goneCount += 1
                    #expect(error.code == .hangup)
                }
            }
            #expect(goneCount == 1)
            #expect(String(decoding: received, as: UTF8.self) == "\r\nhello\r\n")
            // Writing to a hung-up tty fails; it neither crashes nor hangs.
            await #expect(throws: SerialPortError.self) { try await port.write(Array("AT\r".utf8), deadline: .now + .seconds(1)) }
        }

        @Test func writeAfterCloseFailsWithClosed() async throws {
            let modem = try FakeModem(script: { _ in [] })
            defer { modem.stop() }
            let port = try SerialPort(path: modem.slavePath, options: SerialPortOptions(lockDirectory: nil, allowPseudoTerminals: true), logger: Self.logger)
            port.close()
            port.close()  // idempotent
            do {
                try await port.write(Array("AT\r".utf8), deadline: .now + .seconds(1))
                Issue.record("write succeeded")
            } catch {
                #expect(error.code == .closed)
            }
        }
    }

}

/// `n` as three decimal digits.
func format3(_ n: Int) -> String {
    String(repeating: "0", count: max(0, 3 - String(n).count)) + String(n)
}

extension String {
    func leftPadded(to width: Int) -> String {
        String(repeating: " ", count: max(0, width - count)) + self
    }

    func trimmingNewline() -> String {
        var text = self
        while text.last == "\n" { text.removeLast() }
        return text
    }
}
