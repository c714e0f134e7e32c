import Testing
import TestSupport
@testable import UnixHTTP

@Suite("Streaming responses")
struct UnixHTTPStreamingTests {
    @Test func streamDeliversLinesInOrderThenEnds() async throws {
        let produced = LockedBox(0)
        try await withServer(handler: { _ in
            let stream = AsyncStream<[UInt8]> { continuation in
                let task = Task {
                    for index in 1...3 {
                        try? await Task.sleep(for: .milliseconds(40))
                        produced.value = index
                        continuation.yield(Array("{\"n\":\(index)}\n".utf8))
                    }
                    continuation.finish()
                }
                continuation.onTermination = { _ in task.cancel() }
            }
            return .ndjsonStream(stream)
        }) { _, client in
            let (status, lines) = try await client.stream(method: "GET", path: "/watch")
            #expect(status == 200)
            var received: [String] = []
            var producedWhenReceived: [Int] = []
            for try await line in lines {
                received.append(String(decoding: line, as: UTF8.self))
                producedWhenReceived.append(produced.value)
            }
            #expect(received == [#"{"n":1}"#, #"{"n":2}"#, #"{"n":3}"#])
            // The first line reached the client before the producer had made the last one.
            #expect(producedWhenReceived.first.map { $0 < 3 } == true)
        }
    }

    @Test func streamSplitsLinesAcrossAndWithinChunks() async throws {
        try await withServer(handler: { _ in
            let stream = AsyncStream<[UInt8]> { continuation in
                continuation.yield(Array("al".utf8))
                continuation.yield(Array("pha\r\nbeta\ngam".utf8))
                continuation.yield(Array("ma".utf8))
                continuation.finish()
            }
            return .ndjsonStream(stream)
        }) { _, client in
            let (_, lines) = try await client.stream(method: "GET", path: "/watch")
            var received: [String] = []
            for try await line in lines {
                received.append(String(decoding: line, as: UTF8.self))
            }
            #expect(received == ["alpha", "beta", "gamma"])
        }
    }

    @Test func clientDisconnectCancelsServerStream() async throws {
        let terminated = Flag()
        try await withServer(handler: { _ in
            let stream = AsyncStream<[UInt8]> { continuation in
                continuation.onTermination = { _ in terminated.set() }
                continuation.yield(Array("first\n".utf8))
                // Never finishes: only the client going away can end it.
            }
            return .ndjsonStream(stream)
        }) { server, client in
            let (_, lines) = try await client.stream(method: "GET", path: "/watch")
            let gotFirst = Flag()
            let consumer = Task {
                for try await _ in lines {
                    gotFirst.set()
                }
            }
            #expect(await eventually { gotFirst.isSet })
            #expect(!terminated.isSet)
            consumer.cancel()
            #expect(await eventually { terminated.isSet })
            #expect(await eventually { server.connectionCount == 0 })
        }
    }

    @Test func droppingTheLinesStreamClosesTheConnection() async throws {
        let terminated = Flag()
        try await withServer(handler: { _ in
            .ndjsonStream(AsyncStream { continuation in
                continuation.onTermination = { _ in terminated.set() }
                continuation.yield(Array("first\n".utf8))
            })
        }) { server, client in
            do {
                let (status, _) = try await client.stream(method: "GET", path: "/watch")
                #expect(status == 200)
            }
            #expect(await eventually { terminated.isSet })
            #expect(await eventually { server.connectionCount == 0 })
        }
    }

    @Test func shutdownEndsRunningStreamsCleanly() async throws {
        let terminated = Flag()
        let directory = try TemporaryDirectory(prefix: "unixhttp-test")
        defer { directory.remove() }
        let server = UnixHTTPServer(socketPath: directory.socket()) { _ in
            let stream = AsyncStream<[UInt8]> { continuation in
                continuation.onTermination = { _ in terminated.set() }
                continuation.yield(Array("first\n".utf8))
            }
            return .ndjsonStream(stream)
        }
        try await server.start()
        let (_, lines) = try await UnixHTTPClient(socketPath: directory.socket()).stream(method: "GET", path: "/watch")
        var iterator = lines.makeAsyncIterator()
        let first = try await iterator.next()
        #expect(first == Array("first".utf8))
        let clock = ContinuousClock()
        let started = clock.now
        await server.shutdown(gracePeriod: .seconds(20))
        // Streams do not wait for the grace period: they are ended at once.
        #expect(clock.now - started < .seconds(10))
        #expect(terminated.isSet)
        let end = try await iterator.next()
        #expect(end == nil)
    }
}
