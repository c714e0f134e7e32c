import Foundation
import Glibc
import Logging
import ATProtocol
import SerialPort
import Synchronization
import Testing
import TestSupport

/// A pseudo-terminal whose master side (the "device") reads nothing until asked: what the port writes fills the
/// slave's output queue, and a long write then has to wait for room, as on a modem that stopped reading.
final class StalledDevice: Sendable {
    /// The slave's path, which the port under test opens.
    let path: String
    /// The pair; its master is read only when `readAll()` or `startReading()` is called.
    private let pty: TestPseudoTerminal
    /// Set once `hangUp()` closed the pair: the master is not read after that.
    private let hungUp = Mutex(false)
    /// Every byte read from the master so far.
    private let received = Mutex<[UInt8]>([])

    init() throws {
        pty = try TestPseudoTerminal()
        path = pty.path
    }

    /// Reads what the master has now (non-blocking) and returns everything read so far.
    @discardableResult
    func readAll() -> [UInt8] {
        hungUp.withLock { gone in
            guard !gone else { return }
            let bytes = pty.drainMaster()
            received.withLock { $0 += bytes }
        }
        return received.withLock { $0 }
    }

    /// Reads on a thread of its own until `expected` bytes arrived or 10 s passed.
    func startReading(until expected: Int) {
        let thread = Thread { [self] in
            let end = ContinuousClock.now + .seconds(10)
            while ContinuousClock.now < end, readAll().count < expected {
                usleep(1_000)
            }
        }
        thread.start()
    }

    /// Closes the master: the slave side sees a hangup.
    func hangUp() {
        hungUp.withLock { gone in
            pty.close()
            gone = true
        }
    }
}

extension SerialPortTargetTests {
    /// A write that meets a full output queue waits for room holding no lock and blocking no thread.
    @Suite struct SerialPortWriteWaitTests {
        static let logger = Logger(label: "test.serial.write")
        /// Far more than a pty's queues hold (a few tens of KiB), so the write must wait for the device.
        static let large = [UInt8]((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 % 251) })

        private func open(_ device: StalledDevice) throws -> SerialPort {
            try SerialPort(path: device.path, options: SerialPortOptions(lockDirectory: nil, allowPseudoTerminals: true),
                           logger: Self.logger)
        }

        /// Starts writing `large` to `port` with a 10 s deadline; the task's result is the write's error, if any.
        private func startLargeWrite(_ port: SerialPort) -> Task<SerialPortError?, Never> {
            Task { () -> SerialPortError? in
                do throws(SerialPortError) {
                    try await port.write(Self.large, deadline: .now + .seconds(10))
                    return nil
                } catch {
                    return error
                }
            }
        }

        /// Gives a write started just before the time to fill the device's queue and wait for room. What the tests
        /// assert holds whether or not it got that far; only then would the old lock-held wait have shown.
        private func letTheQueueFill() async throws {
            try await Task.sleep(for: .milliseconds(300))
        }

        @Test func closeAndTheOtherCallsGoOnWhileAWriteWaitsForRoom() async throws {
            let device = try StalledDevice()
            let port = try open(device)
            let write = startLargeWrite(port)
            try await letTheQueueFill()

            // Each of these takes the port's lock: none may wait for the write's deadline (10 s away).
            let clock = ContinuousClock()
            let started = clock.now
            #expect(port.isOpen)
            try port.discardPendingInput()
            let beforeClose = clock.now - started
            port.close()
            let untilClosed = clock.now - started
            #expect(beforeClose < .seconds(1), "isOpen/discardPendingInput waited \(beforeClose) behind a waiting write")
            #expect(untilClosed < .seconds(1), "close() waited \(untilClosed) behind a waiting write")

            // The waiting write ends at once with `.closed`, not at its deadline.
            let error = await write.value
            #expect(clock.now - started < .seconds(2))
            #expect(error?.code == .closed)
        }

        @Test func waitingWritesOccupyNoThreadOfTheCooperativePool() async throws {
            // More waiting writes than the cooperative pool has threads (one per core): if each blocked a thread until
            // its deadline, nothing else could run for 10 s.
            let count = ProcessInfo.processInfo.activeProcessorCount + 2
            let devices = try (0..<count).map { _ in try StalledDevice() }
            let ports = try devices.map { try open($0) }
            let writes = ports.map { startLargeWrite($0) }
            try await Task.sleep(for: .milliseconds(300))

            let clock = ContinuousClock()
            let started = clock.now
            let others = await withTaskGroup(of: Int.self) { group in
                for value in 0..<8 { group.addTask { value } }
                return await group.reduce(0, +)
            }
            let othersTook = clock.now - started
            #expect(others == 28)
            #expect(othersTook < .seconds(1), "other tasks waited \(othersTook) while writes waited for room")

            ports.forEach { $0.close() }
            for write in writes {
                #expect(await write.value?.code == .closed)
            }
        }

