import Glibc
import Logging
import Synchronization
import SystemPackage

/// An exclusively opened, raw-mode serial tty with a dedicated reader thread.
///
/// Only a serial device the station drives is opened (`SerialDevicePolicy`, judged before the node is opened for
/// real). Opening takes three locks, as ModemManager and the UUCP tools expect: a UUCP lock file
/// (`LCK..<tty>`, cooperative, names the holder), `TIOCEXCL` (other non-root opens fail with EBUSY;
/// root bypasses it, so it is not a guarantee) and `flock(LOCK_EX|LOCK_NB)` (works across all
/// cooperating openers, root included). The tty is set raw (`cfmakeraw`, 8N1, `CLOCAL|CREAD`,
/// no flow control, `VMIN = VTIME = 0`) and flushed.
///
/// Ownership and threads: the port owns its descriptor until `close()` (idempotent, also run by
/// `deinit`). One write at a time (`writeAvailable(_:from:)`, `write(_:deadline:)`): concurrent writes would
/// interleave their bytes. `events` must have a single consumer. Received bytes and the hangup arrive on `events`,
/// produced by one thread per port, which is also the one that waits for room when the output queue is full: the
/// port's lock guards its state and the `write(2)` calls, never a wait, and no thread of Swift's cooperative pool
/// waits for the device. The buffer between thread and consumer is bounded; when full, the oldest chunks are dropped
/// and counted in `droppedBytes`.
public final class SerialPort: Sendable {
    /// The device path given to `init`.
    public let path: String
    /// Bytes and the final hangup, in order; finishes after `.gone` or `close()`. Single consumer.
    public let events: AsyncStream<SerialPortEvent>

    private let fd: FileDescriptor
    private let reader: SerialPortReader
    private let state: Mutex<State>
    /// Writes waiting for room in the output queue; the reader thread wakes them.
    private let writers: WritabilityWaiters
    private let logger: Logger

    private struct State {
        var isOpen: Bool
        var thread: pthread_t
        var wakeRead: FileDescriptor
        var wakeWrite: FileDescriptor
        var lockFile: UUCPLockFile?
    }

