import Foundation
import Testing
import TestSupport
@testable import hotspotctl
import StationAPI

/// Runs a parsed command as `runCommand` does, with the environment given (the locale decides the language).
func runCommand(_ arguments: [String], transport: any StationTransport, environment: [String: String]) async throws
    -> (stdout: String, stderr: String, status: Int32) {
    let command = try #require(try Hotspotctl.parseAsRoot(arguments) as? any StationCommand)
    let output = CapturedOutput(), errors = CapturedOutput()
    do {
        try await CommandRunner.run(command, transport: transport, output: output, errorOutput: errors, timeZone: Sample.utc,
                                    environment: environment)
        return (output.text, errors.text, 0)
    } catch {
        return (output.text, errors.text, error.rawValue)
    }
}

/// The counters read French; English stays what scripts and the documentation know; `--json` never changes.
@Suite struct LanguageOutputTests {
    static let french = ["LANG": "fr_FR.UTF-8"]
    static let english = ["LANG": "en_GB.UTF-8"]

    @Test func theSameFailureInFrenchAndInEnglish() async throws {
        let transport = FakeTransport()
        let body = APIErrorBody(error: FailureInfo(code: "device-gone", message: "Device d1 is no longer connected."))
        try transport.reply("POST", "/v1/devices/d1/provision", status: 410, json: body)
        let french = try await runCommand(["provision", "d1"], transport: transport, environment: Self.french)
        #expect(french.status == 1)
        #expect(french.stderr == """
            hotspotctl: L'appareil a été débranché ou ne répond plus. [device-gone]
              À faire : Rebranchez-le : le solde sera vérifié, aucun nouveau bon n'est utilisé.
              (Device d1 is no longer connected.)

            """)
        let english = try await runCommand(["provision", "d1"], transport: transport, environment: Self.english)
        #expect(english.stderr == "hotspotctl: Device d1 is no longer connected.\n")
        #expect(english.status == french.status)
        // --json: the API's error, whatever the language.
        let json = try await runCommand(["provision", "d1", "--json"], transport: transport, environment: Self.french)
        #expect(json.stdout == String(decoding: try StationJSON.encoder(pretty: true).encode(body), as: UTF8.self) + "\n")
    }

    @Test func devicesInFrench() async throws {
        let transport = FakeTransport()
        try transport.reply("GET", "/v1/devices", json: [Sample.doneHotspot, Sample.identifyingStick])
        let result = try await runCommand(["devices"], transport: transport, environment: Self.french)
        #expect(result.stdout == """
            ID  PRISE  PORT          ÉTAT            ÉTAPE           TYPE           MODÈLE        IMEI   ICCID  FORFAIT  MIS À JOUR
            d1  -      /dev/ttyUSB2  prêt            vérification    point d'accès  Huawei E5573  …1234  …8931  500MB    2024-05-01 14:03:22
            d2  -      /dev/ttyUSB5  identification  identification  clé modem      -             -      -      -        2024-05-01 14:03:22

            """)
        let json = try await runCommand(["devices", "--json"], transport: transport, environment: Self.french)
        let english = try await runCommand(["devices", "--json"], transport: transport, environment: Self.english)
        #expect(json.stdout == english.stdout && json.stdout.contains("\"state\" : \"done\""))
    }

    @Test func langOptionBeatsTheLocaleAndIsChecked() async throws {
        let transport = FakeTransport()
        try transport.reply("GET", "/v1/devices", json: [DeviceStatus]())
        #expect(try await runCommand(["devices", "--lang", "en"], transport: transport, environment: Self.french).stdout
            == "No devices attached.\n")
        #expect(try await runCommand(["devices"], transport: transport, environment: ["LANG": "C.UTF-8"]).stdout
            == "No devices attached.\n")
        #expect(try await runCommand(["devices"], transport: transport, environment: [:]).stdout
            == "Aucun appareil branché.\n")
        #expect(throws: (any Error).self) { try Hotspotctl.parseAsRoot(["devices", "--lang", "de"]) }
    }

    @Test func statusAndPlansInFrench() async throws {
        var status = Sample.doneHotspot
        status.state = .failed
        status.step = "recharge"
        status.balanceMB = 2048
        status.failure = FailureInfo(code: "voucher-rejected", message: "The operator refused voucher 7.")
        let report = StatusReport(timestamps: LocalTimestamp(timeZone: Sample.utc), showQRCode: false,
                                  messages: .init(language: .french)).render(status)
        #expect(report.contains("État               échec (étape recharge)\n"))
        #expect(report.contains("Solde              2 Go\n"))
        #expect(report.contains("Échec              L'opérateur a refusé le bon ; le solde n'a pas changé. [voucher-rejected]\n"))
        #expect(report.contains("À faire            Relancez l'approvisionnement : un autre bon sera utilisé"))
        let plans = PlansCommand.render([PlanInfo(name: "500MB", megabytes: 500, priceCents: 100, isDefault: true, vouchersAvailable: 12)],
                                        messages: .init(language: .french))
        #expect(plans == """
            FORFAIT  VOLUME    PRIX  PAR DÉFAUT  DISPONIBLES
            500MB    500 Mo  1,00 €  oui                  12

            """)
    }

    @Test func revealKeyAndRevealIdsAskForTheirOwnScope() async throws {
        let transport = FakeTransport()
        try transport.reply("GET", "/v1/devices/d1", json: Sample.revealedHotspot)
        _ = try await runCommand(["status", "d1", "--reveal-key"], transport: transport)
        _ = try await runCommand(["status", "d1", "--reveal-ids"], transport: transport)
        _ = try await runCommand(["status", "d1", "--reveal-key", "--reveal-ids"], transport: transport)
        _ = try await runCommand(["status", "d1", "--reveal"], transport: transport)
        _ = try await runCommand(["status", "d1"], transport: transport)
        #expect(transport.requests.map(\.query) == [["reveal": "key"], ["reveal": "ids"], ["reveal": "key,ids"], ["reveal": "1"], [:]])
    }
}

/// Colour: only on a terminal, never with --json or NO_COLOR.
@Suite struct ColourTests {
    @Test func colourIsOnlyForTerminalsWithoutNoColourOrJSON() throws {
        // A pseudo-terminal stands for the technician's terminal; a pipe for a script.
        let terminal = try TestPseudoTerminal()
        let secondary = terminal.slave
        var pipeEnds: [Int32] = [0, 0]
        #expect(pipe(&pipeEnds) == 0)
        defer { close(pipeEnds[0]); close(pipeEnds[1]) }
        #expect(Colour.decide(json: false, descriptor: secondary, environment: [:]).enabled)
        #expect(!Colour.decide(json: true, descriptor: secondary, environment: [:]).enabled)
        #expect(!Colour.decide(json: false, descriptor: secondary, environment: ["NO_COLOR": "1"]).enabled)
        #expect(Colour.decide(json: false, descriptor: secondary, environment: ["NO_COLOR": ""]).enabled)
        #expect(!Colour.decide(json: false, descriptor: secondary, environment: ["TERM": "dumb"]).enabled)
        #expect(!Colour.decide(json: false, descriptor: pipeEnds[1], environment: [:]).enabled)
        #expect(!Colour.decide(json: false, descriptor: nil, environment: [:]).enabled)
    }

    @Test func theStateAndFailureArePaintedOnlyWhenColourIsOn() {
        var status = Sample.doneHotspot
        status.state = .failed
        status.failure = FailureInfo(code: "device-gone", message: "Gone.")
        let plain = StatusReport(timestamps: LocalTimestamp(timeZone: Sample.utc), showQRCode: false).render(status)
        #expect(!plain.contains("\u{1B}"))
        let coloured = StatusReport(timestamps: LocalTimestamp(timeZone: Sample.utc), showQRCode: false,
                                    colour: Colour(enabled: true)).render(status)
        #expect(coloured.contains("State         \u{1B}[31mfailed (step verify)\u{1B}[0m\n"))
        #expect(coloured.replacingOccurrences(of: "\u{1B}[31m", with: "").replacingOccurrences(of: "\u{1B}[0m", with: "") == plain)
    }
}

@Suite struct MoreFrenchOutputTests {
    @Test func watchLinesNameStatesAndStepsInFrench() {
        let event = StationEvent(kind: "step", deviceID: "d1", state: .provisioning, step: "balance-before", status: "started",
                                 message: "reading the balance", at: Sample.date)
        let timestamps = LocalTimestamp(timeZone: Sample.utc)
        #expect(WatchCommand.render(event, timestamps: timestamps, messages: .init(language: .french))
            == "14:03:22 d1 approvisionnement solde avant commencée reading the balance")
        #expect(WatchCommand.render(event, timestamps: timestamps)
            == "14:03:22 d1 provisioning balance-before started reading the balance")
    }

    @Test func voucherListAndDetachInFrench() async throws {
        let transport = FakeTransport()
        try transport.reply("GET", "/v1/vouchers", json: [VoucherInfo]())
        #expect(try await runCommand(["vouchers", "list"], transport: transport, environment: ["LANG": "fr_FR.UTF-8"]).stdout
            == "Aucun bon.\n")
        try transport.reply("DELETE", "/v1/devices/d1", json: Sample.doneHotspot)
        #expect(try await runCommand(["detach", "d1"], transport: transport, environment: ["LANG": "fr_FR.UTF-8"]).stdout
            == "d1 (/dev/ttyUSB2) : son port est libéré.\n")
        #expect(try await runCommand(["detach", "d1"], transport: transport).stdout
            == "Detached d1 (/dev/ttyUSB2): its port is released.\n")
    }
}
