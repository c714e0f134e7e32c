import Foundation
import Testing
@testable import hotspotctl
import StationAPI

/// `hotspotctl detach DEVICE`: `DELETE /v1/devices/{ref}`, and what it prints.
@Suite struct DetachCommandTests {
    @Test func parsesDetachWithOneDeviceReference() throws {
        let command = try #require(try Hotspotctl.parseAsRoot(["detach", "d2"]) as? DetachCommand)
        #expect(command.device == "d2")
        #expect(throws: (any Error).self) { try Hotspotctl.parseAsRoot(["detach"]) }
    }

    @Test func detachDeletesTheDeviceAndSaysItsPortIsReleased() async throws {
        var gone = Sample.identifyingStick
        gone.state = .gone
        let transport = FakeTransport()
        try transport.reply("DELETE", "/v1/devices/d2", json: gone)
        let result = try await runCommand(["detach", "d2"], transport: transport)
        #expect(result.status == 0)
        #expect(result.stdout == "Detached d2 (/dev/ttyUSB5): its port is released.\n")
        let request = try #require(transport.requests.first)
        #expect(request.method == "DELETE")
        #expect(request.body == nil)

        let json = try await runCommand(["detach", "d2", "--json"], transport: transport)
        #expect(try StationJSON.decoder().decode(DeviceStatus.self, from: Data(json.stdout.utf8)) == gone)
    }

    @Test func aPortPathIsOneSegmentOfTheRoute() async throws {
        let transport = FakeTransport()
        try transport.reply("DELETE", "/v1/devices/%2Fdev%2FttyUSB5", json: Sample.identifyingStick)
        let result = try await runCommand(["detach", "/dev/ttyUSB5"], transport: transport)
        #expect(result.status == 0)
        #expect(transport.requests.map(\.path) == ["/v1/devices/%2Fdev%2FttyUSB5"])
    }

    @Test func aBusyDeviceIsNotDetachedAndTheDaemonSaysWhy() async throws {
        let transport = FakeTransport()
        try transport.reply("DELETE", "/v1/devices/d1", status: 409, json: APIErrorBody(error: FailureInfo(
            code: "device-busy", message: "Device d1 is busy (provisioning): detach it once its run has ended.")))
        let result = try await runCommand(["detach", "d1"], transport: transport)
        #expect(result.status != 0)
        #expect(result.stderr == "hotspotctl: Device d1 is busy (provisioning): detach it once its run has ended.\n")
        #expect(result.stdout.isEmpty)
    }
}
