import Foundation
import StationAPI
import Testing
import UnixHTTP
@testable import hotspotctl

/// The real transport against a real `UnixHTTPServer` standing in for hotspotd.
@Suite struct UnixSocketTransportTests {
    /// A short socket path (sun_path holds 108 bytes) that nothing listens on yet.
    static func socketPath() -> String { "/tmp/hctl-\(UUID().uuidString.prefix(8)).sock" }

    /// Serves `handler` on a fresh socket for the duration of `body`.
    static func withServer<T>(_ handler: @escaping UnixHTTPServer.Handler,
                              _ body: (String) async throws -> T) async throws -> T {
        let path = socketPath()
        let server = UnixHTTPServer(socketPath: path, socketMode: 0o600, handler: handler)
        try await server.start()
        do {
            let result = try await body(path)
            await server.shutdown()
            return result
        } catch {
            await server.shutdown()
            throw error
        }
    }

    static func json(_ value: some Encodable, status: Int = 200) -> HTTPResponse {
        HTTPResponse.json(status: status, Array((try? StationJSON.encoder().encode(value)) ?? Data()))
    }

    @Test func exitsThreeWithTheSocketPathWhenNothingListens() async throws {
        let path = Self.socketPath()
        let result = try await runCommand(["devices"], transport: UnixSocketTransport(socketPath: path))
        #expect(result.status == 3)
        #expect(result.stderr == "hotspotctl: cannot reach hotspotd at \(path): is the daemon running?\n")
    }

    @Test func listsDevicesAndSendsRevealAsAQueryParameter() async throws {
        let result = try await Self.withServer({ request in
            guard request.method == "GET", request.path == "/v1/devices", request.query["reveal"] == "1" else {
                return Self.json(APIErrorBody(error: FailureInfo(code: "unexpected", message: "\(request.method) \(request.path) \(request.query)")), status: 400)
            }
            return Self.json([Sample.revealedHotspot])
        }) { path in
            try await runCommand(["devices", "--reveal", "--json"], transport: UnixSocketTransport(socketPath: path))
        }
        #expect(result.stderr == "")
        #expect(result.status == 0)
        #expect(try StationJSON.decoder().decode([DeviceStatus].self, from: Data(result.stdout.utf8)) == [Sample.revealedHotspot])
    }

    @Test func decodesTheDaemonsErrorBodyAndExitsFourOnNotFound() async throws {
        let result = try await Self.withServer({ request in
            Self.json(APIErrorBody(error: FailureInfo(code: "device-not-found", message: "no device matches \(request.pathSegments.last ?? "?")")),
                      status: 404)
        }) { path in
            try await runCommand(["status", "/dev/ttyUSB9"], transport: UnixSocketTransport(socketPath: path))
        }
        #expect(result.status == 4)
        #expect(result.stderr == "hotspotctl: no device matches /dev/ttyUSB9\n")
    }

    @Test func watchFollowsTheStreamUntilTheDaemonEndsIt() async throws {
        let event = StationEvent(kind: "step", deviceID: "d3", state: .provisioning, step: "wifi", status: "succeeded", at: Sample.date)
        let line = Array((try StationJSON.encoder().encode(event))) + [0x0A]
        let result = try await Self.withServer({ _ in
            HTTPResponse.ndjsonStream(AsyncStream { continuation in
                continuation.yield(line + line)
                continuation.finish()
            })
        }) { path in
            try await runCommand(["watch"], transport: UnixSocketTransport(socketPath: path))
        }
        #expect(result.stdout == "14:03:22 d3 provisioning wifi succeeded\n14:03:22 d3 provisioning wifi succeeded\n")
        #expect(result.status == 3)
    }

    @Test func watchReturnsCleanlyWhenCancelled() async throws {
        let event = StationEvent(kind: "attached", deviceID: "d1", state: .identifying, at: Sample.date)
        let line = Array((try StationJSON.encoder().encode(event))) + [0x0A]
        let output = CapturedOutput(), errors = CapturedOutput()
        try await Self.withServer({ _ in
            HTTPResponse.ndjsonStream(AsyncStream { continuation in
                continuation.yield(line)  // then stays open, as hotspotd does
            })
        }) { path in
            let task = Task {
                try await CommandRunner.run(json: true, reveal: false, transport: UnixSocketTransport(socketPath: path),
                                            output: output, errorOutput: errors, timeZone: Sample.utc) { context throws(HotspotctlError) in
                    try await WatchCommand.follow(in: context)
                }
            }
            let deadline = ContinuousClock.now + .seconds(10)
            while output.text.isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
            task.cancel()
            let outcome = await task.result
            #expect(throws: Never.self) { try outcome.get() }
        }
        #expect(output.text.hasPrefix(#"{"at":"2024-05-01T14:03:22Z","#))
        #expect(errors.text == "")
    }
}
