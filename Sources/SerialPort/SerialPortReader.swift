import Glibc
import Synchronization
import SystemPackage

/// The body of a port's dedicated reader thread: poll(2) on the tty and on a wake pipe, read, deliver; and wake the
/// writes waiting for room in the output queue (`WritabilityWaiters`).
///
/// Why a thread and not NIO: one blocking poll per port keeps end-of-file and EIO handling explicit
/// and a station has at most ~32 ports. Thread rules: `run()` executes on the reader thread only;
/// the tty descriptor stays valid until `run()` returns because `SerialPort.close()` joins the
/// thread before closing it. It is the only thread that waits on the tty: a write that finds the output queue full
/// parks in `writers` and writes a byte to the wake pipe, and this thread adds POLLOUT to its poll until the waiters
/// are woken. Every property is immutable, atomic or locked, hence `Sendable`.
final class SerialPortReader: Sendable {
    let fd: FileDescriptor
    let wakeFD: FileDescriptor
    let path: String
    let chunkSize: Int
    let continuation: AsyncStream<SerialPortEvent>.Continuation
    /// Writes waiting for POLLOUT; ended (`.hangup`) when this thread sees the device go.
    let writers: WritabilityWaiters
    /// Bytes dropped because the consumer did not keep up (oldest chunks go first).
    let droppedBytes: Atomic<Int>

    init(fd: FileDescriptor, wakeFD: FileDescriptor, path: String, chunkSize: Int, writers: WritabilityWaiters,
         continuation: AsyncStream<SerialPortEvent>.Continuation) {
        self.fd = fd
        self.wakeFD = wakeFD
        self.path = path
        self.chunkSize = chunkSize
        self.writers = writers
        self.continuation = continuation
        self.droppedBytes = Atomic(0)
    }

    /// Reads until the owner closes the port (`writers` ended, then a byte on the wake pipe) or the device goes away;
    /// then ends every write's wait and finishes the stream.
    func run() {
        defer {
            writers.end(.hangup)  // no effect after close(): the waits already ended with `.closed`
            continuation.finish()
        }
        var buffer = [UInt8](repeating: 0, count: max(1, chunkSize))
        var fds = [
            pollfd(fd: fd.rawValue, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wakeFD.rawValue, events: Int16(POLLIN), revents: 0),
        ]
        let hangupMask = Int16(POLLHUP | POLLERR | POLLNVAL)
        while true {
            // POLLOUT only while a write waits, until the earliest waiter's deadline.
            let deadline = writers.earliestDeadline
            fds[0].events = Int16(POLLIN) | (deadline == nil ? 0 : Int16(POLLOUT))
            fds[0].revents = 0
            fds[1].revents = 0
            do {
                _ = try SystemCall.poll(&fds, timeoutMilliseconds: deadline.map(Self.milliseconds(until:)) ?? -1)
            } catch {
                report(SerialPortError(code: .read, errno: error.rawValue, path: path, message: "poll failed"))
                return
            }
            if fds[1].revents != 0 {
                drainWakePipe()
                if writers.hasEnded { return }  // the owner is closing the port
            }
            let revents = fds[0].revents
            if revents & Int16(POLLOUT) != 0 { writers.wakeAll() }
            if deadline != nil { writers.wakeExpired(now: .now) }
            // Only readable input or a hangup is worth a read: with VMIN = VTIME = 0 a read that finds nothing
            // returns 0, which `drain` would take for end of file. Nothing else here: EINTR, POLLOUT, a deadline.
            if revents & (Int16(POLLIN) | hangupMask) == 0 { continue }
            if revents & Int16(POLLNVAL) != 0 {
                report(SerialPortError(code: .read, errno: EBADF, path: path, message: "descriptor became invalid"))
                return
            }
            // Drain what is readable first: a device may send its last bytes together with the hangup.
            if let gone = drain(&buffer) {
                report(gone)
                return
            }
            // POLLHUP/POLLERR without end of file from read(2): still gone; polling again would spin.
            if revents & hangupMask != 0 {
                report(SerialPortError(code: .hangup, errno: 0, path: path, message: "poll reported hangup"))
                return
            }
        }
    }

    /// Reads until EAGAIN; returns the error when the device is gone or reading failed.
    private func drain(_ buffer: inout [UInt8]) -> SerialPortError? {
        var readSomething = false
        while true {
            let result: Int
            do {
                result = try SystemCall.read(fd, into: &buffer)
            } catch where error == .wouldBlock {
                return nil  // nothing more for now
            } catch where error == .ioError {
                // EIO: the tty was hung up (USB unplug, pty master closed).
                return SerialPortError(code: .hangup, errno: EIO, path: path, message: "read failed with EIO")
            } catch {
                return SerialPortError(code: .read, errno: error.rawValue, path: path, message: "read failed")
            }
            if result == 0 {
                // The tty is raw with VMIN = VTIME = 0, so read(2) also returns 0 when a full chunk emptied the
                // queue and the next read finds nothing: that is "no more for now", not end of file. Only a
                // readable descriptor that yields nothing at all is end of file (else the loop would spin on it).
                if readSomething { return nil }
                return SerialPortError(code: .hangup, errno: 0, path: path, message: "end of file")
            }
            readSomething = true
            deliver(Array(buffer[0..<result]))
            if result < buffer.count { return nil }
        }
    }

    /// Empties the wake pipe (a write announcing itself, or the owner closing): it is non-blocking, so this stops at
    /// EAGAIN; EINTR retried by `read`.
    private func drainWakePipe() {
        var bytes = [UInt8](repeating: 0, count: 64)
        while let count = try? SystemCall.read(wakeFD, into: &bytes), count == bytes.count {}
    }

    /// Milliseconds from now until `deadline`, rounded up so a poll never returns just before it; 0 when passed.
    static func milliseconds(until deadline: ContinuousClock.Instant) -> Int32 {
        let (seconds, attoseconds) = ContinuousClock.now.duration(to: deadline).components
        guard seconds >= 0, attoseconds >= 0 else { return 0 }
        let total = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: total)
    }

    private func deliver(_ bytes: [UInt8]) {
        if case .dropped(let old) = continuation.yield(.bytes(bytes)), case .bytes(let lost) = old {
            droppedBytes.add(lost.count, ordering: .relaxed)
        }
    }

    private func report(_ error: SerialPortError) {
        continuation.yield(.gone(error))
    }
}
