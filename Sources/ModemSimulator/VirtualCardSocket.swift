import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Why a simulated card could not be put into vpcd's reader.
public struct VirtualCardError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What failed (`socket`, `connect`, `thread`).
    public var call: String
    /// The errno.
    public var errno: Int32

    /// Creates an error.
    public init(call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    /// One line for people.
    public var description: String { "\(call) failed: \(String(cString: strerror(errno)))" }
}

/// A simulated SIM in vsmartcard's virtual reader (`vpcd`, loaded by pcscd): connecting to vpcd's TCP port is
/// inserting the card, closing the connection is pulling it out.
///
/// vpcd's protocol: every frame is a 2-byte big-endian length and a payload. One-byte payloads from vpcd are
/// control: `00` power off, `01` power on, `02` reset, `04` "send the ATR" (the only one answered). Longer ones
/// are command APDUs, answered with the response APDU. vpcd listens on all interfaces: a test tool only.
public final class VirtualCardSlot: Sendable {
    private let personality: SIMCardPersonality
    private let host: String
    private let port: UInt16
    private let dropAfterCommands: Int?
    private let shared: Mutex<Shared>

    private struct Shared {
        var socket: Int32 = -1
        var served = 0
        var pinPresentations = 0
        var finished: [CheckedContinuation<Void, Never>] = []
        var running = false
    }

    /// A slot that will insert a card of `personality` into the vpcd reader at `host:port` (35963 is reader
    /// "Virtual PCD 00 00", 35964 "… 00 01"). `dropAfterCommands`: pull the card out instead of answering that
    /// many-plus-one-th command (a removal mid-read).
    public init(personality: SIMCardPersonality, host: String = "127.0.0.1", port: UInt16 = 35963,
                dropAfterCommands: Int? = nil) {
        self.personality = personality
        self.host = host
        self.port = port
        self.dropAfterCommands = dropAfterCommands
        shared = Mutex(Shared())
    }

    /// Command APDUs answered so far.
    public var commandsServed: Int { shared.withLock { $0.served } }
    /// VERIFY commands that carried a PIN, over every insertion.
    public var pinPresentations: Int { shared.withLock { $0.pinPresentations } }

    /// Whether something listens at `host:port` (vpcd is loaded and ready): one connection attempt.
    public static func isListening(host: String = "127.0.0.1", port: UInt16) -> Bool {
        guard let fd = try? connectSocket(host: host, port: port) else { return false }
        close(fd)
        return true
    }

    /// Inserts the card: connects to vpcd and serves it on a thread of its own until `remove()` or vpcd closes.
    public func insert() throws(VirtualCardError) {
        let fd = try Self.connectSocket(host: host, port: port)
        shared.withLock {
            $0.socket = fd
            $0.running = true
        }
        let thread = Thread { [self] in
            serve(fd)
            let waiters = shared.withLock { state -> [CheckedContinuation<Void, Never>] in
                state.running = false
                state.socket = -1
                defer { state.finished = [] }
                return state.finished
            }
            close(fd)
            for waiter in waiters { waiter.resume() }
        }
        thread.start()
    }

    /// Pulls the card out: closes the connection and waits until the serving thread has ended.
    public func remove() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let waiting = shared.withLock { state -> Bool in
                guard state.running else { return false }
                if state.socket >= 0 { shutdown(state.socket, Int32(SHUT_RDWR)) }
                state.finished.append(continuation)
                return true
            }
            if !waiting { continuation.resume() }
        }
    }

    /// Waits until the card was pulled (by `remove()`, `dropAfterCommands`, or vpcd closing).
    public func waitUntilRemoved() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let waiting = shared.withLock { state -> Bool in
                guard state.running else { return false }
                state.finished.append(continuation)
                return true
            }
            if !waiting { continuation.resume() }
        }
    }

    private func serve(_ fd: Int32) {
        var card = VirtualSIMCard(personality: personality)
        var presentationsBefore = 0
        while let frame = Self.readFrame(fd) {
            if frame.count == 1 {
                switch frame[0] {
                case 0x01, 0x02: card.reset()
                case 0x04: guard Self.writeFrame(fd, personality.atr) else { return }
                default: break
                }
                continue
            }
            if let limit = dropAfterCommands, shared.withLock({ $0.served }) >= limit { return }
            let answer = card.respond(to: frame)
            let newPresentations = card.pinPresentations - presentationsBefore
            presentationsBefore = card.pinPresentations
            shared.withLock {
                $0.served += 1
                $0.pinPresentations += newPresentations
            }
            guard Self.writeFrame(fd, answer) else { return }
        }
    }

    private static func connectSocket(host: String, port: UInt16) throws(VirtualCardError) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw VirtualCardError(call: "socket", errno: errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            close(fd)
            throw VirtualCardError(call: "inet_pton", errno: EINVAL)
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let failure = errno
            close(fd)
            throw VirtualCardError(call: "connect", errno: failure)
        }
        return fd
    }

    private static func readFrame(_ fd: Int32) -> [UInt8]? {
        guard let header = readExactly(fd, 2) else { return nil }
        let length = Int(header[0]) << 8 | Int(header[1])
        return length == 0 ? [] : readExactly(fd, length)
    }

    private static func readExactly(_ fd: Int32, _ count: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var have = 0
        while have < count {
            let got = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress.map { $0 + have }, count - have) }
            if got < 0, errno == EINTR { continue }
            guard got > 0 else { return nil }
            have += got
        }
        return buffer
    }

    private static func writeFrame(_ fd: Int32, _ payload: [UInt8]) -> Bool {
        let frame = [UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)] + payload
        var sent = 0
        while sent < frame.count {
            let wrote = frame.withUnsafeBytes { send(fd, $0.baseAddress.map { $0 + sent }, frame.count - sent, Int32(MSG_NOSIGNAL)) }
            if wrote < 0, errno == EINTR { continue }
            guard wrote > 0 else { return false }
            sent += wrote
        }
        return true
    }
}
