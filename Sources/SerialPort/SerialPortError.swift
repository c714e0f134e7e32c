import Glibc

/// An operating-system failure of a serial port, with the errno and the device path kept.
///
/// This is the one error type of the `SerialPort` layer: the code says which step failed, `errno`
/// is the raw value from the kernel (0 when the failure was not a system call, e.g. a timeout
/// decided by us or a live lock file), and `message` is a constant-ish English sentence that never
/// contains command text (commands may carry secrets).
public struct SerialPortError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The step of the port's life that failed.
    ///
    /// Stable: callers switch on it, the API maps it to a status.
    public enum Code: String, Sendable, Equatable {
        /// `open(2)` of a serial device node failed (EACCES, ENXIO, EIO: a device that went away, EMFILE, ...).
        case open
        /// The path is not a serial device this station drives: missing, a directory, a regular file, a FIFO, another
        /// character device, a pseudo-terminal not allowed or not the station's, someone's terminal.
        ///
        /// One message for all of them, so a caller learns nothing about the path (not even whether it exists);
        /// `errno` (ENOENT, EACCES, ... or 0) and `detail` say what it was, for the daemon's log only.
        case notSerialDevice = "not-serial-device"
        /// Another process (or another open of this process) holds the port: TIOCEXCL, flock or a live UUCP lock file.
        case busy
        /// termios or lock-file setup failed after the node was opened.
        case configure
        /// `read(2)`/`poll(2)` failed with something other than a hangup.
        case read
        /// `write(2)` failed, or could not complete before its deadline (errno ETIMEDOUT).
        case write
        /// The device went away: end of file, EIO, POLLHUP or POLLERR (USB unplug, pty master closed).
        case hangup
        /// The port was already closed by its owner.
        case closed
    }

    /// Which step failed.
    public var code: Code
    /// The errno of the failing system call, or 0 when no system call failed.
    public var errno: Int32
    /// The device path the port was opened with.
    public var path: String
    /// A human-readable explanation (never contains command text).
    public var message: String
    /// For `.busy` from a UUCP lock file: the pid written in it.
    public var holderPID: Int32?
    /// For `.busy` from a UUCP lock file: the holder's program name from `/proc/<pid>/comm`, when readable.
    public var holderProgram: String?
    /// For `.notSerialDevice`: what the node was ("a FIFO", "the console (5:1)..."), for the daemon's log; never part
    /// of `description` or of anything a caller is shown.
    public var detail: String?

    /// Creates an error; `holderPID`/`holderProgram` only make sense for `.busy`.
    public init(code: Code, errno: Int32, path: String, message: String, holderPID: Int32? = nil, holderProgram: String? = nil) {
        self.code = code
        self.errno = errno
        self.path = path
        self.message = message
        self.holderPID = holderPID
        self.holderProgram = holderProgram
    }

    /// The one refusal of a path that is not a serial device this station drives, whatever it is: `errno` (0 when no
    /// system call failed) and `detail` are kept for the log, the message is the same for every path.
    public static func notSerialDevice(path: String, errno: Int32, detail: String) -> SerialPortError {
        var error = SerialPortError(code: .notSerialDevice, errno: errno, path: path, message: "is not a serial device this station drives")
        error.detail = detail
        return error
    }

    /// `"<code> <path>: <message> (errno N: strerror)"`, for logs and the CLI; without the errno for
    /// `.notSerialDevice`, whose errno would tell whether the path exists.
    public var description: String {
        var text = "\(code.rawValue) \(path): \(message)"
        if code == .notSerialDevice { return text }
        if let holderPID {
            text += " (held by pid \(holderPID)"
            if let holderProgram { text += " \(holderProgram)" }
            text += ")"
        }
        if errno != 0 {
            text += " (errno \(errno): \(String(cString: strerror(errno))))"
        }
        return text
    }
}
