#if canImport(Glibc)
import Glibc
#endif
import Testing
import TestSupport
@testable import UnixHTTP

/// One caller (uid) holding many connections must not lock the others out: connections are counted per uid from
/// `SO_PEERCRED`, with a reserve for privileged callers and a way in for the health check.
///
/// The attacker and the victims connect with other uids than the test process (see `ForeignPeer`), so these need root.
@Suite("Connection limits per caller", .enabled(if: ForeignPeer.isAvailable, "switching uids needs root"))
struct UnixHTTPAdmissionTests {
    static let attacker: UInt32 = 65534
    static let victim: UInt32 = 65533
    static let bystander: UInt32 = 65532

    static func answer(_ request: HTTPRequest) async -> HTTPResponse {
        if request.path == "/events" {
            // A live stream that never ends by itself, like `GET /v1/events`.
            return .ndjsonStream(AsyncStream { continuation in
                continuation.yield(Array("{\"kind\":\"hello\"}\n".utf8))
            })
        }
        return .text(status: 200, "ok\n")
    }

    // MARK: With the default limits

    @Test func idleConnectionsOfOneUIDDoNotLockOutAnother() async throws {
        try await withOpenServer(handler: Self.answer) { server in
            let idle = try await ForeignPeer.connect(server.socketPath, uid: Self.attacker, gid: Self.attacker, count: 233)
            let kept = UnixHTTPServer.Limits.Defaults.maxConnectionsPerUID + UnixHTTPServer.Limits.Defaults.maxOverLimitConnectionsPerUID
            #expect(await eventually { server.connectionCount == kept })
            let victim = try await ForeignPeer.connectOne(server.socketPath, uid: Self.victim, gid: Self.victim)
            #expect(try await victim.get("/devices") == 200)
            // The attacker's next connection is closed at once, unanswered.
            let more = try await ForeignPeer.connectOne(server.socketPath, uid: Self.attacker, gid: Self.attacker)
            #expect(await more.isClosedByPeer(within: .seconds(5)))
            #expect(idle.count == 233)
        }
    }