        @Test func aWriteWaitingForRoomCompletesOnceTheDeviceReadsAndLosesNothing() async throws {
            let device = try StalledDevice()
            let port = try open(device)
            defer { port.close() }
            let bytes = [UInt8](Self.large.prefix(256 * 1024))
            let finished = Mutex(false)
            let write = Task { () -> SerialPortError? in
                defer { finished.withLock { $0 = true } }
                do throws(SerialPortError) {
                    try await port.write(bytes, deadline: .now + .seconds(10))
                    return nil
                } catch {
                    return error
                }
            }
            try await letTheQueueFill()
            #expect(!finished.withLock { $0 }, "the queue took everything: the write never had to wait")

            device.startReading(until: bytes.count)
            let error = await write.value
            #expect(error == nil)
            let clock = ContinuousClock()
            let end = clock.now + .seconds(5)
            while device.readAll().count < bytes.count, clock.now < end {
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(device.readAll() == bytes, "every byte arrives once, in order")
        }

        @Test func aWriteWaitingForRoomEndsAtItsDeadline() async throws {
            let device = try StalledDevice()
            let port = try open(device)
            defer { port.close() }
            let clock = ContinuousClock()
            let started = clock.now
            do {
                try await port.write(Self.large, deadline: started + .milliseconds(300))
                Issue.record("a write to a device that reads nothing completed")
            } catch {
                #expect(error.code == .write)
                #expect(error.errno == ETIMEDOUT)
            }
            let took = clock.now - started
            #expect(took >= .milliseconds(300))
            #expect(took < .seconds(3), "the deadline was overrun: \(took)")
            // The port is still usable once the device reads again.
            device.readAll()
            try await port.write(Array("AT\r".utf8), deadline: .now + .seconds(2))
        }

        @Test func aWriteWaitingForRoomEndsWithHangupWhenTheDeviceGoes() async throws {
            let device = try StalledDevice()
            let port = try open(device)
            defer { port.close() }
            let write = startLargeWrite(port)
            try await letTheQueueFill()
            let clock = ContinuousClock()
            let started = clock.now
            device.hangUp()
            let error = await write.value
            #expect(clock.now - started < .seconds(2), "the write waited for its deadline after the device went")
            #expect(error?.code == .hangup)
        }

        /// A command longer than the device's queues.
        static let longCommand = "AT+X=" + String(repeating: "A", count: 1 << 20)

        /// Sends `longCommand` (1 MiB, 10 s deadline) on a task of its own: its end waits
        /// for room. The task's value is the session's error, nil if the command was answered.
        private func startLongCommand(_ session: ATSession) -> Task<ATSessionError?, Never> {
            Task { () -> ATSessionError? in
                do throws(ATSessionError) {
                    _ = try await session.send(Self.longCommand, redacted: "AT+X=…", timeout: .seconds(10))
                    return nil
                } catch {
                    return error
                }
            }
        }

        @Test func aSessionAnswersAndClosesWhileItsCommandWaitsForRoom() async throws {
            let device = try StalledDevice()
            let session = ATSession(port: try open(device), logger: Self.logger)
            let send = startLongCommand(session)
            try await letTheQueueFill()
            let clock = ContinuousClock()
            let started = clock.now
            // The session's actor is free while the command waits: it answers, and close() ends the command.
            #expect(await session.queuedCommands == 0)
            #expect(clock.now - started < .seconds(1), "the session's actor was held by a write waiting for room")
            await session.close()
            let error = await send.value
            #expect(clock.now - started < .seconds(2), "close() or the command waited for the write's deadline")
            #expect(error == .closed)
        }

        @Test func aCancelledCommandStopsWritingAndNeverMixesWithTheNextOne() async throws {
            let device = try StalledDevice()
            let session = ATSession(port: try open(device), logger: Self.logger)
            let send = startLongCommand(session)
            try await letTheQueueFill()
            send.cancel()
            #expect(await send.value == .cancelled)

            // The device reads again: what it gets is the part already queued, and nothing more of that command.
            let clock = ContinuousClock()
            let drainUntil = clock.now + .milliseconds(300)
            while clock.now < drainUntil {
                device.readAll()
                try await Task.sleep(for: .milliseconds(10))
            }
            let next = try? await session.send("AT", timeout: .milliseconds(300))
            #expect(next == nil, "the stalled device answers nothing")
            let received = device.readAll()
            let commandBytes = Array(Self.longCommand.utf8)
            #expect(received.count < commandBytes.count + 4, "the cancelled command was written to its end")
            #expect(received.suffix(3) == Array("AT\r".utf8)[...], "the next command arrives whole, last")
            #expect(Array(received.dropLast(3)) == Array(commandBytes.prefix(received.count - 3)),
                    "only a prefix of the cancelled command came before it")
            await session.close()
        }
    }
}
