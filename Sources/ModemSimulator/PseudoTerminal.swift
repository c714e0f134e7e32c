#if canImport(Glibc)
import Glibc
#endif

/// A pseudo-terminal pair for one fake device: the master the simulator talks on, the slave path
/// the client opens.
///
/// The simulator keeps its own descriptor on the slave open, in raw mode, so the master never reads
/// EIO while no client holds the slave (see TESTING.md §2) and clients can come and go.
public struct PseudoTerminal: Sendable {
    /// The master side, non-blocking.
    public let master: Int32
    /// The simulator's own descriptor on the slave side (never read).
    public let slave: Int32
    /// The slave's path, e.g. `/dev/pts/7`: what the client opens.
    public let path: String

    /// Opens a pair through `/dev/ptmx` (what `posix_openpt(3)` does), puts the slave in raw mode at 115200 baud.
    public static func open() throws(SimulatorError) -> PseudoTerminal {
        // posix_openpt/grantpt/unlockpt/ptsname are hidden behind _XOPEN_SOURCE in the Glibc
        // module, so do what they do on Linux: open the multiplexer, unlock, ask for the number.
        let master = Glibc.open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard master >= 0 else { throw SimulatorError(.pseudoTerminal, errno: errno, "open /dev/ptmx") }
        func fail(_ call: String) -> SimulatorError {
            let code = errno
            Glibc.close(master)
            return SimulatorError(.pseudoTerminal, errno: code, call)
        }
        var unlock: Int32 = 0
        guard ioctl(master, PseudoTerminal.setLock, &unlock) == 0 else { throw fail("ioctl TIOCSPTLCK") }
        var number: UInt32 = 0
        guard ioctl(master, PseudoTerminal.getNumber, &number) == 0 else { throw fail("ioctl TIOCGPTN") }
        let path = "/dev/pts/\(number)"
        let slave = Glibc.open(path, O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard slave >= 0 else { throw fail("open \(path)") }
        var attributes = termios()
        guard tcgetattr(slave, &attributes) == 0 else {
            Glibc.close(slave)
            throw fail("tcgetattr \(path)")
        }
        cfmakeraw(&attributes)
        cfsetispeed(&attributes, speed_t(B115200))
        cfsetospeed(&attributes, speed_t(B115200))
        attributes.c_cflag |= tcflag_t(CLOCAL | CREAD)
        guard tcsetattr(slave, TCSANOW, &attributes) == 0 else {
            Glibc.close(slave)
            throw fail("tcsetattr \(path)")
        }
        let flags = fcntl(master, F_GETFL)
        guard flags >= 0, fcntl(master, F_SETFL, flags | O_NONBLOCK) == 0 else {
            Glibc.close(slave)
            throw fail("fcntl O_NONBLOCK")
        }
        return PseudoTerminal(master: master, slave: slave, path: path)
    }

    /// `TIOCGPTN` = `_IOR('T', 0x30, unsigned int)` (same value on x86-64 and arm64).
    static let getNumber = UInt(0x8004_5430)
    /// `TIOCSPTLCK` = `_IOW('T', 0x31, int)`.
    static let setLock = UInt(0x4004_5431)

    /// Closes both descriptors: a client on the slave then reads end of file or EIO.
    public func close() {
        Glibc.close(master)
        Glibc.close(slave)
    }
}
