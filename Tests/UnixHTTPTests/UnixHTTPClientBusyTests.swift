#if canImport(Glibc)
import Glibc
#endif
import Testing
import TestSupport
@testable import UnixHTTP

/// A daemon whose accept queue is full for a moment (another client flooding it with connections) is busy, not gone:
/// the client connects again until its deadline.
@Suite("UnixHTTPClient and a full accept queue")
struct UnixHTTPClientBusyTests {
    @Test func fullAcceptQueueIsWaitedOut() async throws {
        let directory = try TemporaryDirectory(prefix: "unixhttp-test")
        defer { directory.remove() }
        let path = directory.socket()
        let listener = socket(AF_UNIX, UnixSocketFile.socketStreamType, 0)
        try #require(listener >= 0)
        defer { close(listener) }
        let bound = try UnixSocketFile.withSocketAddress(path) { address, length in bind(listener, address, length) }
        try #require(bound == 0)
        try #require(listen(listener, 1) == 0)
        try #require(fcntl(listener, F_SETFL, fcntl(listener, F_GETFL) | O_NONBLOCK) == 0)
        // Fill the queue with connections nobody accepts, until the kernel says EAGAIN.
        var fillers: [Int32] = []
        defer { fillers.forEach { close($0) } }
        while fillers.count < 64 {
            let filler = socket(AF_UNIX, UnixSocketFile.socketStreamType, 0)
            _ = fcntl(filler, F_SETFL, fcntl(filler, F_GETFL) | O_NONBLOCK)
            let result = try UnixSocketFile.withSocketAddress(path) { address, length in connect(filler, address, length) }
            if result != 0 {
                let code = errno
                close(filler)
                try #require(code == EAGAIN, "connect failed with errno \(code)")
                break
            }
            fillers.append(filler)
        }
        let started = Flag()
        let request = Task {
            started.set()
            return try await UnixHTTPClient(socketPath: path, timeout: .seconds(5)).request(method: "GET", path: "/")
        }
        // The client tries while the queue is full (a loaded machine may start its task late).
        #expect(await eventually { started.isSet })
        try await Task.sleep(for: .milliseconds(300))
        // Then the daemon catches up: it accepts everything queued; only the client asks for something.
        let deadline = ContinuousClock.now + .seconds(5)
        var answered = false
        while !answered, ContinuousClock.now < deadline {
            let accepted = accept(listener, nil, nil)
            guard accepted >= 0 else {
                try await Task.sleep(for: .milliseconds(2))
                continue
            }
            let connection = RawUnixConnection(acceptedDescriptor: accepted, receiveTimeout: .milliseconds(100))
            let head = await connection.read(until: "\r\n\r\n")
            if String(decoding: head, as: UTF8.self).hasPrefix("GET / ") {
                try connection.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
                answered = true
            }
        }
        let response = try await request.value
        #expect(response.status == 200)
        #expect(response.body == Array("ok".utf8))
    }

    @Test func connectionClosedAtOnceIsReportedAtOnce() async throws {
        // Over every limit, the server closes a connection right after accepting it, before any request.
        let limits = UnixHTTPServer.Limits(maxConnections: 1, maxOverLimitConnections: 0)
        try await withServer(limits: limits, handler: { _ in HTTPResponse(status: 200) }) { server, client in
            let holder = try RawUnixConnection(path: server.socketPath)
            #expect(await eventually { server.connectionCount == 1 })
            let clock = ContinuousClock()
            let started = clock.now
            let error = await #expect(throws: UnixHTTPError.self) { try await client.request(method: "GET", path: "/") }
            #expect(error?.code == .connectionClosed)
            #expect(clock.now - started < .seconds(2))
            _ = holder
        }
    }
}
