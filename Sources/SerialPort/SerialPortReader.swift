import Glibc
import Synchronization

/// The body of a port's dedicated reader thread: poll(2) on the tty and on a wake pipe, read, deliver.
///
/// Why a thread and not NIO: one blocking poll per port keeps end-of-file and EIO handling explicit
/// and a station has at most ~32 ports. Thread rules: `run()` executes on the reader thread only;
/// the tty descriptor stays valid until `run()` returns because `SerialPort.close()` joins the
/// thread before closing it. Every property is immutable or atomic, hence `Sendable`.
final class SerialPortReader: Sendable {
    let fd: Int32
    let wakeFD: Int32
    let path: String
    let chunkSize: Int
    let continuation: AsyncStream<SerialPortEvent>.Continuation
    /// Bytes dropped because the consumer did not keep up (oldest chunks go first).
    let droppedBytes: Atomic<Int>

    init(fd: Int32, wakeFD: Int32, path: String, chunkSize: Int, continuation: AsyncStream<SerialPortEvent>.Continuation) {
        self.fd = fd
        self.wakeFD = wakeFD
        self.path = path
        self.chunkSize = chunkSize
        self.continuation = continuation
        self.droppedBytes = Atomic(0)
    }

    /// Reads until the wake pipe fires (owner closes) or the device goes away; then finishes the stream.
    func run() {
        defer { continuation.finish() }
        var buffer = [UInt8](repeating: 0, count: max(1, chunkSize))
        var fds = [
            pollfd(fd: fd, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0),
        ]
        let hangupMask = Int16(POLLHUP | POLLERR | POLLNVAL)
        while true {
            fds[0].revents = 0
            fds[1].revents = 0
            do {
                _ = try SystemCall.poll(&fds, timeoutMilliseconds: -1)
            } catch {
                report(SerialPortError(code: .read, errno: error.rawValue, path: path, message: "poll failed"))
                return
            }
            if fds[1].revents != 0 { return }  // the owner is closing the port
            let revents = fds[0].revents
            if revents == 0 { continue }       // EINTR
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

    private func deliver(_ bytes: [UInt8]) {
        if case .dropped(let old) = continuation.yield(.bytes(bytes)), case .bytes(let lost) = old {
            droppedBytes.add(lost.count, ordering: .relaxed)
        }
    }

    private func report(_ error: SerialPortError) {
        continuation.yield(.gone(error))
    }
}
