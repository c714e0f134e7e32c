import ArgumentParser
import Testing
@testable import hotspotctl

@Suite struct CommandParsingTests {
    private func parse<Command: ParsableCommand>(_ arguments: [String], as type: Command.Type) throws -> Command {
        try #require(try Hotspotctl.parseAsRoot(arguments) as? Command)
    }

    @Test func parsesDevicesWithTheSharedOptions() throws {
        let command = try parse(["devices", "--socket", "/tmp/x.sock", "--json", "--reveal"], as: DevicesCommand.self)
        #expect(command.globals.socketPath(environment: [:]) == "/tmp/x.sock")
        #expect(command.globals.json)
        #expect(command.globals.reveal)
    }

    @Test func defaultsTheSocketToTheEnvironmentThenRun() throws {
        let command = try parse(["devices"], as: DevicesCommand.self)
        #expect(!command.globals.json && !command.globals.reveal)
        #expect(command.globals.socketPath(environment: ["HOTSPOTD_SOCKET": "/tmp/env.sock"]) == "/tmp/env.sock")
        #expect(command.globals.socketPath(environment: [:]) == "/run/hotspotd/api.sock")
        let explicit = try parse(["devices", "--socket", "/tmp/flag.sock"], as: DevicesCommand.self)
        #expect(explicit.globals.socketPath(environment: ["HOTSPOTD_SOCKET": "/tmp/env.sock"]) == "/tmp/flag.sock")
    }

    @Test func parsesStatusWithADeviceReference() throws {
        let command = try parse(["status", "8931", "--reveal", "--light-terminal"], as: StatusCommand.self)
        #expect(command.device == "8931")
        #expect(command.globals.reveal)
        #expect(command.lightTerminal)
        #expect(throws: (any Error).self) { try Hotspotctl.parseAsRoot(["status"]) }
    }

    @Test func parsesWatch() throws {
        let command = try parse(["watch", "--json"], as: WatchCommand.self)
        #expect(command.globals.json)
    }

    @Test func parsesProvisionWithOverrides() throws {
        let command = try parse(["provision", "d1", "--plan", "2GB", "--ssid", "Connexion-0121", "--key", "abcdefgh1"],
                                as: ProvisionCommand.self)
        #expect(command.device == "d1")
        #expect(command.plan == "2GB")
        #expect(command.ssid == "Connexion-0121")
        #expect(command.key == "abcdefgh1")
        let bare = try parse(["provision", "/dev/ttyUSB2"], as: ProvisionCommand.self)
        #expect(bare.plan == nil && bare.ssid == nil && bare.key == nil)
    }

    @Test func refusesProvisionKeysAndNamesOfTheWrongLength() {
        #expect(throws: (any Error).self) { try Hotspotctl.parseAsRoot(["provision", "d1", "--key", "short"]) }
        #expect(throws: (any Error).self) { try Hotspotctl.parseAsRoot(["provision", "d1", "--key", String(repeating: "g", count: 64)]) }
        #expect(throws: (any Error).self) { try Hotspotctl.parseAsRoot(["provision", "d1", "--key", "clé-sécurité"]) }
        #expect(throws: Never.self) { try Hotspotctl.parseAsRoot(["provision", "d1", "--key", String(repeating: "aF", count: 32)]) }
        #expect(throws: (any Error).self) { try Hotspotctl.parseAsRoot(["provision", "d1", "--ssid", String(repeating: "x", count: 33)]) }
        #expect(throws: (any Error).self) { try Hotspotctl.parseAsRoot(["provision", "d1", "--ssid", ""]) }
    }

    @Test func parsesAttachAndRefusesRelativePaths() throws {
        let command = try parse(["attach", "/dev/pts/5"], as: AttachCommand.self)
        #expect(command.path == "/dev/pts/5")
        #expect(throws: (any Error).self) { try Hotspotctl.parseAsRoot(["attach", "ttyUSB2"]) }
    }

    @Test func parsesVoucherImportAndList() throws {
        let importing = try parse(["vouchers", "import", "cards.csv", "--json"], as: VoucherImportCommand.self)
        #expect(importing.file == "cards.csv")
        let listing = try parse(["vouchers", "list", "--state", "unknown"], as: VoucherListCommand.self)
        #expect(listing.state == .unknown)
        #expect(try parse(["vouchers", "list"], as: VoucherListCommand.self).state == nil)
        #expect(throws: (any Error).self) { try Hotspotctl.parseAsRoot(["vouchers", "list", "--state", "lost"]) }
    }

    @Test func parsesLedgerFilters() throws {
        let command = try parse(["ledger", "--iccid", "8931", "--imei", "1234", "--since", "2024-05-01", "--limit", "20"],
                                as: LedgerEventsCommand.self)
        #expect(command.iccid == "8931")
        #expect(command.imei == "1234")
        #expect(command.since == "2024-05-01")
        #expect(command.limit == 20)
        #expect(throws: (any Error).self) { try Hotspotctl.parseAsRoot(["ledger", "--since", "last week"]) }
        #expect(throws: (any Error).self) { try Hotspotctl.parseAsRoot(["ledger", "--limit", "0"]) }
        #expect(throws: (any Error).self) { try Hotspotctl.parseAsRoot(["ledger", "--imei", "12a4"]) }
    }

    @Test func parsesPlans() throws {
        #expect(try parse(["plans", "--json"], as: PlansCommand.self).globals.json)
    }

    @Test func parsesDecodeOptions() throws {
        let command = try parse(["decode", "--command", "AT+CSQ", "--escaped", "--compact"], as: DecodeCommand.self)
        #expect(command.command == "AT+CSQ")
        #expect(command.escaped)
        #expect(command.compact)
        let bare = try parse(["decode"], as: DecodeCommand.self)
        #expect(bare.command == nil && !bare.escaped && !bare.compact)
    }

    @Test func refusesUnknownSubcommandsAndOptions() {
        #expect(throws: (any Error).self) { try Hotspotctl.parseAsRoot(["reboot"]) }
        #expect(throws: (any Error).self) { try Hotspotctl.parseAsRoot(["devices", "--all"]) }
        #expect(throws: (any Error).self) { try Hotspotctl.parseAsRoot(["decode", "--socket", "/x"]) }
    }
}