    /// Opens and configures `path` exclusively and starts its reader thread.
    ///
    /// Only a serial device the station drives is opened (`SerialDevicePolicy`: USB serial and ACM ports, and the
    /// station user's own pseudo-terminals when `options.allowPseudoTerminals`); anything else is refused with
    /// `.notSerialDevice`, one message whatever the path is, before any ioctl, termios change or write.
    ///
    /// Throws `.busy` when a live UUCP lock file, TIOCEXCL (EBUSY) or flock (EWOULDBLOCK) shows
    /// another holder; `.open` when the device cannot be opened; `.configure` when termios fails.
    ///
    /// Blocks for up to a few hundred milliseconds on the lock file (a lock being written, a holder about to open
    /// the port): call it from a thread of its own, or use `open(path:options:logger:)`.
    public init(path: String, options: SerialPortOptions = SerialPortOptions(), logger: Logger) throws(SerialPortError) {
        self.path = path
        self.logger = logger
        var log = logger
        log[metadataKey: "port.path"] = "\(path)"

        // 1. The node, judged on an O_PATH descriptor before anything opens it: a path that is no serial device gets
        //    the same refusal with or without a lock directory, and leaves no lock file.
        let policy = SerialDevicePolicy(allowsPseudoTerminals: options.allowPseudoTerminals)
        let pathFD = try Self.openJudged(path: path, policy: policy)
        // 2. UUCP lock file: when another program holds the port, this names it.
        var lockFile: UUCPLockFile?
        if let directory = options.lockDirectory {
            do {
                lockFile = try UUCPLockFile.acquire(devicePath: path, directory: directory, ignoringDescriptor: pathFD.rawValue,
                                                    logger: log)
            } catch {
                SystemCall.close(pathFD)
                throw error
            }
        }
        var opened: FileDescriptor?
        var wake: (read: FileDescriptor, write: FileDescriptor)?
        var madeExclusive = false
        func cleanUp() {
            // A failure after TIOCEXCL (flock held by another program, termios refused) must not leave the tty
            // exclusive: the other program, or the next opener, would find it locked by nobody.
            if let opened {
                if madeExclusive { try? SystemCall.ioctl(opened, UInt(TIOCNXCL)) }
                SystemCall.close(opened)
            }
            if let wake {
                SystemCall.close(wake.read)
                SystemCall.close(wake.write)
            }
            lockFile?.release()
        }

        do throws(SerialPortError) {
            // 3.–5. open (the judged node), TIOCGEXCL, TIOCEXCL, flock (`openDescriptor`, shared with `openExclusive`).
            let descriptor: FileDescriptor
            (descriptor, madeExclusive) = try Self.openDescriptor(path: path, judged: (pathFD, policy), log: log)
            opened = descriptor

            // 6. termios raw.
            try Self.configure(fd: descriptor, path: path, baudRate: options.baudRate)

            // 7. DTR/RTS: optional. ENOTTY/EINVAL on ptys and mocked ttys are ignored.
            if options.assertModemLines {
                do {
                    try SystemCall.ioctl(descriptor, UInt(TIOCMBIS), int: Int32(TIOCM_DTR | TIOCM_RTS))
                } catch {
                    log.debug("cannot assert DTR/RTS, continuing", metadata: ["errno": "\(error.rawValue)"])
                }
            }

            // 8. Wake pipe for close(), then the reader thread.
            do {
                wake = try SystemCall.pipe()
            } catch {
                throw SerialPortError(code: .configure, errno: error.rawValue, path: path, message: "cannot create wake pipe")
            }
        } catch {
            cleanUp()
            throw error
        }
        guard let fd = opened, let wake else {
            cleanUp()
            throw SerialPortError(code: .configure, errno: EBADF, path: path, message: "port not opened")
        }

        let (stream, continuation) = AsyncStream<SerialPortEvent>.makeStream(
            bufferingPolicy: .bufferingNewest(max(1, options.maxBufferedChunks)))
        let writers = WritabilityWaiters()
        let reader = SerialPortReader(fd: fd, wakeFD: wake.read, path: path, chunkSize: options.readChunkSize,
                                      writers: writers, continuation: continuation)
        let thread: pthread_t
        do {
            thread = try Self.startThread(reader)
        } catch {
            continuation.finish()
            cleanUp()
            throw SerialPortError(code: .configure, errno: error.rawValue, path: path, message: "cannot start reader thread")
        }
        self.fd = fd
        self.reader = reader
        self.writers = writers
        self.events = stream
        self.state = Mutex(State(isOpen: true, thread: thread, wakeRead: wake.read, wakeWrite: wake.write, lockFile: lockFile))
        log.debug("serial port opened")
    }

    /// Opens `path` as `init(path:options:logger:)` does, on a thread of its own: the lock file and the driver's open
    /// may take a moment, and no actor or thread of Swift's cooperative pool waits on them. `.configure` when no thread
    /// can be started.
    public static func open(path: String, options: SerialPortOptions = SerialPortOptions(),
                            logger: Logger) async throws(SerialPortError) -> SerialPort {
        let result: Result<SerialPort, SerialPortError>
        do {
            result = try await SystemCall.onOwnThread {
                Result { () throws(SerialPortError) -> SerialPort in try SerialPort(path: path, options: options, logger: logger) }
            }
        } catch {
            throw SerialPortError(code: .configure, errno: error.rawValue, path: path, message: "cannot start a thread to open the port")
        }
        return try result.get()
    }

    deinit {
        close()
    }

    /// Bytes the reader dropped because the consumer of `events` did not keep up.
    public var droppedBytes: Int {
        reader.droppedBytes.load(ordering: .relaxed)
    }

    /// Whether `close()` has not been called yet (the device may still be gone: see `events`).
    public var isOpen: Bool {
        state.withLock { $0.isOpen }
    }

