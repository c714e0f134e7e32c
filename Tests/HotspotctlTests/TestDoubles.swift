import Foundation
import ArgumentParser
import Testing
@testable import hotspotctl
import StationAPI

/// A transport that answers from a table of canned replies and remembers every request.
final class FakeTransport: StationTransport, @unchecked Sendable {
    // @unchecked Sendable: all mutable state is guarded by `lock`.
    let socketPath = "/tmp/fake.sock"
    private let lock = NSLock()
    private var replies: [String: StationHTTPResponse] = [:]
    private var streamLines: [[UInt8]] = []
    private var failure: HotspotctlError?
    private var recorded: [StationHTTPRequest] = []

    /// Answers `method path` with `status` and the JSON of `body`.
    func reply(_ method: String, _ path: String, status: Int = 200, json body: some Encodable) throws {
        let bytes = Array(try StationJSON.encoder().encode(body))
        lock.withLock { replies["\(method) \(path)"] = StationHTTPResponse(status: status, body: bytes) }
    }

    /// Answers `method path` with raw bytes.
    func reply(_ method: String, _ path: String, status: Int, raw: String) {
        lock.withLock { replies["\(method) \(path)"] = StationHTTPResponse(status: status, body: Array(raw.utf8)) }
    }

    /// Makes every request fail as the real transport would.
    func fail(with error: HotspotctlError) { lock.withLock { failure = error } }

    /// The lines `/v1/events` streams before it ends.
    func stream(_ lines: [String]) { lock.withLock { streamLines = lines.map { Array($0.utf8) } } }

    var requests: [StationHTTPRequest] { lock.withLock { recorded } }

    func send(_ request: StationHTTPRequest) async throws(HotspotctlError) -> StationHTTPResponse {
        let (failure, reply) = lock.withLock { () -> (HotspotctlError?, StationHTTPResponse?) in
            recorded.append(request)
            return (self.failure, replies["\(request.method) \(request.path)"])
        }
        if let failure { throw failure }
        return reply ?? StationHTTPResponse(status: 404, body: Array(#"{"error":{"code":"no-route","message":"no such route"}}"#.utf8))
    }

    func openStream(_ request: StationHTTPRequest) async throws(HotspotctlError) -> StationHTTPStream {
        let (failure, lines) = lock.withLock { () -> (HotspotctlError?, [[UInt8]]) in
            recorded.append(request)
            return (self.failure, streamLines)
        }
        if let failure { throw failure }
        let stream = AsyncThrowingStream<[UInt8], any Error> { continuation in
            for line in lines { continuation.yield(line) }
            continuation.finish()
        }
        return StationHTTPStream(status: 200, lines: stream)
    }
}

/// Collects what a command writes.
final class CapturedOutput: OutputSink, @unchecked Sendable {
    // @unchecked Sendable: `buffer` is only touched under `lock`.
    private let lock = NSLock()
    private var buffer = ""

    func write(_ text: String) { lock.withLock { buffer += text } }

    var text: String { lock.withLock { buffer } }
}

/// Sample data shared by the tests.
enum Sample {
    static let utc = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? .current
    /// 2024-05-01 14:03:22 UTC.
    static let date = Date(timeIntervalSince1970: 1_714_572_202)

    static let doneHotspot = DeviceStatus(
        id: "d1", port: "/dev/ttyUSB2", state: .done, step: "verify", role: .hotspot,
        manufacturer: "Huawei", model: "E5573", firmware: "21.333.64.00.1456",
        imei: "…1234", imsi: "…0042", iccid: "…8931", iccidLuhnValid: true, simState: "READY",
        operatorName: "Orange", plan: "500MB", provisioningID: 42, balanceMB: 500,
        wifi: WiFiInfo(ssid: "Connexion-0121", key: nil, qrPayload: nil), updatedAt: date)

    static let revealedHotspot: DeviceStatus = {
        var status = doneHotspot
        status.imei = "861234567891234"
        status.wifi = WiFiInfo(ssid: "Connexion-0121", key: "abc;12345",
                               qrPayload: "WIFI:T:WPA;S:Connexion-0121;P:abc\\;12345;;")
        return status
    }()

    static let identifyingStick = DeviceStatus(
        id: "d2", port: "/dev/ttyUSB5", state: .identifying, step: "identify", role: .modem, updatedAt: date)
}

/// Runs a parsed command against a fake transport; returns stdout, stderr and the exit status.
func runCommand(_ arguments: [String], transport: any StationTransport) async throws -> (stdout: String, stderr: String, status: Int32) {
    let parsed = try Hotspotctl.parseAsRoot(arguments)
    let command = try #require(parsed as? any StationCommand)
    let output = CapturedOutput()
    let errors = CapturedOutput()
    do {
        try await CommandRunner.run(command, transport: transport, output: output, errorOutput: errors, timeZone: Sample.utc,
                                    environment: ["LANG": "C"])
        return (output.text, errors.text, 0)
    } catch {
        return (output.text, errors.text, error.rawValue)
    }
}
