/// How a serial port is opened and configured.
///
/// Defaults suit Huawei PC UI / modem ports (115200 8N1, no flow control). The lock directory is
/// configurable so tests can use a temporary directory; it is skipped when absent or not writable.
public struct SerialPortOptions: Sendable, Equatable {
    /// Line speed in baud; must be one of the POSIX/Linux `B*` rates (9600 … 4000000).
    ///
    /// USB CDC/option ports ignore it, real UARTs do not.
    public var baudRate: Int
    /// Directory for UUCP lock files `LCK..<ttyname>`, or nil to skip lock files.
    ///
    /// When the directory is missing or not writable the lock file is skipped (logged at debug),
    /// because a missing `/var/lock` must not stop a station from working.
    public var lockDirectory: String?
    /// Whether to assert DTR and RTS with `TIOCMBIS`; ENOTTY (ptys, some drivers) is ignored.
    public var assertModemLines: Bool
    /// Most bytes read per `read(2)`; ModemManager uses 2 KiB.
    public var readChunkSize: Int
    /// Most chunks buffered between the reader thread and the consumer; beyond it the oldest are dropped and counted.
    public var maxBufferedChunks: Int
    /// Whether a pseudo-terminal slave (`/dev/pts/N`) belonging to this process's effective user may be opened, as
    /// well as USB serial (`ttyUSB*`) and ACM (`ttyACM*`) ports; off by default. For the simulator's devices (tests,
    /// the demo): a station in production drives real modems only. Never another user's pseudo-terminal.
    public var allowPseudoTerminals: Bool

    /// Creates options; every parameter has the production default.
    public init(
        baudRate: Int = 115_200,
        lockDirectory: String? = "/var/lock",
        assertModemLines: Bool = true,
        readChunkSize: Int = 2048,
        maxBufferedChunks: Int = 64,
        allowPseudoTerminals: Bool = false
    ) {
        self.baudRate = baudRate
        self.lockDirectory = lockDirectory
        self.assertModemLines = assertModemLines
        self.readChunkSize = readChunkSize
        self.maxBufferedChunks = maxBufferedChunks
        self.allowPseudoTerminals = allowPseudoTerminals
    }
}