    /// Writes all of `bytes`, waiting for room in the output queue until `deadline`.
    ///
    /// Throws `.write` with ETIMEDOUT when the deadline passes first, `.hangup` on EIO/POLLHUP,
    /// `.closed` after `close()` (also while it waits: `close()` ends the wait at once). The port's lock is held only
    /// for each `write(2)`, never while waiting: the wait is parked with the reader thread (`awaitWritable(until:)`),
    /// so `close()`, `discardPendingInput()` and the reader go on meanwhile, and no thread waits for the device.
    public func write(_ bytes: [UInt8], deadline: ContinuousClock.Instant) async throws(SerialPortError) {
        var offset = try writeAvailable(bytes)
        while offset < bytes.count {
            try await awaitWritable(until: deadline)
            offset = try writeAvailable(bytes, from: offset)
        }
    }

    /// Writes as much of `bytes[offset...]` as the output queue takes now, without waiting; the offset reached.
    ///
    /// EINTR retried and short writes continued until the queue is full (EAGAIN) or everything is written. Throws
    /// `.hangup` on EIO, `.write` for another failure, `.closed` after `close()`. Holds the port's lock for the
    /// `write(2)` calls only, so `close()` cannot close the descriptor underneath; a non-blocking write never waits.
    public func writeAvailable(_ bytes: [UInt8], from offset: Int = 0) throws(SerialPortError) -> Int {
        let fd = self.fd
        let path = self.path
        return try state.withLock { state throws(SerialPortError) -> Int in
            guard state.isOpen else {
                throw SerialPortError(code: .closed, errno: EBADF, path: path, message: "port is closed")
            }
            var offset = offset
            while offset < bytes.count {
                do throws(Errno) {
                    offset += try SystemCall.write(fd, from: bytes, offset: offset)
                } catch where error == .wouldBlock {
                    // Output queue full (flow control or a slow device): the caller waits for room, lock released.
                    return offset
                } catch where error == .ioError {
                    throw SerialPortError(code: .hangup, errno: EIO, path: path, message: "write failed with EIO")
                } catch {
                    throw SerialPortError(code: .write, errno: error.rawValue, path: path, message: "write failed")
                }
            }
            return offset
        }
    }

    /// Waits, holding no lock and blocking no thread, until the output queue has room (POLLOUT) or `deadline`.
    ///
    /// The wait is parked with the port's reader thread, which polls the tty anyway. Throws `.write` with ETIMEDOUT
    /// when the deadline passes first, `.hangup` when the device went away, `.closed` when the port is or gets
    /// closed. Returning does not promise the next write takes everything: call `writeAvailable(_:from:)` again.
    public func awaitWritable(until deadline: ContinuousClock.Instant) async throws(SerialPortError) {
        let path = self.path
        guard ContinuousClock.now < deadline else {
            throw SerialPortError(code: .write, errno: ETIMEDOUT, path: path, message: "write did not complete before its deadline")
        }
        let wake = await withCheckedContinuation { (continuation: CheckedContinuation<WritabilityWaiters.Wake, Never>) in
            guard writers.park(until: deadline, continuation) else { return }
            // Tell the reader thread to add POLLOUT (and this deadline) to its poll. Under the lock: close() closes
            // the wake pipe under it, and a closed port has already ended this wait.
            state.withLock { state in
                guard state.isOpen else { return }
                Self.poke(state.wakeWrite)
            }
        }
        switch wake {
        case .writable:
            return
        case .deadlinePassed:
            throw SerialPortError(code: .write, errno: ETIMEDOUT, path: path, message: "write did not complete before its deadline")
        case .hangup:
            throw SerialPortError(code: .hangup, errno: 0, path: path, message: "the device went away while a write waited")
        case .closed:
            throw SerialPortError(code: .closed, errno: EBADF, path: path, message: "port is closed")
        }
    }

    /// Writes one byte to the reader thread's wake pipe. A full pipe (EAGAIN) already wakes it: nothing is lost.
    private static func poke(_ wakeWrite: FileDescriptor) {
        var byte: UInt8 = 1
        _ = withUnsafeBytes(of: &byte) { try? SystemCall.write(wakeWrite, from: $0) }
    }

