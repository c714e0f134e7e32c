import Foundation
import Localization
import StationAPI
import Testing
@testable import hotspotctl

/// `--help` speaks the counter's language: French for `LANG=fr_FR.UTF-8`, English for `en_*`, `C` or `--lang en`,
/// chosen when the process starts (argument-parser reads help texts before parsing).
@Suite(.enabled(if: HotspotctlBinary.url != nil, "the hotspotctl executable is not next to the test bundle"))
struct HelpLanguageBinaryTests {
    static let french = ["LANG": "fr_FR.UTF-8"]
    static let english = ["LANG": "en_US.UTF-8"]

    @Test func rootHelpInFrenchAndInEnglish() throws {
        let french = try HotspotctlBinary.run(["--help"], environment: Self.french)
        #expect(french.status == 0)
        #expect(french.stdout.contains("Interroge la station (hotspotd) sur les appareils"))
        #expect(french.stdout.contains("Liste les appareils branchés à la station."))
        #expect(french.stdout.contains("UTILISATION :") && french.stdout.contains("SOUS-COMMANDES :"))
        #expect(french.stdout.contains("Affiche cette aide."))
        #expect(!french.stdout.contains("List the devices") && !french.stdout.contains("USAGE:"))

        let english = try HotspotctlBinary.run(["--help"], environment: Self.english)
        #expect(english.status == 0)
        #expect(english.stdout.contains("Ask the hotspot station (hotspotd) about devices"))
        #expect(english.stdout.contains("List the devices attached to the station."))
        #expect(english.stdout.contains("USAGE:") && english.stdout.contains("SUBCOMMANDS:"))
        #expect(!english.stdout.contains("Liste les appareils"))
    }

    @Test func subcommandHelpInFrenchAndInEnglish() throws {
        let french = try HotspotctlBinary.run(["devices", "--help"], environment: Self.french)
        #expect(french.status == 0)
        #expect(french.stdout.contains("RÉSUMÉ : Liste les appareils branchés à la station."))
        #expect(french.stdout.contains("Affiche le JSON de l'API"))
        #expect(french.stdout.contains("Le socket Unix du démon."))
        #expect(!french.stdout.contains("Print the API's JSON"))
        let english = try HotspotctlBinary.run(["devices", "--help"], environment: Self.english)
        #expect(english.stdout.contains("OVERVIEW: List the devices attached to the station."))
        #expect(english.stdout.contains("Print the API's JSON"))
        #expect(!english.stdout.contains("Affiche le JSON"))
        // `help COMMAND` is the same screen.
        let viaHelp = try HotspotctlBinary.run(["help", "devices"], environment: Self.french)
        #expect(viaHelp.stdout.contains("Liste les appareils branchés à la station."))
    }

    @Test func langOnTheCommandLineAndTheLocaleRules() throws {
        let english = try HotspotctlBinary.run(["provision", "--help", "--lang", "en"], environment: Self.french)
        #expect(english.stdout.contains("Start or resume provisioning a device."))
        let french = try HotspotctlBinary.run(["--lang=fr", "provision", "--help"], environment: Self.english)
        #expect(french.stdout.contains("Lance ou reprend l'approvisionnement d'un appareil."))
        // C.UTF-8 reads English (scripts, ssh sessions); no locale at all reads French (the counters).
        #expect(try HotspotctlBinary.run(["plans", "--help"], environment: ["LANG": "C.UTF-8"]).stdout
            .contains("List the data plans"))
        #expect(try HotspotctlBinary.run(["plans", "--help"], environment: ["LANG": ""]).stdout
            .contains("Liste les forfaits"))
    }

    @Test func completionScriptsDescribeInTheInstallersLanguage() throws {
        let french = try HotspotctlBinary.run(["--generate-completion-script", "fish"], environment: Self.french)
        #expect(french.status == 0)
        #expect(french.stdout.contains("Liste les appareils branchés à la station."))
        let english = try HotspotctlBinary.run(["--generate-completion-script", "fish"], environment: Self.english)
        #expect(english.stdout.contains("List the devices attached to the station."))
    }
}

@Suite struct HelpLanguageTests {
    @Test func langIsFoundBeforeParsing() {
        #expect(HelpLanguage.langArgument(in: ["devices", "--lang", "en"]) == "en")
        #expect(HelpLanguage.langArgument(in: ["--lang=fr", "devices"]) == "fr")
        #expect(HelpLanguage.langArgument(in: ["devices"]) == nil)
        #expect(HelpLanguage.langArgument(in: ["decode", "--", "--lang", "en"]) == nil)  // after `--` it is an argument
        #expect(HelpLanguage.langArgument(in: ["--lang"]) == nil)
    }

