import Foundation
import Testing
@testable import ModemSimulator

/// Runs the built `hotspot-sim` binary (it sits next to the test bundle in the build directory).
@Suite struct CommandLineTests {
    static var binary: String {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = exe.deletingLastPathComponent()
        // An .xctest bundle on Linux is a plain executable; walk up a little in case of nesting.
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("hotspot-sim").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return exe.deletingLastPathComponent().appendingPathComponent("hotspot-sim").path
    }

    func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func servesDevicesUntilSIGTERMThenCleansUpAndExitsZero() throws {
        let root = SimulatorFixture.repositoryRoot
        let directory = NSTemporaryDirectory() + "sim-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let portsFile = "\(directory)/ports"
        let state = "\(directory)/state.json"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = [
            "--device", "\(root)/simulator/personalities/huawei-e5-mifi.json:label=m1,echo=off",
            "--device", "\(root)/simulator/personalities/generic-3gpp.json:label=g1,iccid=89001010000345678908",
            "--operator", "\(root)/simulator/operator-simunet.json",
            "--state", state, "--ports-file", portsFile, "--link", directory,
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        let deadline = ContinuousClock.now + .seconds(10)
        while !FileManager.default.fileExists(atPath: portsFile), ContinuousClock.now < deadline {
            usleep(20_000)
        }
        let ports = try String(contentsOfFile: portsFile, encoding: .utf8)
        let labels = ports.split(separator: "\n").map { String($0.split(separator: "\t")[0]) }
        #expect(labels == ["m1", "g1"])

        let client = try PtyClient(path: "\(directory)/m1")
        #expect(try client.lines("AT+CGSN") == ["867530012345672"])
        let generic = try PtyClient(path: "\(directory)/g1")
        _ = try generic.command("ATE0")
        #expect(try generic.lines("AT+CCID") == ["+CCID: 89001010000345678908"])

        process.terminate()  // SIGTERM
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(process.terminationReason == .exit)
        #expect(!FileManager.default.fileExists(atPath: portsFile))
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: "\(directory)/m1")) == nil)
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(printed == ports)

        let (status, json) = try run(["state", "--state", state, "--json"])
        #expect(status == 0)
        let truth = try JSONDecoder().decode(OperatorState.self, from: Data(json.utf8))
        #expect(truth.operatorName == "SimuNet")
    }

    @Test func helpDocumentsEveryOption() throws {
        let (status, help) = try run(["run", "--help"])
        #expect(status == 0)
        for option in ["--device", "--operator", "--state", "--ports-file", "--link", "--verbose", "pin (ready"] {
            #expect(help.contains(option), "help lacks \(option)")
        }
        let (rootStatus, rootHelp) = try run(["--help"])
        #expect(rootStatus == 0)
        #expect(rootHelp.contains("state"))
    }

    @Test func badDeviceSpecExitsNonZeroWithAReason() throws {
        let (status, output) = try run(["--device", "/nonexistent.json:colour=red"])
        #expect(status != 0)
        #expect(output.contains("colour"))
    }
}
