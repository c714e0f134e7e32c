import ArgumentParser
import Foundation
import Testing
@testable import hotspotctl
import StationAPI

@Suite struct ExitStatusTests {
    let body = APIErrorBody(error: FailureInfo(code: "voucher-none-available", message: "no voucher left for plan 5GB"))

    @Test func mapsEveryFailureToItsExitStatus() {
        #expect(HotspotctlError.daemonRejected(status: 409, body: body).exitCode == ExitCode(1))
        #expect(HotspotctlError.daemonRejected(status: 500, body: body).exitCode == ExitCode(1))
        #expect(HotspotctlError.daemonRejected(status: 404, body: body).exitCode == ExitCode(4))
        #expect(HotspotctlError.daemonUnreachable(socketPath: "/s", reason: .notRunning).exitCode == ExitCode(3))
        #expect(HotspotctlError.daemonUnreachable(socketPath: "/s", reason: .permissionDenied).exitCode == ExitCode(3))
        #expect(HotspotctlError.connectionFailed(socketPath: "/s", detail: "timeout").exitCode == ExitCode(3))
        #expect(HotspotctlError.eventStreamEnded(socketPath: "/s").exitCode == ExitCode(3))
        #expect(HotspotctlError.invalidReply(route: "GET /v1/devices", detail: "x").exitCode == ExitCode(1))
        #expect(HotspotctlError.localInput("cannot read x").exitCode == ExitCode(1))
    }

    @Test func readsTheDaemonsErrorBodyFromANon2xxReply() throws {
        let bytes = Array(try StationJSON.encoder().encode(body))
        #expect(StationClient.rejection(status: 409, body: bytes) == .daemonRejected(status: 409, body: body))
    }

    @Test func describesANon2xxReplyWithoutABody() {
        let notFound = StationClient.rejection(status: 404, body: Array("<html>".utf8))
        #expect(notFound.exitCode == ExitCode(4))
        #expect(notFound.body.error.code == "not-found")
        let broken = StationClient.rejection(status: 502, body: [])
        #expect(broken.exitCode == ExitCode(1))
        #expect(broken.message == "hotspotd answered HTTP 502")
    }

    @Test func reportsOneLineOnStderrAndTheBodyOnStdoutWithJSON() throws {
        let output = CapturedOutput(), errors = CapturedOutput()
        let status = CommandRunner.report(.daemonRejected(status: 409, body: body), json: true, output: output, errorOutput: errors)
        #expect(status == ExitCode(1))
        #expect(errors.text == "hotspotctl: no voucher left for plan 5GB\n")
        let decoded = try StationJSON.decoder().decode(APIErrorBody.self, from: Data(output.text.utf8))
        #expect(decoded == body)
    }

    @Test func keepsStdoutEmptyOnErrorsWithoutJSON() {
        let output = CapturedOutput(), errors = CapturedOutput()
        let status = CommandRunner.report(.daemonUnreachable(socketPath: "/run/hotspotd/api.sock", reason: .notRunning),
                                          json: false, output: output, errorOutput: errors)
        #expect(status == ExitCode(3))
        #expect(output.text.isEmpty)
        #expect(errors.text == "hotspotctl: cannot reach hotspotd at /run/hotspotd/api.sock: is the daemon running?\n")
    }

    @Test func exitsThreeWhenTheDaemonIsNotRunning() async throws {
        let transport = FakeTransport()
        transport.fail(with: .daemonUnreachable(socketPath: transport.socketPath, reason: .notRunning))
        let result = try await runCommand(["devices", "--json"], transport: transport)
        #expect(result.status == 3)
        #expect(result.stderr == "hotspotctl: cannot reach hotspotd at /tmp/fake.sock: is the daemon running?\n")
        #expect(result.stdout.contains(#""code" : "daemon-unreachable""#))
    }

    @Test func exitsFourWhenTheDeviceIsUnknown() async throws {
        let transport = FakeTransport()
        try transport.reply("GET", "/v1/devices/9999", status: 404,
                            json: APIErrorBody(error: FailureInfo(code: "device-not-found", message: "no device matches 9999")))
        let result = try await runCommand(["status", "9999"], transport: transport)
        #expect(result.status == 4)
        #expect(result.stderr == "hotspotctl: no device matches 9999\n")
        #expect(result.stdout.isEmpty)
    }

    @Test func exitsOneWhenASuccessfulReplyCannotBeRead() async throws {
        let transport = FakeTransport()
        transport.reply("GET", "/v1/plans", status: 200, raw: #"[{"name":"500MB"}]"#)
        let result = try await runCommand(["plans"], transport: transport)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("hotspotctl: could not read hotspotd's reply to GET /v1/plans: missing megabytes"))
    }

    @Test func usageErrorsExitTwo() {
        #expect(Hotspotctl.exitCode(for: Hotspotctl.remappingUsageErrorForTests(["status"])) == ExitCode(2))
        #expect(Hotspotctl.exitCode(for: Hotspotctl.remappingUsageErrorForTests(["ledger", "--limit", "0"])) == ExitCode(2))
        #expect(Hotspotctl.exitCode(for: Hotspotctl.remappingUsageErrorForTests(["frobnicate"])) == ExitCode(2))
    }
}

extension Hotspotctl {
    /// The error `main()` would exit with for these arguments (parse and validate only).
    static func remappingUsageErrorForTests(_ arguments: [String]) -> any Error {
        do {
            _ = try parseAsRoot(arguments)
            return ExitCode.success
        } catch {
            return remappingUsageError(error, errorOutput: CapturedOutput())
        }
    }
}
