import Foundation
import HiLink
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `hotspot-sim hilink` as a process: it prints where it listens, serves a unit the driver identifies, and stops on
/// SIGTERM with status 0; an unknown personality is refused.
@Suite(.serialized) struct HiLinkSimulatorCommandTests {
    func temporaryFile() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("hilink-sim-\(UUID().uuidString).out")
    }

    @Test func servesAUnitUntilSIGTERM() async throws {
        let simulator = HiLinkNamespaceTests.simulatorPath
        guard FileManager.default.isExecutableFile(atPath: simulator) else {
            Issue.record("hotspot-sim is not built (run swift build first)")
            return
        }
        let output = temporaryFile()
        try #require(FileManager.default.createFile(atPath: output.path, contents: nil))
        defer { try? FileManager.default.removeItem(at: output) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: simulator)
        process.arguments = ["hilink", "--personality", "e5576-webui10", "--listen", "127.0.0.1:0", "--imei", "356789012345680"]
        process.standardOutput = try FileHandle(forWritingTo: output)
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        var line = ""
        let deadline = ContinuousClock.now + .seconds(15)
        while !line.hasSuffix("\n") && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            line = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        }
        let fields = line.trimmingCharacters(in: .newlines).split(separator: "\t")
        try #require(fields.count == 2, "printed: \(line)")
        #expect(fields[0] == "e5576-webui10")
        let endpoint = try #require(HiLinkEndpoint(url: "http://" + fields[1]))
        let driver = try await HiLinkDriver.open(HiLinkConfiguration(endpoint: endpoint, password: "s3cret-pass"))
        #expect(try await driver.readIdentity().imei?.digits == "356789012345680")
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
    }

    @Test func refusesAnUnknownPersonality() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: HiLinkNamespaceTests.simulatorPath)
        process.arguments = ["hilink", "--personality", "no-such-unit"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
    }
}
