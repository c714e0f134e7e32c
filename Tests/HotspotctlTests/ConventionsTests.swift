import ArgumentParser
import Foundation
import Testing
@testable import hotspotctl
import StationAPI

/// Conventions of a Unix command: --version, a man page naming every command, completion of devices and plans.
@Suite struct ConventionsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func versionIsTheSoftwaresVersion() {
        #expect(Hotspotctl.configuration.version == SoftwareVersion.current)
        #expect(!SoftwareVersion.current.isEmpty)
    }

    @Test func theManPageNamesEveryVisibleCommandAndGlobalOption() throws {
        let page = try String(contentsOf: Self.root.appendingPathComponent("docs/man/hotspotctl.1"), encoding: .utf8)
        for command in Hotspotctl.configuration.subcommands where command.configuration.shouldDisplay {
            let name = try #require(command.configuration.commandName)
            #expect(page.contains(".B \(name)") || page.contains(".BI \"\(name) "), "\(name) is not in hotspotctl.1")
        }
        for option in ["socket", "json", "reveal", "reveal\\-key", "reveal\\-ids", "lang"] {
            #expect(page.contains("\\-\\-\(option)"), "--\(option)")
        }
        let install = try String(contentsOf: Self.root.appendingPathComponent("scripts/install.sh"), encoding: .utf8)
        #expect(install.contains("docs/man/hotspotctl.1") && install.contains("docs/man/hotspotd.1"))
        #expect(install.contains("--generate-completion-script bash") && install.contains("zsh") && install.contains("fish"))
    }

    @Test func completionAsksTheDaemonForDevicesAndPlans() async throws {
        let bash = Hotspotctl.completionScript(for: .bash)
        #expect(bash.contains("hotspotctl __complete devices"))
        #expect(bash.contains("hotspotctl __complete plans"))
        let transport = FakeTransport()
        try transport.reply("GET", "/v1/devices", json: [Sample.doneHotspot, Sample.identifyingStick])
        try transport.reply("GET", "/v1/plans", json: [PlanInfo(name: "500MB", megabytes: 500, priceCents: 100, isDefault: true,
                                                                 vouchersAvailable: 3)])
        #expect(try await runCommand(["__complete", "devices"], transport: transport).stdout
            == "d1\n/dev/ttyUSB2\nd2\n/dev/ttyUSB5\n")
        #expect(try await runCommand(["__complete", "plans"], transport: transport).stdout == "500MB\n")
    }
}
