#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A bare pseudo-terminal pair from `openpty(3)`, for tests of what the code under test does with a tty node (open
/// checks, locks, colour on a terminal) when no device answers on it. A device that answers is a `FakeModem`.
///
/// Both descriptors are closed by `close()` or when the value is released.
public final class TestPseudoTerminal: Sendable {
    /// How the slave side is set up.
    public enum Mode: Sendable {
        /// The kernel's default line discipline (canonical, echo): what a fresh tty looks like before a program sets it.
        case cooked
        /// The default line discipline without echo: what is written to the master is not sent back.
        case quiet
        /// `cfmakeraw(3)`: bytes pass unchanged both ways.
        case raw
    }

    /// The master side, non-blocking.
    public let master: Int32
    /// The slave's path, e.g. `/dev/pts/7`.
    public let path: String
    private let slaveDescriptor: Mutex<Int32>
    private let closed = Mutex(false)

    /// Opens a pair with the slave in `mode`.
    public init(_ mode: Mode = .cooked) throws {
        var master: Int32 = -1, slave: Int32 = -1
        var name = [CChar](repeating: 0, count: 128)
        guard openpty(&master, &slave, &name, nil, nil) == 0 else { throw TestSupportError(call: "openpty", errno: errno) }
        _ = fcntl(master, F_SETFD, FD_CLOEXEC)
        _ = fcntl(slave, F_SETFD, FD_CLOEXEC)
        _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)
        var settings = termios()
        tcgetattr(slave, &settings)
        switch mode {
        case .cooked: break
        case .quiet: settings.c_lflag &= ~tcflag_t(ECHO)
        case .raw: cfmakeraw(&settings)
        }
        tcsetattr(slave, TCSANOW, &settings)
        self.master = master
        self.slaveDescriptor = Mutex(slave)
        self.path = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The fixture's own descriptor on the slave, or -1 once `closeSlave()` ran.
    public var slave: Int32 { slaveDescriptor.withLock { $0 } }

    /// Closes the fixture's slave descriptor only (the process then holds the master alone).
    public func closeSlave() {
        slaveDescriptor.withLock { descriptor in
            if descriptor >= 0 { Glibc.close(descriptor) }
            descriptor = -1
        }
    }

    /// What the master has received so far and nobody read (non-blocking).
    public func drainMaster() -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while true {
            let count = read(master, &buffer, buffer.count)
            guard count > 0 else { return bytes }
            bytes += buffer[0..<count]
        }
    }

    /// Closes both descriptors (idempotent).
    public func close() {
        let first = closed.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        guard first else { return }
        closeSlave()
        Glibc.close(master)
    }

    deinit { close() }
}