    /// Discards bytes received but not yet read (`tcflush(TCIFLUSH)`), e.g. a late reply after a timeout.
    ///
    /// Bytes already taken by the reader thread are not affected.
    public func discardPendingInput() throws(SerialPortError) {
        let fd = self.fd
        let path = self.path
        try state.withLock { state throws(SerialPortError) in
            guard state.isOpen else {
                throw SerialPortError(code: .closed, errno: EBADF, path: path, message: "port is closed")
            }
            do throws(Errno) {
                try SystemCall.flush(fd, TCIFLUSH)
            } catch {
                throw SerialPortError(code: .configure, errno: error.rawValue, path: path, message: "tcflush failed")
            }
        }
    }

    /// Stops the reader thread, closes the descriptor and removes the lock file; idempotent.
    ///
    /// Blocks only until the reader thread notices its wake pipe (it never blocks in read).
    /// Must not be called from the reader thread (nothing in this module does).
    public func close() {
        let fd = self.fd
        state.withLock { state in
            guard state.isOpen else { return }
            state.isOpen = false
            // Waiting writes end with `.closed`, and the reader thread, woken, sees the waits ended and returns.
            writers.end(.closed)
            Self.poke(state.wakeWrite)
            pthread_join(state.thread, nil)
            // Exclusive mode belongs to the tty, not to our descriptor: a pty (or a device someone else still has
            // open) would stay exclusive after our close and refuse the next opener. Leave it as we found it.
            try? SystemCall.ioctl(fd, UInt(TIOCNXCL))
            SystemCall.close(fd)
            SystemCall.close(state.wakeRead)
            SystemCall.close(state.wakeWrite)
            state.lockFile?.release()
            state.lockFile = nil
        }
        logger.debug("serial port closed", metadata: ["port.path": "\(path)"])
    }

    /// Whether the tty open on `fd` is in exclusive mode (`TIOCEXCL`, set by whoever opened it); nil when the driver
    /// cannot say. Root's open succeeds on an exclusive tty, so this is how a process running as root sees that
    /// another program holds the port.
    public static func isExclusive(fd: Int32) -> Bool? {
        SystemCall.isExclusive(FileDescriptor(rawValue: fd))
    }

    /// The device node `path` leads to (`/dev/serial/by-id/…` → `/dev/ttyUSB2`), symlinks followed with `readlink`;
    /// two paths name the same port when these are equal.
    public static func canonicalPath(_ path: String) -> String {
        UUCPLockFile.followingSymlinks(path)
    }

    // MARK: - Descriptor-level access (short exchanges that manage their own descriptor)

    /// Opens `path` as `init` does, minus the judging policy, UUCP lock file, termios and reader thread: non-blocking
    /// without a controlling tty, `.busy` when another program opened it exclusively (EBUSY, TIOCGEXCL) or holds its
    /// `flock`, then exclusive (TIOCEXCL, tolerated when refused) and `flock`ed; `.open` or `.configure` for other
    /// failures.
    ///
    /// For a caller that holds a port for a moment without talking to it (to see a second opener refused). The caller
    /// owns the descriptor and gives it back with `closeExclusive(fd:)`; on a throw nothing stays open or exclusive.
    /// Talking to a port goes through `init` (or `ATSession`), whatever the exchange's length.
    public static func openExclusive(path: String) throws(SerialPortError) -> FileDescriptor {
        try openDescriptor(path: path, judged: nil, log: nil).fd
    }

    /// Leaves exclusive mode (TIOCNXCL) and closes a descriptor from `openExclusive(path:)`, dropping its `flock`.
    ///
    /// Exclusive mode belongs to the tty, not the descriptor: without clearing it the next opener would be refused.
    public static func closeExclusive(fd: FileDescriptor) {
        try? SystemCall.ioctl(fd, UInt(TIOCNXCL))
        SystemCall.close(fd)
    }