    @Test func slowlorisConnectionsOfOneUIDDoNotLockOutAnother() async throws {
        try await withOpenServer(handler: Self.answer) { server in
            let slow = try await ForeignPeer.connect(server.socketPath, uid: Self.attacker, gid: Self.attacker, count: 100)
            for connection in slow {
                connection.trySend("GET /devices HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            }
            // Headers one byte at a time, never finished.
            for _ in 0..<5 {
                for connection in slow {
                    connection.trySend("a")
                }
                try await Task.sleep(for: .milliseconds(10))
            }
            let victim = try await ForeignPeer.connectOne(server.socketPath, uid: Self.victim, gid: Self.victim)
            #expect(try await victim.get("/devices") == 200)
        }
    }

    @Test func eventStreamsOfOneUIDDoNotLockOutAnother() async throws {
        try await withOpenServer(handler: Self.answer) { server in
            let watchers = try await ForeignPeer.connect(server.socketPath, uid: Self.attacker, gid: Self.attacker, count: 70)
            for watcher in watchers {
                watcher.trySend("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
            }
            let streaming = await watchers.asyncFilter { String(decoding: await $0.read(until: "hello"), as: UTF8.self).contains("hello") }
            #expect(streaming.count == UnixHTTPServer.Limits.Defaults.maxConnectionsPerUID)
            let victim = try await ForeignPeer.connectOne(server.socketPath, uid: Self.victim, gid: Self.victim)
            #expect(try await victim.get("/devices") == 200)
            let watcher = try await ForeignPeer.connectOne(server.socketPath, uid: Self.victim, gid: Self.victim)
            watcher.trySend("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(String(decoding: await watcher.read(until: "hello"), as: UTF8.self).contains("hello"))
        }
    }

    // MARK: The reserve and the way in for the health check

    /// Six connections in all, two of them kept for root; two per unprivileged uid; one over-limit slot per uid.
    static let small = UnixHTTPServer.Limits(
        maxConnections: 6, maxConnectionsPerUID: 2, reservedConnections: 2,
        maxOverLimitConnections: 4, maxOverLimitConnectionsPerUID: 1
    )
    static let rootIsPrivileged = AdmissionPolicy(
        isPrivileged: { $0.uid == 0 }, isServedOverLimits: { method, path in method == "GET" && path == "/health" })

    @Test func privilegedCallerGetsTheReserveWhenOthersFilledTheirShare() async throws {
        try await withOpenServer(limits: Self.small, admission: Self.rootIsPrivileged, handler: Self.answer) { server in
            let first = try await ForeignPeer.connect(server.socketPath, uid: Self.attacker, gid: Self.attacker, count: 2)
            let second = try await ForeignPeer.connect(server.socketPath, uid: Self.victim, gid: Self.victim, count: 2)
            #expect(await eventually { server.connectionCount == 4 })
            let refused = try await ForeignPeer.connectOne(server.socketPath, uid: Self.bystander, gid: Self.bystander)
            try refused.send("GET /devices HTTP/1.1\r\nHost: x\r\n\r\n")
            let reply = String(decoding: await refused.readUntilClosed().bytes, as: UTF8.self)
            #expect(reply.hasPrefix("HTTP/1.1 503"))
            #expect(reply.lowercased().contains("retry-after: 1\r\n"))
            let root = try RawUnixConnection(path: server.socketPath)
            #expect(try await root.get("/devices") == 200)
            #expect(first.count + second.count == 4)
        }
    }

    @Test func healthIsAnsweredOnAConnectionOverTheLimits() async throws {
        try await withOpenServer(limits: Self.small, admission: Self.rootIsPrivileged, handler: Self.answer) { server in
            let first = try await ForeignPeer.connect(server.socketPath, uid: Self.attacker, gid: Self.attacker, count: 2)
            let second = try await ForeignPeer.connect(server.socketPath, uid: Self.victim, gid: Self.victim, count: 2)
            #expect(await eventually { server.connectionCount == 4 })
            let monitor = try await ForeignPeer.connectOne(server.socketPath, uid: Self.bystander, gid: Self.bystander)
            // Keep-alive asked for, but an over-limit connection gets one answer and is closed.
            try monitor.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            let reply = await monitor.readUntilClosed()
            let text = String(decoding: reply.bytes, as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 200"))
            #expect(text.lowercased().contains("connection: close\r\n"))
            #expect(reply.closedByPeer)
            #expect(first.count + second.count == 4)
        }
    }

    @Test func oneUIDCannotTakeTheOverLimitSlots() async throws {
        let limits = UnixHTTPServer.Limits(
            maxConnections: 2, maxConnectionsPerUID: 2, reservedConnections: 0,
            maxOverLimitConnections: 3, maxOverLimitConnectionsPerUID: 1
        )
        try await withOpenServer(limits: limits, admission: Self.rootIsPrivileged, handler: Self.answer) { server in
            let held = try await ForeignPeer.connect(server.socketPath, uid: Self.attacker, gid: Self.attacker, count: 3)
            #expect(await eventually { server.connectionCount == 3 })
            let extra = try await ForeignPeer.connect(server.socketPath, uid: Self.attacker, gid: Self.attacker, count: 5)
            for connection in extra {
                #expect(await connection.isClosedByPeer(within: .seconds(5)))
            }
            let monitor = try await ForeignPeer.connectOne(server.socketPath, uid: Self.victim, gid: Self.victim)
            #expect(try await monitor.get("/health") == 200)
            #expect(held.count == 3)
        }
    }

    @Test func closedConnectionsGiveTheirSlotsBack() async throws {
        try await withOpenServer(limits: Self.small, admission: Self.rootIsPrivileged, handler: Self.answer) { server in
            for _ in 0..<3 {
                var held = try await ForeignPeer.connect(server.socketPath, uid: Self.attacker, gid: Self.attacker, count: 2)
                #expect(await eventually { server.connectionCount == 2 })
                let third = try await ForeignPeer.connectOne(server.socketPath, uid: Self.attacker, gid: Self.attacker)
                #expect(try await third.get("/devices") == 503)
                held.removeAll()
                #expect(await eventually { server.connectionCount == 0 })
            }
            let served = try await ForeignPeer.connectOne(server.socketPath, uid: Self.attacker, gid: Self.attacker)
            #expect(try await served.get("/devices") == 200)
        }
    }

    // MARK: The accounting alone

    @Test func countsFollowTheScheme() {
        var counts = ConnectionCounts()
        let limits = UnixHTTPServer.Limits(
            maxConnections: 4, maxConnectionsPerUID: 2, reservedConnections: 1,
            maxOverLimitConnections: 2, maxOverLimitConnectionsPerUID: 1
        )
        #expect(counts.admit(uid: 1, privileged: false, limits: limits) == .served(uid: 1, privileged: false))
        #expect(counts.admit(uid: 1, privileged: false, limits: limits) == .served(uid: 1, privileged: false))
        #expect(counts.admit(uid: 1, privileged: false, limits: limits) == .overLimit(uid: 1))
        #expect(counts.admit(uid: 1, privileged: false, limits: limits) == .refused)
        #expect(counts.admit(uid: 2, privileged: false, limits: limits) == .served(uid: 2, privileged: false))
        // The unprivileged share (4 - 1) is full; the reserve is root's.
        #expect(counts.admit(uid: 3, privileged: false, limits: limits) == .overLimit(uid: 3))
        #expect(counts.admit(uid: 0, privileged: true, limits: limits) == .served(uid: 0, privileged: true))
        #expect(counts.admit(uid: 0, privileged: true, limits: limits) == .refused)
        counts.release(.served(uid: 1, privileged: false))
        #expect(counts.admit(uid: 2, privileged: false, limits: limits) == .served(uid: 2, privileged: false))
        #expect(counts.servedByUID[1] == 1)
        #expect(counts.served == 4)
    }
}

extension Array where Element: Sendable {
    /// The elements for which `predicate` holds, checked one after the other.
    func asyncFilter(_ predicate: (Element) async -> Bool) async -> [Element] {
        var kept: [Element] = []
        for element in self where await predicate(element) {
            kept.append(element)
        }
        return kept
    }
}
