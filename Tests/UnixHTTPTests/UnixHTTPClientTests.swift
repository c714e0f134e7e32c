#if canImport(Glibc)
import Glibc
#endif
import Testing
import TestSupport
@testable import UnixHTTP

@Suite("UnixHTTPClient")
struct UnixHTTPClientTests {
    @Test func missingSocketMeansDaemonNotRunning() async throws {
        let directory = try TemporaryDirectory(prefix: "unixhttp-test")
        defer { directory.remove() }
        let client = UnixHTTPClient(socketPath: directory.socket("absent.sock"))
        let error = await #expect(throws: UnixHTTPError.self) { try await client.request(method: "GET", path: "/") }
        #expect(error?.code == .daemonNotRunning)
        #expect(error?.path == directory.socket("absent.sock"))
        #expect(error?.errno == ENOENT)
        let streamError = await #expect(throws: UnixHTTPError.self) { try await client.stream(method: "GET", path: "/") }
        #expect(streamError?.code == .daemonNotRunning)
    }

    @Test func staleSocketMeansDaemonNotRunning() async throws {
        let directory = try TemporaryDirectory(prefix: "unixhttp-test")
        defer { directory.remove() }
        let path = directory.socket()
        let fd = socket(AF_UNIX, UnixSocketFile.socketStreamType, 0)
        let bound = try UnixSocketFile.withSocketAddress(path) { address, length in bind(fd, address, length) }
        try #require(bound == 0)
        close(fd)
        let error = await #expect(throws: UnixHTTPError.self) {
            try await UnixHTTPClient(socketPath: path).request(method: "GET", path: "/")
        }
        #expect(error?.code == .daemonNotRunning)
        #expect(error?.errno == ECONNREFUSED)
    }

    @Test func errorDescriptionIsOneLineWithPathAndErrno() {
        let error = UnixHTTPError(code: .daemonNotRunning, path: "/run/hotspotd/api.sock", errno: ENOENT, message: "the daemon is not running")
        #expect(error.description == "the daemon is not running (/run/hotspotd/api.sock): No such file or directory [errno 2]")
    }

    @Test func responseLargerThanLimitIsRefused() async throws {
        try await withServer(handler: { _ in
            HTTPResponse(status: 200, body: .bytes([UInt8](repeating: 0x61, count: 2048)))
        }) { server, _ in
            let client = UnixHTTPClient(socketPath: server.socketPath, maxResponseBytes: 1024)
            let error = await #expect(throws: UnixHTTPError.self) { try await client.request(method: "GET", path: "/") }
            #expect(error?.code == .responseTooLarge)
        }
    }

    @Test func truncatedBodyIsConnectionClosed() async throws {
        let directory = try TemporaryDirectory(prefix: "unixhttp-test")
        defer { directory.remove() }
        let listener = try RawUnixListener(path: directory.socket())
        listener.answerOnce(with: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
        let error = await #expect(throws: UnixHTTPError.self) {
            try await UnixHTTPClient(socketPath: directory.socket()).request(method: "GET", path: "/")
        }
        #expect(error?.code == .connectionClosed)
    }

    @Test func truncatedStreamThrowsConnectionClosedAfterTheCompleteLines() async throws {
        let directory = try TemporaryDirectory(prefix: "unixhttp-test")
        defer { directory.remove() }
        let listener = try RawUnixListener(path: directory.socket())
        listener.answerOnce(with: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n8\r\none\ntwo\n\r\n3\r\nthr\r\n")
        let (status, lines) = try await UnixHTTPClient(socketPath: directory.socket()).stream(method: "GET", path: "/")
        #expect(status == 200)
        var received: [String] = []
        let error = await #expect(throws: UnixHTTPError.self) {
            for try await line in lines {
                received.append(String(decoding: line, as: UTF8.self))
            }
        }
        #expect(received == ["one", "two"])
        #expect(error?.code == .connectionClosed)
    }

    @Test func garbageResponseIsProtocolError() async throws {
        let directory = try TemporaryDirectory(prefix: "unixhttp-test")
        defer { directory.remove() }
        let listener = try RawUnixListener(path: directory.socket())
        listener.answerOnce(with: "SSH-2.0-OpenSSH_9.2\r\n\r\n")
        let error = await #expect(throws: UnixHTTPError.self) {
            try await UnixHTTPClient(socketPath: directory.socket()).request(method: "GET", path: "/")
        }
        #expect(error?.code == .protocolError)
    }

    @Test func manySequentialRequestsStayFast() async throws {
        try await withServer(handler: { _ in .json([UInt8]("{}".utf8)) }) { _, client in
            let clock = ContinuousClock()
            let started = clock.now
            for _ in 0..<50 {
                let response = try await client.request(method: "GET", path: "/health")
                #expect(response.status == 200)
            }
            // A one-shot CLI call should cost a few milliseconds; 50 in 5 s is a very loose bound.
            #expect(clock.now - started < .seconds(5))
        }
    }
}

@Suite("PercentCoding")
struct PercentCodingTests {
    @Test func encodesOnlyUnreservedCharactersLiterally() {
        #expect(PercentCoding.encodeComponent("a b&c=d/é~_.-") == "a%20b%26c%3Dd%2F%C3%A9~_.-")
    }

    @Test func buildsTargetWithSortedQuery() {
        #expect(PercentCoding.target(path: "/x", query: ["b": "2", "a": "1 1"]) == "/x?a=1%201&b=2")
        #expect(PercentCoding.target(path: "/x", query: [:]) == "/x")
    }

    @Test func decodingRoundTripsEncoding() {
        for text in ["", "plain", "a+b c", "%", "%4", "100%", "é✓\u{1F4F6}", "&=?#/"] {
            #expect(PercentCoding.decode(Substring(PercentCoding.encodeComponent(text)), plusIsSpace: true) == text)
        }
    }

    @Test func splitsTargetWithoutQueryAndDropsFragment() {
        let (path, query) = PercentCoding.splitTarget("/devices#frag")
        #expect(path == "/devices")
        #expect(query.isEmpty)
        #expect(PercentCoding.splitTarget("?a=1").path == "/")
    }
}
