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
