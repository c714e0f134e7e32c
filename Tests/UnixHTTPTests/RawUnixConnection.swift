#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import UnixHTTP

/// A client socket for tests that must misbehave (half requests, idle connections, pipelining) in
/// ways a real HTTP client would not.
///
/// The socket is non-blocking and reads poll with a short async sleep until a deadline: blocking
/// a thread would starve the small Swift concurrency pool (shared with Dispatch on Linux) that
/// the server's handler tasks run on.
final class RawUnixConnection: Sendable {
    let fd: Int32
    private let receiveTimeout: Duration

    init(path: String, receiveTimeout: Duration = .seconds(10)) throws {
        let descriptor = socket(AF_UNIX, UnixSocketFile.socketStreamType, 0)
        try #require(descriptor >= 0)
        fd = descriptor
        self.receiveTimeout = receiveTimeout
        let result = try UnixSocketFile.withSocketAddress(path) { address, length in connect(descriptor, address, length) }
        try #require(result == 0, "connect failed: errno \(errno)")
        try #require(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == 0)
    }

    init(acceptedDescriptor: Int32, receiveTimeout: Duration = .seconds(10)) {
        fd = acceptedDescriptor
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        self.receiveTimeout = receiveTimeout
    }

    deinit {
        close(fd)
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        try #require(written == bytes.count)
    }

    private enum Chunk {
        case bytes([UInt8])
        case closed
        case timedOut
    }

    /// One non-blocking receive, retried until data, end of file, an error, or the deadline.
    private func receive(until deadline: ContinuousClock.Instant) async -> Chunk {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 { return .bytes(Array(buffer[0..<count])) }
            if count == 0 { return .closed }
            let code = errno
            guard code == EAGAIN || code == EWOULDBLOCK else {
                // ECONNRESET and friends: the peer is gone.
                return .closed
            }
            if ContinuousClock.now >= deadline { return .timedOut }
            try? await Task.sleep(for: .milliseconds(2))
        }
    }

    /// Reads until the peer closes or the receive timeout passes; returns what arrived and why it stopped.
    func readUntilClosed() async -> (bytes: [UInt8], closedByPeer: Bool) {
        let deadline = ContinuousClock.now + receiveTimeout
        var all: [UInt8] = []
        while true {
            switch await receive(until: deadline) {
            case .bytes(let bytes): all += bytes
            case .closed: return (all, true)
            case .timedOut: return (all, false)
            }
        }
    }

    /// Reads until at least `count` bytes arrived, the peer closes, or the receive timeout passes.
    func read(atLeast count: Int) async -> [UInt8] {
        let deadline = ContinuousClock.now + receiveTimeout
        var all: [UInt8] = []
        while all.count < count {
            guard case .bytes(let bytes) = await receive(until: deadline) else { break }
            all += bytes
        }
        return all
    }

    /// Reads until `marker` has arrived, the peer closes, or the receive timeout passes.
    func read(until marker: String) async -> [UInt8] {
        let deadline = ContinuousClock.now + receiveTimeout
        let needle = Array(marker.utf8)
        var all: [UInt8] = []
        while !all.contains(subsequence: needle) {
            guard case .bytes(let bytes) = await receive(until: deadline) else { break }
            all += bytes
        }
        return all
    }
}

/// A listening socket that answers one connection with fixed bytes and closes: a broken daemon.
final class RawUnixListener: Sendable {
    let fd: Int32

    init(path: String) throws {
        let descriptor = socket(AF_UNIX, UnixSocketFile.socketStreamType, 0)
        try #require(descriptor >= 0)
        fd = descriptor
        let bound = try UnixSocketFile.withSocketAddress(path) { address, length in bind(descriptor, address, length) }
        try #require(bound == 0, "bind failed: errno \(errno)")
        try #require(listen(fd, 4) == 0)
        try #require(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == 0)
    }

    deinit {
        close(fd)
    }

    /// In a task: accepts one connection, reads the request head, writes `reply`, closes.
    func answerOnce(with reply: String) {
        Task {
            let deadline = ContinuousClock.now + .seconds(10)
            var accepted: Int32 = -1
            while accepted < 0 && ContinuousClock.now < deadline {
                accepted = accept(fd, nil, nil)
                if accepted < 0 {
                    try? await Task.sleep(for: .milliseconds(2))
                }
            }
            guard accepted >= 0 else { return }
            let connection = RawUnixConnection(acceptedDescriptor: accepted)
            _ = await connection.read(until: "\r\n\r\n")
            try? connection.send(reply)
        }
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence needle: [UInt8]) -> Bool {
        !offsets(of: needle).isEmpty
    }

    /// Every offset at which `needle` starts.
    func offsets(of needle: [UInt8]) -> [Int] {
        guard !needle.isEmpty, count >= needle.count else { return [] }
        return (0...(count - needle.count)).filter { self[$0..<($0 + needle.count)].elementsEqual(needle) }
    }

    /// Every offset at which the UTF-8 of `text` starts.
    func offsets(of text: String) -> [Int] {
        offsets(of: Array(text.utf8))
    }
}
