#if canImport(Glibc)
import Glibc
#endif
import Testing
import TestSupport
@testable import UnixHTTP

/// Clients that read slowly or not at all: a stream is pulled only as the connection takes it, a client that takes
/// nothing for the send timeout is dropped, and silent NDJSON streams carry heartbeats.
@Suite("Slow readers and heartbeats")
struct UnixHTTPSlowReaderTests {
    static let chunkSize = 64 * 1024

    /// An endless pull-based body of 64 KiB chunks; `pulled` counts the bytes handed to the server.
    static func endless(_ pulled: LockedBox<Int>) -> AsyncStream<[UInt8]> {
        AsyncStream(unfolding: {
            pulled.value += chunkSize
            return [UInt8](repeating: UInt8(ascii: "x"), count: chunkSize)
        })
    }

    /// What the server may hold for a client that reads nothing, pulled and queued: the socket's send buffer, the
    /// outbound high watermark and a chunk or two. Far below what an unbounded producer reaches in the same time.
    static let boundForNonReader = 2 * 1024 * 1024

    @Test func streamIsPulledOnlyAsTheClientReads() async throws {
        let pulled = LockedBox(0)
        try await withServer(handler: { _ in
            HTTPResponse(status: 200, body: .stream(Self.endless(pulled)))
        }) { server, _ in
            let connection = try RawUnixConnection(path: server.socketPath)
            try connection.send("GET /export HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(await eventually { pulled.value > 0 })
            try await Task.sleep(for: .milliseconds(300))
            let whileIdle = pulled.value
            #expect(whileIdle < Self.boundForNonReader)
            // Reading 8 MiB makes the server pull about as much more.
            let read = await connection.read(atLeast: 8 * 1024 * 1024)
            #expect(read.count >= 8 * 1024 * 1024)
            #expect(pulled.value >= 8 * 1024 * 1024)
        }
    }

    @Test func streamToAClientThatDoesNotReadIsDroppedAfterTheSendTimeout() async throws {
        let pulled = LockedBox(0)
        let limits = UnixHTTPServer.Limits(sendTimeout: .milliseconds(200))
        try await withServer(limits: limits, handler: { _ in
            HTTPResponse(status: 200, body: .stream(Self.endless(pulled)))
        }) { server, _ in
            let connection = try RawUnixConnection(path: server.socketPath)
            try connection.send("GET /export HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(await eventually { pulled.value > 0 })
            #expect(await eventually(timeout: .seconds(5)) { server.connectionCount == 0 })
            let atDrop = pulled.value
            #expect(atDrop < Self.boundForNonReader)
            try await Task.sleep(for: .milliseconds(100))
            // Nothing is pulled for a dropped client.
            #expect(pulled.value == atDrop)
            #expect(await connection.isClosedByPeer(within: .seconds(5)))
        }
    }

    @Test func wholeBodyNotReadIsDroppedAfterTheSendTimeout() async throws {
        let limits = UnixHTTPServer.Limits(sendTimeout: .milliseconds(200))
        try await withServer(limits: limits, handler: { _ in
            HTTPResponse(status: 200, body: .bytes([UInt8](repeating: 0x41, count: 8 * 1024 * 1024)))
        }) { server, _ in
            let connection = try RawUnixConnection(path: server.socketPath)
            try connection.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(await eventually(timeout: .seconds(5)) { server.connectionCount == 0 })
        }
    }

    @Test func slowClientThatKeepsReadingIsNotDropped() async throws {
        let total = 48 * Self.chunkSize
        // Each read comes 20 times sooner than the send timeout, the whole transfer takes 2.4 times as long.
        let limits = UnixHTTPServer.Limits(sendTimeout: .milliseconds(500))
        try await withServer(limits: limits, handler: { _ in
            let chunks = LockedBox(0)
            return HTTPResponse(status: 200, body: .stream(AsyncStream(unfolding: {
                guard chunks.value < 48 else { return nil }
                chunks.value += 1
                return [UInt8](repeating: UInt8(ascii: "y"), count: Self.chunkSize)
            })))
        }) { server, _ in
            let connection = try RawUnixConnection(path: server.socketPath)
            try connection.send("GET /export HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            let clock = ContinuousClock()
            let started = clock.now
            var received = 0
            var tail: [UInt8] = []
            // 64 KiB every 25 ms: about 1.2 s in all.
            while received < total {
                let part = await connection.read(atLeast: Self.chunkSize)
                if part.isEmpty { break }
                received += part.count
                tail = Array((tail + part).suffix(16))
                try await Task.sleep(for: .milliseconds(25))
            }
            let rest = await connection.readUntilClosed()
            #expect(clock.now - started > limits.sendTimeout)
            #expect(received + rest.bytes.count > total)
            #expect(String(decoding: tail + rest.bytes, as: UTF8.self).hasSuffix("\r\n0\r\n\r\n"))
        }
    }

    @Test func keepAliveConnectionIdleAfterAResponseIsClosed() async throws {
        try await withServer(limits: .init(requestTimeout: .milliseconds(200)), handler: { _ in
            .text(status: 200, "ok\n")
        }) { server, _ in
            let connection = try RawUnixConnection(path: server.socketPath, receiveTimeout: .seconds(5))
            try connection.send("GET /one HTTP/1.1\r\nHost: x\r\n\r\n")
            let clock = ContinuousClock()
            let started = clock.now
            let reply = await connection.readUntilClosed()
            #expect(String(decoding: reply.bytes, as: UTF8.self).hasPrefix("HTTP/1.1 200"))
            #expect(reply.closedByPeer)
            #expect(clock.now - started < .seconds(3))
        }
    }

    @Test func silentNDJSONStreamCarriesHeartbeats() async throws {
        let limits = UnixHTTPServer.Limits(heartbeatInterval: .milliseconds(40))
        try await withServer(limits: limits, handler: { _ in
            .ndjsonStream(AsyncStream { continuation in
                continuation.yield(Array("{\"n\":1}\n".utf8))
                // Then silence: only heartbeats.
            })
        }) { _, client in
            let (status, lines) = try await client.stream(method: "GET", path: "/events")
            #expect(status == 200)
            var iterator = lines.makeAsyncIterator()
            #expect(try await iterator.next() == Array(#"{"n":1}"#.utf8))
            // Empty lines, which NDJSON readers such as `hotspotctl watch` skip.
            #expect(try await iterator.next() == [])
            #expect(try await iterator.next() == [])
        }
    }

    @Test func streamWithoutHeartbeatGetsNone() async throws {
        let limits = UnixHTTPServer.Limits(heartbeatInterval: .milliseconds(20))
        try await withServer(limits: limits, handler: { _ in
            HTTPResponse(status: 200, headers: [("Content-Type", "text/csv")], body: .stream(AsyncStream { continuation in
                continuation.yield(Array("seq,at\r\n".utf8))
            }))
        }) { server, _ in
            let connection = try RawUnixConnection(path: server.socketPath, receiveTimeout: .milliseconds(300))
            try connection.send("GET /export HTTP/1.1\r\nHost: x\r\n\r\n")
            let reply = await connection.readUntilClosed()
            #expect(!reply.closedByPeer)
            #expect(String(decoding: reply.bytes, as: UTF8.self).hasSuffix("\r\n\r\n8\r\nseq,at\r\n\r\n"))
        }
    }

    @Test func heartbeatsFallBetweenLines() async throws {
        let limits = UnixHTTPServer.Limits(heartbeatInterval: .milliseconds(5))
        try await withServer(limits: limits, handler: { _ in
            .ndjsonStream(AsyncStream { continuation in
                let task = Task {
                    for index in 0..<20 {
                        continuation.yield(Array("{\"n\":\(index)}\n".utf8))
                        try? await Task.sleep(for: .milliseconds(10))
                    }
                    continuation.finish()
                }
                continuation.onTermination = { _ in task.cancel() }
            })
        }) { _, client in
            let (_, lines) = try await client.stream(method: "GET", path: "/events")
            var received: [String] = []
            for try await line in lines {
                received.append(String(decoding: line, as: UTF8.self))
            }
            // Heartbeats come as empty lines of their own, never inside an event's line.
            #expect(received.filter { !$0.isEmpty } == (0..<20).map { #"{"n":\#($0)}"# })
        }
    }
}