    // MARK: - Helpers

    /// A descriptor (`O_PATH`: nothing opened yet) on the node `path` leads to, if `policy` accepts it as a serial
    /// device and it is no process's controlling terminal; `.notSerialDevice` otherwise, the same refusal whatever
    /// the path is (missing, a directory, a file, a FIFO, another device).
    ///
    /// `O_PATH` runs no driver's open routine: a FIFO does not wait for a writer, the console and other ttys are not
    /// touched, so nothing is opened before it is judged. EMFILE, ENFILE and ENOMEM say nothing about the path and are
    /// `.open`.
    static func openJudged(path: String, policy: SerialDevicePolicy) throws(SerialPortError) -> FileDescriptor {
        let pathFD: FileDescriptor
        do {
            pathFD = try SystemCall.openPath(path)
        } catch where [EMFILE, ENFILE, ENOMEM].contains(error.rawValue) {
            throw SerialPortError(code: .open, errno: error.rawValue, path: path, message: "cannot open device")
        } catch {
            throw .notSerialDevice(path: path, errno: error.rawValue, detail: "cannot be reached")
        }
        let info: stat
        do {
            info = try SystemCall.status(pathFD)
        } catch {
            SystemCall.close(pathFD)
            throw .notSerialDevice(path: path, errno: error.rawValue, detail: "fstat failed")
        }
        if case .refused(let what) = policy.judge(info) {
            SystemCall.close(pathFD)
            throw .notSerialDevice(path: path, errno: 0, detail: what)
        }
        if let holder = SerialDevicePolicy.controllingProcess(of: info.st_rdev) {
            SystemCall.close(pathFD)
            throw .notSerialDevice(path: path, errno: 0, detail: "the controlling terminal of pid \(holder)")
        }
        return pathFD
    }

    /// Steps 3–5 of opening: `open`, the TIOCGEXCL check, TIOCEXCL and `flock`; whether TIOCEXCL took. On a throw the
    /// descriptor is closed and the tty left as it was.
    ///
    /// With `judged` (a descriptor from `openJudged(path:policy:)`, consumed here, and its policy) the node opened is
    /// that very node, through `/proc/self/fd/N`, whatever became of the path since, and `fstat` of the opened
    /// descriptor is judged again, before any ioctl. Without it (discovery's probe, which opens the nodes udev lists)
    /// the path is opened as it is.
    static func openDescriptor(path: String, judged: (fd: FileDescriptor, policy: SerialDevicePolicy)?,
                               log: Logger?) throws(SerialPortError) -> (fd: FileDescriptor, madeExclusive: Bool) {
        // open: O_NOCTTY so a modem never becomes our controlling terminal; O_NONBLOCK so open does not wait for
        // carrier and reads/writes never block the thread.
        let flags = O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC
        let fd: FileDescriptor
        do {
            if let judged {
                defer { SystemCall.close(judged.fd) }
                do {
                    fd = try SystemCall.open("/proc/self/fd/\(judged.fd.rawValue)", flags)
                } catch where error.rawValue == ENOENT {
                    // No /proc (a bare chroot): the path itself; the check after the open still holds.
                    fd = try SystemCall.open(path, flags)
                }
            } else {
                fd = try SystemCall.open(path, flags)
            }
        } catch where error.rawValue == EBUSY {
            // EBUSY: another open holds TIOCEXCL.
            throw SerialPortError(code: .busy, errno: EBUSY, path: path, message: "device is opened exclusively (TIOCEXCL) by another process")
        } catch {
            throw SerialPortError(code: .open, errno: error.rawValue, path: path, message: "cannot open device")
        }
        if let judged {
            // The opened descriptor is what gets ioctls and writes: judge it, not the path.
            let verdict: SerialDevicePolicy.Verdict
            do {
                verdict = judged.policy.judge(try SystemCall.status(fd))
            } catch {
                verdict = .refused("fstat of the opened descriptor failed (errno \(error.rawValue))")
            }
            if case .refused(let what) = verdict {
                SystemCall.close(fd)
                throw .notSerialDevice(path: path, errno: 0, detail: what)
            }
        }
        var madeExclusive = false
        do throws(SerialPortError) {
            // Root's open succeeds even on a tty another program opened exclusively: ask (TIOCGEXCL). Checked before
            // setting TIOCEXCL ourselves, whose clearing on close would otherwise take its exclusivity away.
            if SystemCall.isExclusive(fd) == true {
                throw SerialPortError(code: .busy, errno: EBUSY, path: path, message: "device is opened exclusively (TIOCEXCL) by another process")
            }
            // TIOCEXCL: ENOTTY/EINVAL tolerated (umockdev's default handler, some drivers refuse it).
            do {
                try SystemCall.ioctl(fd, UInt(TIOCEXCL))
                madeExclusive = true
            } catch where error.rawValue == ENOTTY || error.rawValue == EINVAL {
                log?.debug("TIOCEXCL refused, continuing without it", metadata: ["errno": "\(error.rawValue)"])
            } catch {
                throw SerialPortError(code: .configure, errno: error.rawValue, path: path, message: "TIOCEXCL failed")
            }
            // flock: EWOULDBLOCK means another open file description holds it (also in this process).
            do {
                try SystemCall.flock(fd, LOCK_EX | LOCK_NB)
            } catch where error.rawValue == EWOULDBLOCK {
                throw SerialPortError(code: .busy, errno: EWOULDBLOCK, path: path, message: "device is locked (flock) by another open")
            } catch {
                throw SerialPortError(code: .configure, errno: error.rawValue, path: path, message: "flock failed")
            }
        } catch {
            // A failure after TIOCEXCL must not leave the tty exclusive: the other program, or the next opener, would
            // find it locked by nobody.
            if madeExclusive { try? SystemCall.ioctl(fd, UInt(TIOCNXCL)) }
            SystemCall.close(fd)
            throw error
        }
        return (fd, madeExclusive)
    }

