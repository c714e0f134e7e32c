#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Testing
@testable import UnixHTTP

/// A blocking client socket for tests that must misbehave (half requests, idle connections,
/// pipelining) in ways a real HTTP client would not.
///
/// Blocking reads run on a Dispatch thread, never on the (small) Swift concurrency pool, which the
/// server's handler tasks need.
final class RawUnixConnection: Sendable {
    let fd: Int32

    init(path: String, receiveTimeout: Duration = .seconds(5)) throws {
        fd = socket(AF_UNIX, UnixSocketFile.socketStreamType, 0)
        try #require(fd >= 0)
        let result = try UnixSocketFile.withSocketAddress(path) { address, length in connect(fd, address, length) }
        try #require(result == 0, "connect failed: errno \(errno)")
        let seconds = receiveTimeout.components.seconds
        let micros = receiveTimeout.components.attoseconds / 1_000_000_000_000
        var timeout = timeval(tv_sec: Int(seconds), tv_usec: Int(micros))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        close(fd)
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        try #require(written == bytes.count)
    }

    /// Reads until at least `count` bytes arrived (or the peer closes / the timeout hits).
    func read(atLeast count: Int) async -> [UInt8] {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var all: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 4096)
                while all.count < count {
                    let received = buffer.withUnsafeMutableBytes { recv(self.fd, $0.baseAddress, $0.count, 0) }
                    guard received > 0 else { break }
                    all.append(contentsOf: buffer[0..<received])
                }
                continuation.resume(returning: all)
            }
        }
    }

    /// Reads until end of file, an error, or the receive timeout, off the concurrency pool.
    func readUntilClosed() async -> (bytes: [UInt8], closedByPeer: Bool) {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: self.blockingReadUntilClosed())
            }
        }
    }

    /// Reads until end of file, an error, or the receive timeout; returns what arrived and why it stopped.
    private func blockingReadUntilClosed() -> (bytes: [UInt8], closedByPeer: Bool) {
        var all: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                all.append(contentsOf: buffer[0..<count])
            } else if count == 0 {
                return (all, true)
            } else {
                // ECONNRESET counts as closed; EAGAIN means the receive timeout hit.
                return (all, errno == ECONNRESET)
            }
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
