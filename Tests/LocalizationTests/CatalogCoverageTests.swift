import FailureCodes
import Foundation
import Localization
import Provisioning
import StationAPI
import Testing

/// The catalog covers every code the sources use: a new failure code without French and English fails here.
@Suite struct CatalogCoverageTests {
    /// Kebab-case string literals in `Sources/` that are not failure codes, with why.
    static let notCodes: Set<String> = [
        "content-length", "transfer-encoding",                       // HTTP header names
        "hotspot-admin",                                             // the supervisors' group name
        "hotspot-sim", "hotspotd-modeswitch", "hotspotd-probe", "hotspotd-udev", "ledger-snapshot",  // program and thread labels
        "huawei-e5-mifi", "huawei-stick", "generic-3gpp",            // built-in device dialect names
        "v1-initial", "v2-orders",                                   // ledger schema migration names
        "ports-file", "reveal-key", "reveal-ids",                    // command-line option names
        "hotspot-card",                                              // the print job's title given to lp
        "pin-locked", "puk-locked",                                  // simulator personality SIM states
        "e3372h-pin-locked", "e3372h-webui17", "e5573-webui17-pkcs1", "e5576-ussd-late", "e5576-ussd-timeout",
        "e5576-webui10", "e8372h-webui17", "mobile-wifi", "s3cret-pass",  // HiLink simulator personalities and their data
        "set-cookie",                                                // HTTP header name
        "packed-gsm7-hex", "ucs2-hex",                               // USSD text encodings (ATProtocol), not failures
        "not-serial-device",                                         // SerialPortError raw value, shown as `port-not-serial-device`
        "drop-after", "path-or-url", "device-or-iccid",              // command-line option and value names
        "pcsc-reader",                                               // the SIM readers' driver family name
        "forbidden-character", "too-long",                           // `problem` values of a refused input's details
    ]

