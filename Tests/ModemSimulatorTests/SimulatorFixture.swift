import Foundation
@testable import ModemSimulator

/// Starts a simulator over personalities in a temporary directory and stops it at the end.
final class SimulatorFixture {
    let directory: String
    let host: SimulatorHost
    let ports: [SimulatorHost.Port]
    let statePath: String
    let portsFile: String

    static var repositoryRoot: String {
        // Tests/ModemSimulatorTests/SimulatorFixture.swift → repository root.
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    static func shippedPersonality(_ name: String) throws -> Personality {
        try Personality.load("\(repositoryRoot)/simulator/personalities/\(name).json")
    }

    static func testOperator(replyDelayMs: Int = 20) -> OperatorProfile {
        var profile = OperatorProfile()
        profile.replyDelayMs = replyDelayMs
        profile.startingBalanceMB = 1000
        profile.vouchers = ["123456789012": 500, "9876543210987654": 2048]
        return profile
    }

    init(_ setups: [DeviceSetup], operator profile: OperatorProfile = SimulatorFixture.testOperator(), statePath: String? = nil) throws {
        directory = NSTemporaryDirectory() + "sim-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.statePath = statePath ?? "\(directory)/state.json"
        portsFile = "\(directory)/ports"
        let ledger = try OperatorLedger(profile: profile, path: self.statePath)
        host = SimulatorHost(devices: setups, network: OperatorNetwork(profile: profile, ledger: ledger))
        ports = try host.start(portsFile: portsFile, linkDirectory: directory)
    }

    convenience init(_ personality: Personality, label: String = "dev", operator profile: OperatorProfile = SimulatorFixture.testOperator()) throws {
        try self.init([DeviceSetup(label: label, personality: personality)], operator: profile)
    }

    func client(_ index: Int = 0) throws -> PtyClient {
        try PtyClient(path: ports[index].path)
    }

    deinit {
        host.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// A fast, fault-free personality for behaviour tests.
func basePersonality() -> Personality {
    var personality = Personality(
        name: "test",
        identity: .init(manufacturer: "huawei", model: "E5573", revision: "21.0", imei: "867530012345672"),
        sim: .init(iccid: "89001010000123456782", imsi: "001010000012345"))
    personality.echo = false
    personality.cmee = 1
    return personality
}
