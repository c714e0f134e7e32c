import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Ledger
import Logging
@testable import Station
import StationAPI
import Synchronization
import Testing
import TestSupport
import UnixHTTP

/// Opens a plain client socket to `path` and sends `request`; the caller decides whether to read.
private func rawRequest(_ path: String, _ request: String) throws -> Int32 {
    let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    try #require(descriptor >= 0)
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
    }
    let connected = withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    try #require(connected == 0, "connect failed: errno \(errno)")
    let bytes = Array(request.utf8)
    let sent = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    try #require(sent == bytes.count)
    try #require(fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK) == 0)
    return descriptor
}

/// Reads what is there until the peer closes or `timeout` passes; returns the bytes and whether the peer closed.
private func readAll(_ descriptor: Int32, until timeout: Duration, stopAfter marker: [UInt8]? = nil) async -> ([UInt8], Bool) {
    let deadline = ContinuousClock.now + timeout
    var all: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 256 * 1024)
    while ContinuousClock.now < deadline {
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count > 0 {
            all += buffer[0..<count]
            if let marker, all.count >= marker.count, Array(all.suffix(marker.count)) == marker { return (all, false) }
            continue
        }
        if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) { return (all, true) }
        try? await Task.sleep(for: .milliseconds(2))
    }
    return (all, false)
}

/// The body of a chunked response: the bytes after the head, chunk framing removed.
private func dechunk(_ response: [UInt8]) throws -> [UInt8] {
    let separator = Array("\r\n\r\n".utf8)
    var index = try #require((0...(response.count - 4)).first { Array(response[$0..<($0 + 4)]) == separator }) + 4
    var body: [UInt8] = []
    while index < response.count {
        let lineEnd = try #require((index..<(response.count - 1)).first { response[$0] == 0x0D && response[$0 + 1] == 0x0A })
        let size = try #require(Int(String(decoding: response[index..<lineEnd], as: UTF8.self), radix: 16))
        index = lineEnd + 2
        if size == 0 { break }
        body += response[index..<(index + size)]
        index += size + 2
    }
    return body
}

/// The seq of the last line of a JSONL export.
private func lastSeq(ofJSONL body: [UInt8]) throws -> Int64 {
    let lines = body.split(separator: UInt8(ascii: "\n"))
    let last = try #require(lines.last)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(last)) as? [String: Any])
    return try #require((object["seq"] as? NSNumber)?.int64Value)
}

@Suite("Ledger export and event streams to slow clients")
struct SlowClientRouteTests {
    @Test(arguments: [LedgerExportFormat.csv, .jsonl])
    func pagedExportIsTheWholeExport(format: LedgerExportFormat) async throws {
        let served = try await ServedStation()
        try served.importVouchers(2500)
        let response = await APIRouter(station: served.station).handle(
            HTTPRequest(method: "GET", target: "/v1/ledger/export?format=\(format.rawValue)"))
        let paged = await SettlementRig.collect(response)
        let whole = try served.wholeExport(format)
        // Several pages of about 64 KiB each.
        #expect(whole.count > 4 * 64 * 1024)
        #expect(paged == whole)
        await served.stop()
    }

    @Test(arguments: [LedgerExportFormat.csv, .jsonl])
    func exportOfALedgerWithoutEvents(format: LedgerExportFormat) async throws {
        let served = try await ServedStation()
        let whole = try served.wholeExport(format)
        let response = await APIRouter(station: served.station).handle(
            HTTPRequest(method: "GET", target: "/v1/ledger/export?format=\(format.rawValue)"))
        #expect(await SettlementRig.collect(response) == whole)
        await served.stop()
    }