    /// The package's `Sources/` directory, found from this file.
    static var sourcesDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources")
    }

    /// Every string literal in the Swift sources that names a code: kebab-case literals, single words passed as
    /// `code:` or as a workflow failure's code, and every declared `FailureCode` member.
    static func codesUsedInSources() throws -> Set<String> {
        let files = FileManager.default.enumerator(at: sourcesDirectory, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" } ?? []
        #expect(files.count > 50, "the sources were not found at \(sourcesDirectory.path)")
        let kebab = try Regex(#""([a-z][a-z0-9]*(?:-[a-z0-9]+)+)""#)
        let codeArgument = try Regex(#"code: "([a-z][a-z0-9-]*)""#)
        let declaration = try Regex(#"FailureCode = "([a-z][a-z0-9-]*)""#)
        let failureArgument = try Regex(#"fail(?:Step)?\(\.[A-Za-z]+, (?:run, )?"([a-z][a-z0-9-]*)""#)
        var codes = Set<String>()
        for file in files where !file.path.contains("/Localization/") {
            let text = try String(contentsOf: file, encoding: .utf8)
            for regex in [kebab, codeArgument, failureArgument, declaration] {
                for match in text.matches(of: regex) {
                    if let captured = match.output[1].substring { codes.insert(String(captured)) }
                }
            }
        }
        return codes.subtracting(notCodes)
    }

    @Test func everyCodeInTheSourcesHasFrenchAndEnglishSentencesAndActions() throws {
        let codes = try Self.codesUsedInSources()
        #expect(codes.contains("voucher-rejected") && codes.contains("sim-pin-required") && codes.contains("device-gone"))
        let named = Set(Messages.stateCodes + Messages.stepCodes + Messages.roleCodes + Messages.voucherStateCodes)
        let missing = codes.filter { !named.contains($0) && !Messages.knowsFailure($0) }.sorted()
        #expect(missing.isEmpty, "codes used in Sources without a French and English sentence and action: \(missing)")
    }

    @Test func everyDeclaredCodeIsFoundByTheScanEvenASingleWord() throws {
        let codes = try Self.codesUsedInSources()
        // Single words are codes only by their declaration: the scan must see them, or an untranslated one would pass.
        for code: FailureCode in [.quarantined, .cancelled, .forbidden, .internalFailure, .deviceGone] {
            #expect(codes.contains(code.rawValue), "\(code) is declared but not scanned")
            #expect(Messages.knowsFailure(code), "\(code)")
        }
    }

    @Test func aTypedCodeTravelsAsItsPlainString() throws {
        let info = FailureInfo(code: .simPINRequired, message: "locked")
        let json = String(decoding: try StationJSON.encoder().encode(info), as: UTF8.self)
        #expect(json.contains(#""code":"sim-pin-required""#), "\(json)")
        let decoded = try StationJSON.decoder().decode(FailureInfo.self, from: Data(#"{"code":"brand-new-code","message":"m"}"#.utf8))
        #expect(decoded.code == FailureCode(rawValue: "brand-new-code") && decoded.code != .deviceGone)
        #expect(FailureCode.Family.ledger.code("corrupt") == "ledger-corrupt" && FailureCode("ledger-corrupt").isIn(.ledger))
        #expect(Messages(language: .french).action(.deviceGone) == Messages(language: .french).action("device-gone"))
    }

    @Test func theEntriesReallyDifferByLanguage() {
        for code in Messages.failureCodes {
            let french = Messages(language: .french), english = Messages(language: .english)
            #expect(french.text(.failure(code)) != english.text(.failure(code)), "\(code)")
            #expect(french.action(code) != english.action(code), "\(code)")
            #expect(french.text(.failure(code)).hasSuffix("."), "\(code) sentence ends with a full stop")
        }
    }

    @Test func everyStateStepAndRoleOfTheAPIIsNamed() {
        for state in DeviceState.allCases { #expect(Messages.stateCodes.contains(state.rawValue), "state \(state.rawValue)") }
        for step in ProvisioningStep.allCases { #expect(Messages.stepCodes.contains(step.rawValue), "step \(step.rawValue)") }
        for role in [DeviceRole.hotspot, .modem, .simReader, .unknown] {
            #expect(Messages.roleCodes.contains(role.rawValue), "role \(role.rawValue)")
        }
        #expect(Messages(language: .french).text(.state("awaiting-plan")) == "attend un forfait")
        #expect(Messages(language: .english).text(.state("awaiting-plan")) == "awaiting-plan")  // English shows the code
    }

    @Test func aFamilyCodeAndAnUnknownCodeStillReadAsSentences() {
        let french = Messages(language: .french)
        #expect(french.text(.failure("ledger-corrupt")).hasPrefix("Le registre"))
        #expect(french.text(.failure("port-hangup")).hasPrefix("Le port série"))
        #expect(french.text(.failure("brand-new-code")) == "Erreur « brand-new-code ».")
        #expect(french.action("brand-new-code") == nil)
        #expect(french.failure(code: "brand-new-code") == "Erreur « brand-new-code ». [brand-new-code]")
    }

    @Test func theSameFailureInBothLanguages() {
        #expect(Messages(language: .french).failure(code: "device-gone") ==
            "L'appareil a été débranché ou ne répond plus. À faire : Rebranchez-le : le solde sera vérifié, aucun nouveau bon n'est utilisé. [device-gone]")
        #expect(Messages(language: .english).failure(code: "device-gone") ==
            "The device was unplugged or stopped answering. Action: Plug it back in: the balance will be checked, no new voucher is used. [device-gone]")
    }
}

/// What people read from `hotspotctl` comes from the catalog: a new English-only header, help text or sentence in
/// `Sources/hotspotctl` fails here, and every catalog entry has its two languages.
@Suite struct CommandLineCatalogTests {
    /// The command-line client's sources, with their file names.
    static func commandLineSources() throws -> [(name: String, text: String)] {
        let directory = CatalogCoverageTests.sourcesDirectory.appendingPathComponent("hotspotctl")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".swift") }.sorted()
        #expect(names.count > 30, "the hotspotctl sources were not found at \(directory.path)")
        return try names.map { ($0, try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8)) }
    }

    /// Literal text where people read it: a column title, an abstract, discussion or option help, a sentence written
    /// out or returned (`"No orders.\n"`). Each must come from the catalog instead.
    static let englishOnlyPatterns: [(what: String, pattern: String)] = [
        ("a table header", #"title: ""#),
        ("a help text", #"(?:abstract|discussion|help): ""#),
        ("an option's help", #"ArgumentHelp\(""#),
        ("an enumerable flag's help", #"case \.[a-z]+: "[A-Z][a-z]* "#),
        ("a sentence written out", #"write\("(?:[A-Z][a-z]|""")"#),
        ("a usage error", #"ValidationError\(""#),
        ("a sentence after a value", #"write\("\\\([^)]*\)[:,]? [a-z]+ [a-z]+"#),
        ("a sentence", #""[A-Z][a-z]+ [a-z]+[^"\\]*\.\\n""#),
    ]

    @Test func theCommandLineHasNoEnglishOnlyHeadersHelpOrSentences() throws {
        var found: [String] = []
        for source in try Self.commandLineSources() {
            for (what, pattern) in Self.englishOnlyPatterns {
                let regex = try Regex(pattern)
                for match in source.text.matches(of: regex) {
                    let line = source.text[..<match.range.lowerBound].filter { $0 == "\n" }.count + 1
                    found.append("\(source.name):\(line): \(what): \(source.text[match.range])")
                }
            }
        }
        #expect(found.isEmpty, "text for people that is not in the catalog:\n\(found.joined(separator: "\n"))")
    }

    /// The patterns above do catch what they are for (a test that could not fail would prove nothing).
    @Test func thePatternsCatchEnglishOnlyText() throws {
        let samples = [#"TextTable.Column(title: "REASON")"#, #"abstract: "List orders.""#,
                       #"@Flag(name: .long, help: "No colours.")"#, #"help: ArgumentHelp("The CSV file.", valueName: "f")"#,
                       #"context.output.write("Exported \(n) events.\n")"#, #"return "No orders.\n""#,
                       #"case .applied: "The credit arrived on the SIM.""#, #"throw ValidationError("--note is empty.")"#,
                       #"output.write("\(status.id): provisioning requested.\n")"#]
        for sample in samples {
            let caught = try Self.englishOnlyPatterns.contains { try Regex($0.pattern).firstMatch(in: sample) != nil }
            #expect(caught, "\(sample)")
        }
        let fine = [#"TextTable.Column(title: m.text(.reason))"#, #"abstract: HelpLanguage.text(.ordersAbstract)"#,
                    #"context.output.write(m.text(.exported, values: ["3"]) + "\n")"#]
        for sample in fine {
            let caught = try Self.englishOnlyPatterns.contains { try Regex($0.pattern).firstMatch(in: sample) != nil }
            #expect(!caught, "\(sample)")
        }
    }

    @Test func everyHelpTextHasTwoLanguages() {
        let french = Messages(language: .french), english = Messages(language: .english)
        for key in HelpText.allCases {
            let fr = french.text(key), en = english.text(key)
            #expect(!fr.isEmpty && !en.isEmpty, "\(key)")
            #expect(fr != en, "\(key) reads the same in French and English")
        }
        #expect(french.text(.devicesAbstract) == "Liste les appareils branchés à la station.")
        #expect(english.text(.devicesAbstract) == "List the devices attached to the station.")
    }

    @Test func everyUsageMessageHasTwoLanguages() {
        let french = Messages(language: .french), english = Messages(language: .english)
        for key in UsageMessage.allCases {
            #expect(french.text(key) != english.text(key), "\(key)")
            #expect(!french.text(key).isEmpty && english.text(key).hasSuffix("."), "\(key)")
        }
        #expect(french.text(.langValue, values: ["de"]) == "--lang prend fr ou en, pas « de ».")
        #expect(english.text(.langValue, values: ["de"]) == "--lang takes fr or en, not 'de'.")
    }

    @Test func everyLabelHasTwoLanguagesAndSentencesDiffer() {
        let french = Messages(language: .french), english = Messages(language: .english)
        for label in Label.allCases {
            let fr = french.text(label), en = english.text(label)
            #expect(!fr.isEmpty && !en.isEmpty, "\(label)")
            // A sentence (lower-case words) must be translated; a header such as ID, IMEI or UID may read the same.
            if en.contains(where: \.isLowercase), en.count > 8 { #expect(fr != en, "\(label) is not translated") }
        }
    }

    @Test func numberedPlaceholdersAreFilledInOnePass() {
        let english = Messages(language: .english)
        #expect(english.text(.orderIs, values: ["7", "1GB", "…6782", "open"]) == "Order 7 (plan 1GB, SIM …6782) is open.")
        // A value that itself holds `%2` stays as it is.
        #expect(english.text(.orderIs, values: ["%2", "x", "y", "z"]) == "Order %2 (plan x, SIM y) is z.")
        #expect(Messages(language: .french).text(.verifyOK, values: ["12", "3", "12:ab"]) ==
            "ok : 12 événements vérifiés en 3 ms\ntête : 12:ab")
    }

    @Test func theCounterWordsFitTheBoardInBothLanguages() {
        for language in Language.allCases {
            let m = Messages(language: language)
            for state in DeviceState.allCases {
                #expect(!m.verdict(state: state.rawValue).isEmpty)
                #expect(m.verdict(state: state.rawValue).count <= 11, "\(state) verdict fits the badge")
                #expect(m.counterAction(state: state.rawValue, failureCode: nil).count <= 21, "\(state) \(language)")
            }
            for code in Messages.counterCodes.failures + Messages.failureCodes {
                #expect(m.counterAction(state: "failed", failureCode: code).count <= 21, "\(code) \(language)")
            }
            for step in ProvisioningStep.allCases {
                #expect(Messages.counterCodes.steps.contains(step.rawValue), "step \(step.rawValue) has a short name")
                #expect(m.shortStep(step.rawValue).count <= 9, "\(step.rawValue) \(language)")
            }
        }
        let french = Messages(language: .french), english = Messages(language: .english)
        #expect(french.verdict(state: "done") == "PRÊT" && english.verdict(state: "done") == "READY")
        #expect(french.counterAction(state: "failed", failureCode: "voucher-rejected") == "Bon refusé : relancer")
        #expect(english.counterAction(state: "failed", failureCode: "voucher-rejected") == "Refused: run again")
        for code in Messages.counterCodes.failures { #expect(Messages.knowsFailure(code), "\(code) is a catalog failure code") }
        #expect(french.counterSummary(states: ["done", "done", "failed", "provisioning"], stock: [(500, 12)])
            == "2 prêts, 1 en échec, 1 en cours, 12 × 500 Mo en stock")
        #expect(english.counterSummary(states: ["done", "awaiting-plan"], stock: [])
            == "1 ready, 0 failed, 1 to choose, no vouchers in stock")
    }
}
