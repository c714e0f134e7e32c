import Glibc
import OwnThread
import SystemPackage

extension Errno {
    /// The calling thread's `errno`, read right after a failing call that has no swift-system form.
    static var last: Errno { Errno(rawValue: Glibc.errno) }
}

/// Every system call of the serial-port layer, in one place, with the reason for each errno decision.
///
/// Descriptors are swift-system's `FileDescriptor` and failures its `Errno`; the calls swift-system has (`open`,
/// `read`, `write`, `close`, `pipe`) go through it, the terminal and locking calls it lacks are made here on
/// `rawValue`. Rules that hold for all wrappers unless noted: EINTR is retried (a signal handler interrupted the call
/// before it did anything); any other failure is thrown as `Errno` for the caller, which knows the context, to turn
/// into a `SerialPortError`.
enum SystemCall {
    /// Runs a swift-system call and rethrows its failure typed. swift-system throws nothing but `Errno`; anything
    /// else would be a new kind of failure, reported as EIO rather than lost.
    private static func typed<T>(_ body: () throws -> T) throws(Errno) -> T {
        do {
            return try body()
        } catch let error as Errno {
            throw error
        } catch {
            throw Errno.ioError
        }
    }

    /// `open(2)`. EINTR retried (`retryOnInterrupt`): with `O_NONBLOCK` a tty open does not wait for carrier, but a
    /// signal can still interrupt the driver's open routine.
    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0) throws(Errno) -> FileDescriptor {
        // The access mode is the low two bits; every other flag is an option. swift-system passes both to open(2) as
        // given, so flags it has no name for (O_PATH, O_NOCTTY) go through too.
        let accessMode = FileDescriptor.AccessMode(rawValue: flags & O_ACCMODE)
        let options = FileDescriptor.OpenOptions(rawValue: flags & ~O_ACCMODE)
        // The C string as given: `FilePath` would normalise separators, and the path must stay the one judged.
        return try typed {
            try path.withCString { cPath in
                try FileDescriptor.open(cPath, accessMode, options: options,
                                        permissions: mode == 0 ? nil : FilePermissions(rawValue: mode), retryOnInterrupt: true)
            }
        }
    }

    /// `close(2)`. Never retried (swift-system's `close` does not retry): on Linux the descriptor is released even
    /// when close reports EINTR, so a retry could close a descriptor another thread just received. Errors are
    /// ignored because there is nothing left to do with the descriptor.
    static func close(_ fd: FileDescriptor) {
        try? fd.close()
    }

    /// `read(2)` into `buffer`. EINTR retried. EAGAIN (nothing to read on a non-blocking fd) and
    /// EIO (tty hung up) are thrown: the reader loop decides what they mean.
    static func read(_ fd: FileDescriptor, into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        try typed { try fd.read(into: buffer, retryOnInterrupt: true) }
    }

    /// `write(2)` from `buffer`; may write fewer bytes. EINTR retried; EAGAIN thrown so the caller can wait for
    /// POLLOUT within its deadline; EIO thrown (device gone).
    static func write(_ fd: FileDescriptor, from buffer: UnsafeRawBufferPointer) throws(Errno) -> Int {
        try typed { try fd.write(buffer, retryOnInterrupt: true) }
    }

    /// Writes all of `bytes` to a blocking descriptor (a lock file) with swift-system's `writeAll`: short writes
    /// continued, EINTR retried; any other failure thrown (ENOSPC, EIO). Not for the non-blocking tty, where EAGAIN
    /// must be waited out: `SerialPort.write(_:deadline:)` does that.
    static func writeAll(_ fd: FileDescriptor, _ bytes: [UInt8]) throws(Errno) {
        _ = try typed { try fd.writeAll(bytes) }
    }

    /// `poll(2)`. EINTR is reported as "nothing ready" (returns 0) instead of being retried here,
    /// because every caller loops anyway and recomputes its remaining timeout.
    static func poll(_ fds: inout [pollfd], timeoutMilliseconds: Int32) throws(Errno) -> Int32 {
        let count = nfds_t(fds.count)
        let rc = fds.withUnsafeMutableBufferPointer { buffer in
            Glibc.poll(buffer.baseAddress, count, timeoutMilliseconds)
        }
        if rc >= 0 { return rc }
        if Glibc.errno == EINTR { return 0 }
        throw Errno.last
    }

    /// `tcgetattr(3)`. EINTR retried (tcgetattr is an ioctl and can be interrupted).
    static func getAttributes(_ fd: FileDescriptor) throws(Errno) -> termios {
        var attributes = termios()
        while tcgetattr(fd.rawValue, &attributes) != 0 {
            if Glibc.errno == EINTR { continue }
            throw Errno.last
        }
        return attributes
    }

    /// `tcsetattr(3)` with TCSANOW. EINTR retried.
    static func setAttributes(_ fd: FileDescriptor, _ attributes: termios) throws(Errno) {
        var attributes = attributes
        while tcsetattr(fd.rawValue, TCSANOW, &attributes) != 0 {
            if Glibc.errno == EINTR { continue }
            throw Errno.last
        }
    }

    /// `tcflush(3)`. EINTR retried.
    static func flush(_ fd: FileDescriptor, _ queue: Int32) throws(Errno) {
        while tcflush(fd.rawValue, queue) != 0 {
            if Glibc.errno == EINTR { continue }
            throw Errno.last
        }
    }

    /// `ioctl(2)` without argument (TIOCEXCL, TIOCNXCL). EINTR retried; ENOTTY/EINVAL are thrown
    /// and the caller decides whether the request was optional.
    static func ioctl(_ fd: FileDescriptor, _ request: UInt) throws(Errno) {
        while Glibc.ioctl(fd.rawValue, request) != 0 {
            if Glibc.errno == EINTR { continue }
            throw Errno.last
        }
    }

    /// `TIOCGEXCL` (Linux ≥ 3.8, `_IOR('T', 0x40, int)`): not exported to Swift, whose importer skips
    /// function-like macros.
    static let tiocgexcl: UInt = 0x8004_5440

    /// Whether the tty is in exclusive mode (`TIOCEXCL`), set by whoever opened it; nil when the driver
    /// cannot say (ENOTTY/EINVAL: old kernels, umockdev's default handler).
    ///
    /// Root's open succeeds on an exclusive tty, so this is how a process running as root sees that
    /// another program holds the port.
    static func isExclusive(_ fd: FileDescriptor) -> Bool? {
        var value: Int32 = 0
        while withUnsafeMutablePointer(to: &value, { Glibc.ioctl(fd.rawValue, tiocgexcl, $0) }) != 0 {
            if Glibc.errno == EINTR { continue }
            return nil
        }
        return value != 0
    }

    /// `ioctl(2)` with a pointer to an int (TIOCMBIS). EINTR retried; ENOTTY thrown to the caller.
    static func ioctl(_ fd: FileDescriptor, _ request: UInt, int value: Int32) throws(Errno) {
        var value = value
        while withUnsafeMutablePointer(to: &value, { Glibc.ioctl(fd.rawValue, request, $0) }) != 0 {
            if Glibc.errno == EINTR { continue }
            throw Errno.last
        }
    }

    /// `flock(2)`. EINTR retried (only a blocking flock sleeps, but be safe); EWOULDBLOCK thrown:
    /// another open file description holds the lock.
    static func flock(_ fd: FileDescriptor, _ operation: Int32) throws(Errno) {
        guard let function = flockFunction else { throw Errno(rawValue: ENOSYS) }
        while function(fd.rawValue, operation) != 0 {
            if Glibc.errno == EINTR { continue }
            throw Errno.last
        }
    }

    /// The C `flock` function. Swift cannot call it by name: Glibc's `struct flock` (for fcntl)
    /// shadows it, so it is looked up once with `dlsym(RTLD_DEFAULT, "flock")` and called with
    /// the C calling convention. fcntl/OFD locks are not a substitute: they do not conflict with
    /// the flock locks picocom and pyserial take.
    private static let flockFunction: (@convention(c) (Int32, Int32) -> Int32)? = {
        guard let symbol = dlsym(nil, "flock") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
    }()

    /// `pipe(2)` (swift-system's `FileDescriptor.pipe()`), then `fcntl(2)` to add `FD_CLOEXEC` and `O_NONBLOCK` on
    /// both ends. pipe2 is not visible to Swift without _GNU_SOURCE; the short window without FD_CLOEXEC only matters
    /// if another thread fork-execs at that instant.
    static func pipe() throws(Errno) -> (read: FileDescriptor, write: FileDescriptor) {
        let ends = try typed { try FileDescriptor.pipe() }
        for end in [ends.readEnd, ends.writeEnd] {
            let flags = fcntl(end.rawValue, F_GETFL)
            if flags < 0 || fcntl(end.rawValue, F_SETFL, flags | O_NONBLOCK) != 0 || fcntl(end.rawValue, F_SETFD, FD_CLOEXEC) != 0 {
                let error = Errno.last
                close(ends.readEnd)
                close(ends.writeEnd)
                throw error
            }
        }
        return (ends.readEnd, ends.writeEnd)
    }

    /// `unlink(2)`. ENOENT is success (the file is gone either way); other errors thrown.
    static func unlink(_ path: String) throws(Errno) {
        if Glibc.unlink(path) == 0 || Glibc.errno == ENOENT { return }
        throw Errno.last
    }

    /// `access(2)` with W_OK|X_OK: can we create files in `directory`?
    static func isWritableDirectory(_ directory: String) -> Bool {
        Glibc.access(directory, W_OK | X_OK) == 0
    }

    /// Whether process `pid` exists: `kill(pid, 0)` succeeds, or fails with EPERM (it exists but
    /// belongs to another user). ESRCH means it is gone. Non-positive pids never "exist" here:
    /// kill(0) / kill(-1) would address process groups.
    static func processExists(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        if Glibc.kill(pid, 0) == 0 { return true }
        return Glibc.errno == EPERM
    }

    /// What `readSmallFile` found at a path.
    enum SmallFile: Equatable {
        /// A regular file: its first bytes (at most the limit asked for) and its owner's uid.
        case contents([UInt8], owner: uid_t)
        /// Something other than a regular file: its `st_mode` (a FIFO, a directory, a device); nothing was read.
        case notRegular(mode_t)
        /// `open` or `read` failed: ENOENT (nothing there), ELOOP (a symlink: `O_NOFOLLOW`), EACCES, ...
        case failed(Errno)
    }

    /// Reads at most `limit` bytes of a small regular file (lock files, /proc/<pid>/comm, /proc/<pid>/stat), never
    /// blocking whatever stands at `path`.
    ///
    /// `O_NONBLOCK`: a FIFO put where a file was expected opens at once instead of waiting for a writer (and is then
    /// refused below, never read). `O_NOFOLLOW`: a symlink fails with ELOOP instead of leading elsewhere. `O_NOCTTY`:
    /// a tty node there never becomes our controlling terminal. `fstat` on the opened descriptor (not the path, which
    /// could change in between) lets only regular files be read; procfs files are regular files too.
    static func readSmallFile(_ path: String, limit: Int = 128) -> SmallFile {
        let fd: FileDescriptor
        do {
            fd = try open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY)
        } catch {
            return .failed(error)
        }
        defer { close(fd) }
        let info: stat
        do {
            info = try status(fd)
        } catch {
            return .failed(error)
        }
        guard info.st_mode & S_IFMT == S_IFREG else { return .notRegular(info.st_mode) }
        var bytes = [UInt8](repeating: 0, count: max(0, limit))
        do {
            let n = try read(fd, into: &bytes)
            return .contents(Array(bytes.prefix(n)), owner: info.st_uid)
        } catch {
            return .failed(error)
        }
    }

    /// The first bytes of a small regular file (see `readSmallFile`), or nil for anything else.
    static func smallFileContents(_ path: String, limit: Int = 128) -> [UInt8]? {
        guard case .contents(let bytes, _) = readSmallFile(path, limit: limit) else { return nil }
        return bytes
    }

    /// `O_PATH` (Linux ≥ 2.6.39), which Glibc does not export to Swift (it needs `_GNU_SOURCE`); this is its value on
    /// x86-64 and arm64.
    static let pathOnly: Int32 = 0o10000000

    /// `open(2)` with `O_PATH | O_CLOEXEC`: a descriptor on the node `path` leads to (symlinks followed) that opens
    /// nothing: no driver's open routine runs (a tty is not touched, a FIFO does not wait for a writer, a watchdog is
    /// not armed), no data can be read or written through it. `fstat` works on it, and `/proc/self/fd/N` opens the
    /// very same node for real. EINTR retried (`open`); ENOENT, EACCES, ENOTDIR, ELOOP... thrown.
    static func openPath(_ path: String) throws(Errno) -> FileDescriptor {
        try open(path, pathOnly | O_CLOEXEC)
    }

    /// `fstat(2)`. Cannot be interrupted; EBADF (and EOVERFLOW, never on 64-bit) thrown.
    static func status(_ fd: FileDescriptor) throws(Errno) -> stat {
        var info = stat()
        guard Glibc.fstat(fd.rawValue, &info) == 0 else { throw Errno.last }
        return info
    }

    /// `readlink(2)`: the text of the symlink at `path` (for /proc/<pid>/fd/N, the path of what the descriptor is
    /// open on, as the kernel names it, without touching that file). Errors thrown for the caller to decide: ENOENT
    /// (the descriptor was just closed), EACCES (another process whose descriptors we may not see), EINVAL (not a
    /// symlink).
    static func readLink(_ path: String) throws(Errno) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = Glibc.readlink(path, &buffer, Int(PATH_MAX))
        guard count >= 0 else { throw Errno.last }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The names in directory `path` (`opendir(3)`/`readdir(3)`), without `.` and `..`. ENOENT (a process that just
    /// ended), EACCES (another user's /proc/<pid>/fd) and the rest thrown: the caller decides what they mean. An error
    /// in the middle of reading ends the list there (readdir cannot say which entries it skipped).
    static func directoryEntries(_ path: String) throws(Errno) -> [String] {
        guard let directory = Glibc.opendir(path) else { throw Errno.last }
        defer { Glibc.closedir(directory) }
        var names: [String] = []
        while let entry = Glibc.readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// The major number of a device number (glibc's `major(3)`, a macro Swift does not import).
    static func major(_ device: dev_t) -> UInt32 {
        let value = UInt64(device)
        return UInt32(truncatingIfNeeded: ((value >> 8) & 0xfff) | ((value >> 32) & ~UInt64(0xfff)))
    }

    /// The minor number of a device number (glibc's `minor(3)`).
    static func minor(_ device: dev_t) -> UInt32 {
        let value = UInt64(device)
        return UInt32(truncatingIfNeeded: (value & 0xff) | ((value >> 12) & ~UInt64(0xff)))
    }

    /// Runs blocking work (opening a port: lock files, a driver's open routine) on a detached thread of its own and
    /// resumes the caller with its result, so neither a thread of Swift's cooperative pool nor the calling actor waits
    /// on it. pthread_create's error (EAGAIN: the unit's `TasksMax`, `RLIMIT_NPROC`) is thrown and nothing runs.
    static func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async throws(Errno) -> T {
        switch await OwnThread.run(work) {
        case .success(let value): return value
        case .failure(let failure): throw Errno(rawValue: failure.code)
        }
    }

    /// `write(2)` of `bytes[offset...]`: the closure-free form, because the standard library's
    /// buffer accessors rethrow untyped errors.
    static func write(_ fd: FileDescriptor, from bytes: [UInt8], offset: Int) throws(Errno) -> Int {
        let result: Result<Int, Errno> = bytes.withUnsafeBytes { buffer in
            Result { () throws(Errno) -> Int in try write(fd, from: UnsafeRawBufferPointer(rebasing: buffer[offset...])) }
        }
        return try result.get()
    }

    /// `read(2)` into `buffer[0...]`, typed-throws form of `read(_:into:)` for Swift arrays.
    static func read(_ fd: FileDescriptor, into buffer: inout [UInt8]) throws(Errno) -> Int {
        let result: Result<Int, Errno> = buffer.withUnsafeMutableBytes { raw in
            Result { () throws(Errno) -> Int in try read(fd, into: raw) }
        }
        return try result.get()
    }
}

