import Foundation
import Testing
import TestSupport
@testable import hotspotctl
import StationAPI

/// `hotspotctl card`: asks the daemon's card route, prints the card in the output's language, writes files only the
/// owner can read, and hands the PDF to `lp`.
@Suite struct CardCommandTests {
    static let info = HandOverCardInfo(
        deviceID: "d1", ssid: "Connexion-0121", key: "abcdefgh1234", qrPayload: "WIFI:T:WPA;S:Connexion-0121;P:abcdefgh1234;;",
        plan: "2GB", megabytes: 2048, priceCents: 1000, date: Sample.date, operatorName: "Orange", balanceCode: "*144#",
        counter: CounterDetails(organisation: "Lien Numérique", address: "12 rue des Lilas", hours: "mardi 14 h – 18 h"))

    @Test func theTextCardIsFrenchWithTheKeyGroupedAndAQRCode() async throws {
        let transport = FakeTransport()
        try transport.reply("GET", "/v1/devices/d1/card", json: Self.info)
        let result = try await runCommand(["card", "d1"], transport: transport, environment: ["LANG": "fr_FR.UTF-8"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("Votre accès Internet\nLien Numérique\n"))
        #expect(result.stdout.contains("Mot de passe Wi-Fi (sans les espaces)\n    abcd efgh 1234\n"))
        #expect(result.stdout.contains("Forfait : 2 Go — 10,00 €\n"))
        #expect(result.stdout.contains("Date : 1er mai 2024\n"))
        #expect(result.stdout.contains("composez *144#"))
        #expect(result.stdout.contains("█"))
        #expect(transport.requests == [StationHTTPRequest(method: "GET", path: "/v1/devices/d1/card")])
    }

    @Test func pdfAndPNGFilesAreWrittenForTheirOwnerOnly() async throws {
        let temporary = try TemporaryDirectory(prefix: "card-cli")
        let directory = temporary.path
        let transport = FakeTransport()
        try transport.reply("GET", "/v1/devices/d1/card", json: Self.info)
        let result = try await runCommand(["card", "d1", "--pdf", directory + "/c.pdf", "--png", directory + "/c.png"],
                                          transport: transport, environment: ["LANG": "fr_FR.UTF-8"])
        #expect(result.status == 0)
        #expect(result.stdout == "Carte écrite dans \(directory)/c.pdf.\nCarte écrite dans \(directory)/c.png.\n")
        for name in ["c.pdf", "c.png"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/" + name)
            #expect((attributes[.posixPermissions] as? Int) == 0o600, "\(name)")
            #expect(((attributes[.size] as? Int) ?? 0) > 1000, "\(name)")
        }
    }

    @Test func printingHandsThePDFToLpAndRemovesIt() throws {
        let temporary = try TemporaryDirectory(prefix: "card-lp")
        let directory = temporary.path
        // A stand-in lp that records its arguments and the file's first bytes, as CUPS would spool it.
        let script = """
            #!/bin/sh
            for last; do :; done
            echo "$@" > \(directory)/args
            head -c 5 "$last" > \(directory)/magic
            echo "request id is Brother_QL-800-17 (1 file(s))"
            """
        try script.write(toFile: directory + "/lp", atomically: true, encoding: .utf8)
        chmod(directory + "/lp", 0o755)
        let card = HandOverCardFixture.card
        let printer = CardPrinter(printer: "Brother_QL-800", searchPath: directory)
        let said = try printer.print(card)
        #expect(said == "request id is Brother_QL-800-17 (1 file(s))")
        let arguments = try String(contentsOfFile: directory + "/args", encoding: .utf8)
        #expect(arguments.hasPrefix("-d Brother_QL-800 -t hotspot-card -- "))
        #expect(try String(contentsOfFile: directory + "/magic", encoding: .utf8) == "%PDF-")
        // The temporary PDF holds the Wi-Fi key: it is gone once lp has it.
        let spooled = String(arguments.split(separator: " ").last ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!FileManager.default.fileExists(atPath: spooled))
        // No lp: a clear error, nothing printed.
        #expect(throws: HotspotctlError.localInput("lp is not installed (apt-get install cups-client), or not on PATH")) {
            try CardPrinter(printer: nil, searchPath: directory + "/none").print(card)
        }
    }

    @Test func aFailingLpIsReportedWithItsOwnWords() throws {
        let temporary = try TemporaryDirectory(prefix: "card-lp")
        let directory = temporary.path
        try "#!/bin/sh\necho 'lp: The printer or class does not exist.' >&2\nexit 1\n".write(toFile: directory + "/lp", atomically: true, encoding: .utf8)
        chmod(directory + "/lp", 0o755)
        #expect(throws: HotspotctlError.localInput("lp failed (status 1): lp: The printer or class does not exist.")) {
            try CardPrinter(printer: "nope", searchPath: directory).print(HandOverCardFixture.card)
        }
    }

    @Test func optionsAreChecked() {
        #expect(throws: (any Error).self) { try Hotspotctl.parseAsRoot(["card", "d1", "--printer", "P"]) }
        #expect(throws: (any Error).self) { try Hotspotctl.parseAsRoot(["card", "d1", "--print", "--printer", "-x"]) }
        #expect(throws: (any Error).self) { try Hotspotctl.parseAsRoot(["card", "d1", "--pdf", ""]) }
    }

    @Test func globalOptionsMayComeBeforeTheSubcommand() throws {
        #expect(GlobalOptionOrder.movingLeadingGlobals(["--json", "devices"]) == ["devices", "--json"])
        #expect(GlobalOptionOrder.movingLeadingGlobals(["--socket", "/s", "--lang=fr", "status", "d1"])
            == ["status", "d1", "--socket", "/s", "--lang=fr"])
        #expect(GlobalOptionOrder.movingLeadingGlobals(["--json", "ledger", "verify", "--", "x"]) == ["ledger", "verify", "--json", "--", "x"])
        #expect(GlobalOptionOrder.movingLeadingGlobals(["--version"]) == ["--version"])
        #expect(GlobalOptionOrder.movingLeadingGlobals(["--json"]) == ["--json"])
        let parsed = try Hotspotctl.parseAsRoot(GlobalOptionOrder.movingLeadingGlobals(["--json", "--reveal-key", "status", "d1"]))
        let status = try #require(parsed as? StatusCommand)
        #expect(status.globals.json && status.globals.revealKey && status.device == "d1")
    }
}

import HandOverCard

/// A card built without the daemon, for the printer tests.
enum HandOverCardFixture {
    static let card = HandOverCard(info: CardCommandTests.info, language: .french, timeZone: Sample.utc)
}