    @Test func argumentParsersOwnWordsAreTranslatedOnlyInFrench() {
        let screen = "OVERVIEW: x\n\nUSAGE: hotspotctl devices\n\nOPTIONS:\n  -h, --help              Show help information.\n"
            + "  --day <day>   The day. (default: today)\n"
        let french = HelpLanguage.translatingLibraryWords(screen, language: .french)
        #expect(french == "RÉSUMÉ : x\n\nUTILISATION : hotspotctl devices\n\nOPTIONS :\n  -h, --help              Affiche cette aide.\n"
            + "  --day <day>   The day. (par défaut : today)\n")
        #expect(HelpLanguage.translatingLibraryWords(screen, language: .english) == screen)
    }
}

/// `devices` fits an 80-column terminal with the widest rows a counter sees, in both languages.
@Suite struct DevicesWidthTests {
    /// A device as wide as the station's rows get: a long desk label, a long model, every state and step.
    static func widestRows() -> [DeviceStatus] {
        var rows: [DeviceStatus] = []
        var index = 100
        for state in DeviceState.allCases {
            for step in Messages.stepCodes {
                index += 1
                var device = Sample.doneHotspot
                device.id = "d\(index)"
                device.state = state
                device.step = step
                device.socket = "arrière-gauche"
                device.manufacturer = "Huawei Technologies Co., Ltd."
                device.model = "E5785Lh-92a Mobile WiFi 3 Pro"
                device.plan = "10GB-mensuel-solidaire"
                device.imei = "…1234"
                device.iccid = "…6782"
                device.failure = state == .failed ? FailureInfo(code: "voucher-rejected", message: "refused") : nil
                rows.append(device)
            }
        }
        return rows
    }

