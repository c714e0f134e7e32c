#if canImport(Glibc)
import Glibc
#endif
import Testing
import TestSupport
@testable import UnixHTTP

@Suite("UnixHTTPServer")
struct UnixHTTPServerTests {
    @Test func echoesJSONBodyRoundTrip() async throws {
        try await withServer(handler: { request in
            var response = HTTPResponse.json(status: 201, request.body)
            response.headers.append(("X-Method", request.method))
            response.headers.append(("X-Content-Type", request.header("content-type") ?? "none"))
            return response
        }) { _, client in
            let json = Array(#"{"device":"E5573","steps":[1,2,3],"note":"é ✓"}"#.utf8)
            let response = try await client.request(
                method: "POST", path: "/echo", headers: [("Content-Type", "application/json")], body: json
            )
            #expect(response.status == 201)
            #expect(response.body == json)
            #expect(response.headers.contains { $0.0.lowercased() == "content-type" && $0.1 == "application/json" })
            #expect(response.headers.contains { $0.0 == "X-Method" && $0.1 == "POST" })
            #expect(response.headers.contains { $0.0 == "X-Content-Type" && $0.1 == "application/json" })
        }
    }

    @Test func decodesPercentEncodedQueryFromClient() async throws {
        let seen = LockedBox<[String: String]>([:])
        try await withServer(handler: { request in
            seen.value = request.query
            return HTTPResponse(status: 204)
        }) { _, client in
            let query = ["name": "a b&c=d/é", "plus": "1+1", "empty": ""]
            let response = try await client.request(method: "GET", path: "/devices", query: query)
            #expect(response.status == 204)
            #expect(seen.value == query)
        }
    }

    @Test func decodesFormStyleQueryAndPathSegmentsFromRawTarget() async throws {
        let seen = LockedBox<[String]>([])
        let seenQuery = LockedBox<[String: String]>([:])
        try await withServer(handler: { request in
            seen.value = [request.path] + request.pathSegments
            seenQuery.value = request.query
            return HTTPResponse(status: 200)
        }) { server, _ in
            let connection = try RawUnixConnection(path: server.socketPath)
            try connection.send("GET /devices/a%2Fb//x?a=1+2&b=%2F%zz&c&a=3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            let reply = await connection.readUntilClosed()
            #expect(String(decoding: reply.bytes, as: UTF8.self).hasPrefix("HTTP/1.1 200"))
            #expect(seen.value == ["/devices/a%2Fb//x", "devices", "a/b", "x"])
            #expect(seenQuery.value == ["a": "3", "b": "/%zz", "c": ""])
        }
    }

    @Test func peerCredentialsAreTheCallersProcess() async throws {
        let seen = LockedBox<PeerCredentials?>(nil)
        try await withServer(handler: { request in
            seen.value = request.peer
            return HTTPResponse(status: 200)
        }) { _, client in
            _ = try await client.request(method: "GET", path: "/whoami")
            let peer = try #require(seen.value)
            #expect(peer.uid == getuid())
            #expect(peer.gid == getgid())
            #expect(peer.pid == getpid())
        }
    }

    @Test func bodyOneByteOverLimitGets413AndBodyAtLimitIsServed() async throws {
        let limit = 64 * 1024
        try await withServer(handler: { request in
            HTTPResponse.text(status: 200, "\(request.body.count)")
        }) { _, client in
            let atLimit = try await client.request(method: "POST", path: "/x", body: [UInt8](repeating: 0x41, count: limit))
            #expect(atLimit.status == 200)
            #expect(String(decoding: atLimit.body, as: UTF8.self) == "\(limit)")
            let over = try await client.request(method: "POST", path: "/x", body: [UInt8](repeating: 0x41, count: limit + 1))
            #expect(over.status == 413)
            #expect(over.headers.contains { $0.0.lowercased() == "connection" && $0.1 == "close" })
        }
    }

    @Test func aRouteMayTakeALargerBodyForTheCallersTheAdmissionPolicyNames() async throws {
        let own = getuid()
        let admission = AdmissionPolicy(isPrivileged: { _ in true }, bodyLimit: { method, path, peer in
            method == "POST" && path == "/book" && peer?.uid == own ? 1024 * 1024 : nil
        })
        try await withOpenServer(limits: .init(maxRequestBodyBytes: 1024), admission: admission, handler: { request in
            HTTPResponse.text(status: 200, "\(request.body.count)")
        }) { server in
            let client = UnixHTTPClient(socketPath: server.socketPath)
            let book = [UInt8](repeating: 0x41, count: 600 * 1024)
            let accepted = try await client.request(method: "POST", path: "/book", body: book)
            #expect(accepted.status == 200 && String(decoding: accepted.body, as: UTF8.self) == "\(book.count)")
            // Other routes keep the default limit, and so does the larger route past its own limit.
            #expect(try await client.request(method: "POST", path: "/other", body: [UInt8](repeating: 0x41, count: 2048)).status == 413)
            #expect(try await client.request(method: "POST", path: "/book", body: [UInt8](repeating: 0x41, count: 1024 * 1024 + 1)).status == 413)
        }
    }

    @Test func chunkedUploadOverLimitGets413AndCloses() async throws {
        try await withServer(limits: .init(maxRequestBodyBytes: 10), handler: { _ in
            HTTPResponse(status: 200)
        }) { server, _ in
            let connection = try RawUnixConnection(path: server.socketPath)
            try connection.send("POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nghijkl\r\n")
            let reply = await connection.readUntilClosed()
            #expect(String(decoding: reply.bytes, as: UTF8.self).hasPrefix("HTTP/1.1 413"))
            #expect(reply.closedByPeer)
        }
    }

    @Test func oversizedHeadGets431() async throws {
        try await withServer(limits: .init(maxHeaderBytes: 512), handler: { _ in
            HTTPResponse(status: 200)
        }) { _, client in
            let big = String(repeating: "v", count: 600)
            let response = try await client.request(method: "GET", path: "/x", headers: [("X-Big", big)])
            #expect(response.status == 431)
        }
    }

    @Test func connectionBeyondCapGets503() async throws {
        try await withServer(limits: .init(maxConnections: 2), handler: { _ in
            HTTPResponse(status: 200)
        }) { server, client in
            var holders = [try RawUnixConnection(path: server.socketPath), try RawUnixConnection(path: server.socketPath)]
            #expect(await eventually { server.connectionCount == 2 })
            let refused = try await client.request(method: "GET", path: "/x")
            #expect(refused.status == 503)

            holders.removeLast()
            #expect(await eventually { server.connectionCount == 1 })
            let served = try await client.request(method: "GET", path: "/x")
            #expect(served.status == 200)
            #expect(holders.count == 1)
        }
    }

    @Test func slowClientGets408AndIsClosedWithinTimeout() async throws {
        try await withServer(limits: .init(requestTimeout: .milliseconds(300)), handler: { _ in
            HTTPResponse(status: 200)
        }) { server, _ in
            let connection = try RawUnixConnection(path: server.socketPath, receiveTimeout: .seconds(10))
            let clock = ContinuousClock()
            let started = clock.now
            try connection.send("POST /x HTTP/1.1\r\nHost: x\r\nContent-")
            let reply = await connection.readUntilClosed()
            let elapsed = clock.now - started
            #expect(String(decoding: reply.bytes, as: UTF8.self).hasPrefix("HTTP/1.1 408"))
            #expect(reply.closedByPeer)
            #expect(elapsed >= .milliseconds(250))
            // Well under the 10 s receive timeout even on a loaded machine.
            #expect(elapsed < .seconds(5))
        }
    }

    @Test func slowBodyGets408() async throws {
        try await withServer(limits: .init(requestTimeout: .milliseconds(300)), handler: { _ in
            HTTPResponse(status: 200)
        }) { server, _ in
            let connection = try RawUnixConnection(path: server.socketPath, receiveTimeout: .seconds(3))
            try connection.send("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
            let reply = await connection.readUntilClosed()
            #expect(String(decoding: reply.bytes, as: UTF8.self).hasPrefix("HTTP/1.1 408"))
            #expect(reply.closedByPeer)
        }
    }

    @Test func idleConnectionIsClosedSilently() async throws {
        try await withServer(limits: .init(requestTimeout: .milliseconds(200)), handler: { _ in
            HTTPResponse(status: 200)
        }) { server, _ in
            let connection = try RawUnixConnection(path: server.socketPath, receiveTimeout: .seconds(3))
            let reply = await connection.readUntilClosed()
            #expect(reply.bytes.isEmpty)
            #expect(reply.closedByPeer)
        }
    }

    @Test func keepAliveServesPipelinedRequestsInOrder() async throws {
        try await withServer(handler: { request in
            HTTPResponse.text(status: 200, "path=\(request.path)")
        }) { server, _ in
            let connection = try RawUnixConnection(path: server.socketPath)
            try connection.send(
                "GET /one HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "POST /two HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi"
                    + "GET /three HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            )
            let reply = await connection.readUntilClosed().bytes
            let one = try #require(reply.offsets(of: "path=/one").first)
            let two = try #require(reply.offsets(of: "path=/two").first)
            let three = try #require(reply.offsets(of: "path=/three").first)
            #expect(one < two)
            #expect(two < three)
            #expect(reply.offsets(of: "HTTP/1.1 200").count == 3)
        }
    }

    @Test func malformedRequestGets400() async throws {
        try await withServer(handler: { _ in HTTPResponse(status: 200) }) { server, _ in
            let connection = try RawUnixConnection(path: server.socketPath)
            try connection.send("NOT HTTP AT ALL\r\n\r\n")
            let reply = await connection.readUntilClosed()
            #expect(String(decoding: reply.bytes, as: UTF8.self).hasPrefix("HTTP/1.1 400"))
            #expect(reply.closedByPeer)
        }
    }

    @Test func socketFileHasMode0660ByDefaultAndConfiguredModeOtherwise() async throws {
        let directory = try TemporaryDirectory(prefix: "unixhttp-test")
        defer { directory.remove() }
        let byDefault = UnixHTTPServer(socketPath: directory.socket("default.sock")) { _ in HTTPResponse(status: 200) }
        let custom = UnixHTTPServer(socketPath: directory.socket("custom.sock"), socketMode: 0o600) { _ in HTTPResponse(status: 200) }
        try await byDefault.start()
        try await custom.start()
        var info = stat()
        #expect(stat(directory.socket("default.sock"), &info) == 0)
        #expect(info.st_mode & S_IFMT == S_IFSOCK)
        #expect(info.st_mode & 0o7777 == 0o660)
        #expect(stat(directory.socket("custom.sock"), &info) == 0)
        #expect(info.st_mode & 0o7777 == 0o600)
        await byDefault.shutdown()
        await custom.shutdown()
    }

    @Test func socketGroupIsApplied() async throws {
        let directory = try TemporaryDirectory(prefix: "unixhttp-test")
        defer { directory.remove() }
        // Root may give any group; others only their own. The caller's own gid works for both.
        let server = UnixHTTPServer(socketPath: directory.socket(), socketGroupID: getgid()) { _ in HTTPResponse(status: 200) }
        try await server.start()
        var info = stat()
        #expect(stat(directory.socket(), &info) == 0)
        #expect(info.st_gid == getgid())
        await server.shutdown()
    }

    @Test func staleSocketFileIsReplaced() async throws {
        let directory = try TemporaryDirectory(prefix: "unixhttp-test")
        defer { directory.remove() }
        let path = directory.socket()
        // A socket bound and closed without unlink: what a crashed daemon leaves behind.
        let fd = socket(AF_UNIX, UnixSocketFile.socketStreamType, 0)
        let bound = try UnixSocketFile.withSocketAddress(path) { address, length in bind(fd, address, length) }
        try #require(bound == 0)
        close(fd)
        #expect(try UnixSocketFile.probe(path) == .stale)

        let server = UnixHTTPServer(socketPath: path) { _ in HTTPResponse(status: 200) }
        try await server.start()
        let response = try await UnixHTTPClient(socketPath: path).request(method: "GET", path: "/")
        #expect(response.status == 200)
        await server.shutdown()
    }

    @Test func liveSocketIsRefusedAndKeepsServing() async throws {
        try await withServer(handler: { _ in HTTPResponse(status: 200) }) { first, client in
            let second = UnixHTTPServer(socketPath: first.socketPath) { _ in HTTPResponse(status: 500) }
            let error = await #expect(throws: UnixHTTPError.self) { try await second.start() }
            #expect(error?.code == .addressInUse)
            let response = try await client.request(method: "GET", path: "/")
            #expect(response.status == 200)
        }
    }

    @Test func pathThatIsNotASocketIsLeftAlone() async throws {
        let directory = try TemporaryDirectory(prefix: "unixhttp-test")
        defer { directory.remove() }
        let path = directory.socket()
        let fd = open(path, O_CREAT | O_WRONLY, 0o600)
        try #require(fd >= 0)
        close(fd)
        let server = UnixHTTPServer(socketPath: path) { _ in HTTPResponse(status: 200) }
        let error = await #expect(throws: UnixHTTPError.self) { try await server.start() }
        #expect(error?.code == .pathNotASocket)
        #expect(access(path, F_OK) == 0)
    }

    @Test func tooLongSocketPathIsATypedError() async throws {
        let path = "/tmp/" + String(repeating: "s", count: 120)
        let server = UnixHTTPServer(socketPath: path) { _ in HTTPResponse(status: 200) }
        let error = await #expect(throws: UnixHTTPError.self) { try await server.start() }
        #expect(error?.code == .socketPathTooLong)
    }

    @Test func shutdownRemovesSocketFileAndRunReturnsOnCancel() async throws {
        let directory = try TemporaryDirectory(prefix: "unixhttp-test")
        defer { directory.remove() }
        let path = directory.socket()
        let server = UnixHTTPServer(socketPath: path) { _ in HTTPResponse(status: 200) }
        let running = Task { try await server.run() }
        let client = UnixHTTPClient(socketPath: path)
        #expect(await eventually { (try? await client.request(method: "GET", path: "/"))?.status == 200 })
        running.cancel()
        try await running.value
        #expect(access(path, F_OK) != 0)
        let error = await #expect(throws: UnixHTTPError.self) { try await client.request(method: "GET", path: "/") }
        #expect(error?.code == .daemonNotRunning)
    }

    @Test func handlerIsCancelledWhenClientTaskIsCancelled() async throws {
        let started = Flag()
        let cancelled = Flag()
        try await withServer(handler: { _ in
            started.set()
            do {
                try await Task.sleep(for: .seconds(30))
            } catch {
                cancelled.set()
            }
            return HTTPResponse(status: 200)
        }) { _, client in
            let request = Task { try await client.request(method: "GET", path: "/slow") }
            #expect(await eventually { started.isSet })
            #expect(!cancelled.isSet)
            request.cancel()
            let error = await #expect(throws: UnixHTTPError.self) { try await request.value }
            #expect(error?.code == .connectionClosed)
            #expect(await eventually { cancelled.isSet })
        }
    }

    @Test func clientTimesOutWhenNoResponseArrives() async throws {
        try await withServer(handler: { _ in
            try? await Task.sleep(for: .seconds(30))
            return HTTPResponse(status: 200)
        }) { server, _ in
            let impatient = UnixHTTPClient(socketPath: server.socketPath, timeout: .milliseconds(300))
            let clock = ContinuousClock()
            let started = clock.now
            let error = await #expect(throws: UnixHTTPError.self) { try await impatient.request(method: "GET", path: "/slow") }
            #expect(error?.code == .timedOut)
            #expect(clock.now - started >= .milliseconds(250))
        }
    }
}

@Suite("UnixHTTPServer protocol details")
struct UnixHTTPServerProtocolTests {
    @Test func expectContinueGets100BeforeTheBody() async throws {
        try await withServer(handler: { request in
            HTTPResponse.text(status: 200, String(decoding: request.body, as: UTF8.self))
        }) { server, _ in
            let connection = try RawUnixConnection(path: server.socketPath)
            try connection.send("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n")
            let interim = await connection.read(atLeast: 12)
            #expect(String(decoding: interim, as: UTF8.self).hasPrefix("HTTP/1.1 100"))
            try connection.send("hello")
            let rest = String(decoding: await connection.readUntilClosed().bytes, as: UTF8.self)
            #expect(rest.contains("HTTP/1.1 200"))
            #expect(rest.hasSuffix("hello"))
        }
    }

    @Test func streamedResponseUsesChunkedEncodingOnTheWire() async throws {
        try await withServer(handler: { _ in
            .ndjsonStream(AsyncStream { continuation in
                continuation.yield(Array("{\"a\":1}\n".utf8))
                continuation.finish()
            })
        }) { server, _ in
            let connection = try RawUnixConnection(path: server.socketPath)
            try connection.send("GET /watch HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            let reply = String(decoding: await connection.readUntilClosed().bytes, as: UTF8.self).lowercased()
            #expect(reply.contains("transfer-encoding: chunked\r\n"))
            #expect(reply.contains("content-type: application/x-ndjson\r\n"))
            #expect(reply.hasSuffix("8\r\n{\"a\":1}\n\r\n0\r\n\r\n"))
        }
    }

    @Test func shutdownLetsRequestInProgressFinish() async throws {
        let started = Flag()
        let directory = try TemporaryDirectory(prefix: "unixhttp-test")
        defer { directory.remove() }
        let server = UnixHTTPServer(socketPath: directory.socket()) { _ in
            started.set()
            try? await Task.sleep(for: .milliseconds(300))
            return .json(Array("{\"done\":true}".utf8))
        }
        try await server.start()
        let request = Task { try await UnixHTTPClient(socketPath: directory.socket()).request(method: "POST", path: "/work") }
        #expect(await eventually { started.isSet })
        await server.shutdown(gracePeriod: .seconds(20))
        let response = try await request.value
        #expect(response.status == 200)
        #expect(response.body == Array("{\"done\":true}".utf8))
        #expect(response.headers.contains { $0.0.lowercased() == "connection" && $0.1 == "close" })
    }

    @Test func shutdownCancelsHandlerAfterGracePeriod() async throws {
        let started = Flag()
        let cancelled = Flag()
        let directory = try TemporaryDirectory(prefix: "unixhttp-test")
        defer { directory.remove() }
        let server = UnixHTTPServer(socketPath: directory.socket()) { _ in
            started.set()
            do {
                try await Task.sleep(for: .seconds(60))
            } catch {
                cancelled.set()
            }
            return HTTPResponse(status: 200)
        }
        try await server.start()
        let request = Task { try await UnixHTTPClient(socketPath: directory.socket(), timeout: .seconds(60)).request(method: "GET", path: "/") }
        #expect(await eventually { started.isSet })
        let clock = ContinuousClock()
        let began = clock.now
        await server.shutdown(gracePeriod: .milliseconds(200))
        #expect(clock.now - began >= .milliseconds(150))
        #expect(await eventually { cancelled.isSet })
        let error = await #expect(throws: UnixHTTPError.self) { try await request.value }
        #expect(error?.code == .connectionClosed)
    }
}