    private static func configure(fd: FileDescriptor, path: String, baudRate: Int) throws(SerialPortError) {
        guard let speed = speed(for: baudRate) else {
            throw SerialPortError(code: .configure, errno: EINVAL, path: path, message: "unsupported baud rate \(baudRate)")
        }
        do {
            var attributes = try SystemCall.getAttributes(fd)
            cfmakeraw(&attributes)
            _ = cfsetispeed(&attributes, speed)
            _ = cfsetospeed(&attributes, speed)
            attributes.c_cflag |= tcflag_t(CLOCAL | CREAD)
            attributes.c_cflag &= ~tcflag_t(CRTSCTS)
            withUnsafeMutableBytes(of: &attributes.c_cc) { cc in
                cc[Int(VMIN)] = 0
                cc[Int(VTIME)] = 0
            }
            try SystemCall.setAttributes(fd, attributes)
            try SystemCall.flush(fd, TCIOFLUSH)
        } catch {
            // ENOTTY here: the path is not a terminal.
            throw SerialPortError(code: .configure, errno: error.rawValue, path: path, message: "cannot set raw termios")
        }
    }

    private static func speed(for baudRate: Int) -> speed_t? {
        let table: [Int: Int32] = [
            1200: B1200, 2400: B2400, 4800: B4800, 9600: B9600, 19_200: B19200, 38_400: B38400,
            57_600: B57600, 115_200: B115200, 230_400: B230400, 460_800: B460800, 921_600: B921600,
            1_000_000: B1000000, 2_000_000: B2000000, 3_000_000: B3000000, 4_000_000: B4000000,
        ]
        return table[baudRate].map { speed_t($0) }
    }

    private static func startThread(_ reader: SerialPortReader) throws(Errno) -> pthread_t {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(reader).toOpaque()
        let rc = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            let reader = Unmanaged<SerialPortReader>.fromOpaque(raw).takeRetainedValue()
            reader.run()
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<SerialPortReader>.fromOpaque(context).release()
            throw Errno(rawValue: rc)
        }
        return thread
    }
}