    @Test func pageSplitsOffTheRepeatedHeaderAndFindsTheLastSeq() throws {
        let header = "seq,at,kind\r\n"
        let rows = "7,2026-01-01T00:00:00.000Z,a\r\n8,2026-01-01T00:00:01.000Z,\"b,c\"\r\n"
        let first = try LedgerExportPager.page(from: Array((header + rows).utf8), format: .csv, isFirst: true)
        #expect(first == .init(bytes: Array((header + rows).utf8), lastSeq: 8))
        let later = try LedgerExportPager.page(from: Array((header + rows).utf8), format: .csv, isFirst: false)
        #expect(later == .init(bytes: Array(rows.utf8), lastSeq: 8))
        let headerOnly = try LedgerExportPager.page(from: Array(header.utf8), format: .csv, isFirst: false)
        #expect(headerOnly == .init(bytes: [], lastSeq: nil))
        let jsonl = try LedgerExportPager.page(from: Array("{\"seq\":41,\"at\":\"x\"}\n{\"seq\":42,\"at\":\"y\"}\n".utf8),
                                                format: .jsonl, isFirst: false)
        #expect(jsonl.lastSeq == 42)
        #expect(throws: LedgerExportPager.MalformedPage.self) {
            try LedgerExportPager.page(from: Array("{\"at\":\"x\",\"seq\":1}\n".utf8), format: .jsonl, isFirst: true)
        }
    }

    /// The export is read from the ledger as the client takes it, not ahead of it into memory: a client that has read
    /// nothing yet still gets events recorded after its request (it was not produced yet).
    @Test func exportIsReadAsTheClientTakesIt() async throws {
        let served = try await ServedStation()
        try served.importVouchers(12_000)
        let before = try served.ledger.eventCount()
        let client = try rawRequest(served.socketPath, "GET /v1/ledger/export?format=jsonl HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        defer { close(client) }
        // Long enough for an export made ahead of the client to have read the whole ledger.
        try await Task.sleep(for: .milliseconds(500))
        try served.importVouchers(1, prefix: "LATE")
        let (response, closed) = await readAll(client, until: .seconds(30), stopAfter: Array("\r\n0\r\n\r\n".utf8))
        #expect(!closed)
        let body = try dechunk(response)
        #expect(try lastSeq(ofJSONL: body) == Int64(before + 1))
        await served.stop()
    }

    /// Clients that never read must not hold the ledger's few readers: the station's own reads go on.
    @Test func nonReadingExportClientsLeaveTheLedgerReadable() async throws {
        let served = try await ServedStation()
        try served.importVouchers(12_000)
        var clients: [Int32] = []
        defer { clients.forEach { close($0) } }
        for _ in 0..<8 {
            clients.append(try rawRequest(served.socketPath, "GET /v1/ledger/export HTTP/1.1\r\nHost: x\r\n\r\n"))
        }
        try await Task.sleep(for: .milliseconds(300))
        let answered = Flag()
        let station = served.station
        let reader = Task {
            _ = try await station.ledgerEvents(iccid: nil, imei: nil, since: nil, limit: 5, reveal: false)
            answered.set()
        }
        #expect(await eventually(timeout: .seconds(10)) { answered.isSet })
        reader.cancel()
        await served.stop()
    }

    @Test func nonReadingExportClientIsDropped() async throws {
        let served = try await ServedStation(limits: .init(sendTimeout: .milliseconds(200)))
        try served.importVouchers(12_000)
        let client = try rawRequest(served.socketPath, "GET /v1/ledger/export HTTP/1.1\r\nHost: x\r\n\r\n")
        defer { close(client) }
        #expect(await eventually(timeout: .seconds(10)) { served.server.connectionCount == 0 })
        await served.stop()
    }

    @Test func eventStreamCarriesHeartbeatsThatWatchSkips() async throws {
        let served = try await ServedStation(limits: .init(heartbeatInterval: .milliseconds(30)))
        let client = UnixHTTPClient(socketPath: served.socketPath)
        let (status, lines) = try await client.stream(method: "GET", path: "/v1/events")
        #expect(status == 200)
        var iterator = lines.makeAsyncIterator()
        #expect(try await iterator.next() == [])
        await served.station.events.publish(StationEvent(kind: "state", deviceID: "d1", state: .done, at: Date()))
        var line = try await iterator.next()
        while line == [] { line = try await iterator.next() }
        let event = try StationJSON.decoder().decode(StationEvent.self, from: Data(try #require(line)))
        #expect(event.deviceID == "d1")
        await served.stop()
    }

    @Test func admissionPolicyPrivilegesRootTheDaemonAndSupervisors() {
        let policy = StationService.admissionPolicy(supervisorGroupID: 4242, daemonUID: 998)
        #expect(policy.isPrivileged(PeerCredentials(pid: 1, uid: 0, gid: 0)))
        #expect(policy.isPrivileged(PeerCredentials(pid: 1, uid: 998, gid: 998)))
        #expect(policy.isPrivileged(PeerCredentials(pid: 1, uid: 1000, gid: 4242)))
        #expect(!policy.isPrivileged(PeerCredentials(pid: 1, uid: 1000, gid: 1000)))
        #expect(!StationService.admissionPolicy(supervisorGroupID: nil, daemonUID: 998)
            .isPrivileged(PeerCredentials(pid: 1, uid: 1000, gid: 4242)))
        #expect(policy.isServedOverLimits("GET", "/v1/health"))
        #expect(!policy.isServedOverLimits("GET", "/v1/devices"))
        #expect(!policy.isServedOverLimits("POST", "/v1/health"))
    }
}