    @Test func theWidestRowsFitEightyColumnsInBothLanguages() throws {
        let timestamps = LocalTimestamp(timeZone: Sample.utc)
        for language in Language.allCases {
            let text = DevicesCommand.render(Self.widestRows(), timestamps: timestamps, now: Sample.date,
                                             messages: Messages(language: language))
            let lines = text.split(separator: "\n").map(String.init)
            #expect(lines.count == Self.widestRows().count + 1)
            for line in lines { #expect(TerminalText.displayWidth(line) <= 80, "\(language): \(line)") }
            let provisioning = try #require(lines.first { $0.contains(language == .french ? "appro. solde av." : "prov. balance") })
            #expect(provisioning.contains("Huawei Tech…"))       // the long model is cut, and says so
            #expect(provisioning.contains("arrière…"))
            #expect(provisioning.contains("…1234") && provisioning.contains("…6782"))
            #expect(provisioning.contains("14:03:22"))            // today: the time alone
        }
    }

    @Test func headersInFrenchAndTheDayForAnOlderChange() {
        let timestamps = LocalTimestamp(timeZone: Sample.utc)
        let later = Sample.date.addingTimeInterval(3 * 86_400)
        let french = DevicesCommand.render([Sample.doneHotspot], timestamps: timestamps, now: later,
                                           messages: Messages(language: .french))
        #expect(french == """
            ID  PRISE    ÉTAT  MODÈLE        IMEI   ICCID  FORFAIT  MÀJ
            d1  ttyUSB2  prêt  Huawei E5573  …1234  …8931  500MB    01/05

            """)
        let english = DevicesCommand.render([Sample.doneHotspot], timestamps: timestamps, now: later,
                                            messages: Messages(language: .english))
        #expect(english.hasPrefix("ID  SOCKET   STATE  MODEL         IMEI   ICCID  PLAN   UPDATED\n"))
        #expect(english.contains("05-01"))
    }
}

/// The board in English, for a station whose technicians read English (`LANG=en_*`, `--lang en`).
@Suite struct BoardLanguageTests {
    @Test func theBoardsOwnWordsInEnglish() throws {
        let renderer = BoardRenderer(timestamps: LocalTimestamp(timeZone: Sample.utc), colour: false,
                                     messages: Messages(language: .english))
        var failed = Sample.identifyingStick
        failed.state = .failed
        failed.failure = FailureInfo(code: "voucher-rejected", message: "…")
        var working = Sample.identifyingStick
        working.id = "d3"
        working.state = .provisioning
        working.step = "balance-before"
        let plans = [PlanInfo(name: "500MB", megabytes: 500, priceCents: 100, isDefault: true, vouchersAvailable: 12)]
        let lines = renderer.render(devices: [Sample.doneHotspot, failed, working], plans: plans, now: Sample.date,
                                    connection: .live)
        let text = lines.joined(separator: "\n")
        #expect(lines[0] == "hotspot-station  14:03:22  1 ready, 1 failed, 1 working, 12 × 500 MB in stock")
        #expect(lines[2].hasPrefix("SOCKET   MODEL     IMEI  ICCID STEP      TIME  STATE       ACTION"))
        #expect(text.contains("READY") && text.contains("Hand it over"))
        #expect(text.contains("FAILED") && text.contains("Refused: run again"))
        #expect(text.contains("WORKING") && text.contains("balance"))
        #expect(lines[23].contains("hotspotd connected") && lines[23].contains("Ctrl-C to quit"))
        for word in ["PRÊT", "ÉCHEC", "EN COURS", "Remettre", "prise", "quitter"] { #expect(!text.contains(word), "\(word)") }
        let lost = renderer.footer(.lost(since: Sample.date.addingTimeInterval(-5)), now: Sample.date, width: 80)
        #expect(lost.contains("hotspotd unreachable for 5 s: reconnecting by itself…"))
    }
}

/// `status` on an 80-column terminal: a long failure and its action wrap under their column instead of being cut
/// by the terminal; piped output keeps one line per field.
@Suite struct StatusWidthTests {
    static func failed() -> DeviceStatus {
        var device = Sample.doneHotspot
        device.state = .failed
        device.step = "recharge"
        device.failure = FailureInfo(code: "voucher-rejected", message: "The operator refused voucher 1.")
        return device
    }

    @Test func longValuesWrapUnderTheirColumnAtEightyColumns() throws {
        for language in Language.allCases {
            let report = StatusReport(timestamps: LocalTimestamp(timeZone: Sample.utc), showQRCode: false,
                                      messages: Messages(language: language), width: 80)
            let lines = report.render(Self.failed()).split(separator: "\n").map(String.init)
            for line in lines { #expect(TerminalText.displayWidth(line) <= 80, "\(language): \(line)") }
            let action = try #require(lines.firstIndex { $0.hasPrefix(language == .french ? "À faire" : "Action") })
            let indent = language == .french ? 19 : 14
            #expect(lines[action + 1].hasPrefix(String(repeating: " ", count: indent)))
            #expect(lines[action + 1].dropFirst(indent).first != " ")
        }
        let piped = StatusReport(timestamps: LocalTimestamp(timeZone: Sample.utc), showQRCode: false,
                                 messages: Messages(language: .french))
        #expect(piped.render(Self.failed()).contains("À faire            Relancez l'approvisionnement : un autre bon sera utilisé ; signalez"))
    }

    @Test func wrappingBreaksAtSpacesAndCutsOnlyAnOverlongWord() {
        #expect(TerminalText.wrap("un deux trois quatre", width: 9) == ["un deux", "trois", "quatre"])
        #expect(TerminalText.wrap("court", width: 9) == ["court"])
        #expect(TerminalText.wrap("abcdefghijkl mn", width: 5) == ["abcde", "fghij", "kl mn"])
        #expect(TerminalText.wrap("Échec éé", width: 5) == ["Échec", "éé"])
    }
}

@Suite(.enabled(if: HotspotctlBinary.url != nil, "the hotspotctl executable is not next to the test bundle"))
struct UsageErrorLanguageTests {
    @Test func argumentParsersUsageWordsInFrenchOnly() throws {
        let french = try HotspotctlBinary.run(["status"], environment: ["LANG": "fr_FR.UTF-8"])
        #expect(french.status == 2)
        #expect(french.stderr.contains("Erreur : Argument attendu manquant : '<device>'"))
        #expect(french.stderr.contains("Utilisation : hotspotctl status"))
        #expect(french.stderr.contains("Voir « hotspotctl status --help » pour en savoir plus."))
        let english = try HotspotctlBinary.run(["status"], environment: ["LANG": "en_US.UTF-8"])
        #expect(english.status == 2)
        #expect(english.stderr.contains("Error: Missing expected argument '<device>'"))
        #expect(english.stderr.contains("See 'hotspotctl status --help' for more information."))
    }
}
