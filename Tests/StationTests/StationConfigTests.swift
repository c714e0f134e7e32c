import Foundation
@testable import Station
import StationAPI
import Testing
import TestSupport

@Suite struct StationConfigTests {
    static let valid = """
    {
      "plans": [{ "name": "500MB", "megabytes": 500, "priceCents": 100 }],
      "defaultPlan": "500MB",
      "wifi": { "ssidTemplate": "Connexion-{iccid4}", "keyLength": 12 },
      "operators": [{ "name": "SimuNet", "mccmnc": ["00101"], "rechargeTemplate": "*123*{code}#",
                      "balanceCode": "*100#", "successPattern": "reussi", "refusalPattern": "invalide",
                      "balancePattern": "solde[^0-9]*([0-9]+) Mo" }]
    }
    """

    func parse(_ text: String) throws(ConfigError) -> StationConfig {
        try StationConfig.parse(Data(text.utf8), file: "hotspotd.json")
    }

    @Test func acceptsTheShippedExample() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let config = try StationConfig.load(path: root.appendingPathComponent("config/hotspotd.example.json").path)
        #expect(config.plan(named: "500MB")?.megabytes == 500)
        #expect(config.operators.first?.replyTimeoutSeconds == 60)
    }

    @Test func fillsDefaultsForOptionalKeys() throws {
        let config = try parse(Self.valid)
        #expect(config.operators[0].balanceUnit == "MB")
        #expect(config.wifi.dataLockCode == nil)
        #expect(config.policy.operatorProfile(for: "001019999999999")?.name == "SimuNet")
    }

    @Test(arguments: [
        ("\"megabytes\": 500", "\"megabytes\": \"lots\"", "plans[0].megabytes", "must be a number"),
        ("\"defaultPlan\": \"500MB\"", "\"defaultPlan\": \"9GB\"", "defaultPlan", "names no plan in 'plans'"),
        ("\"keyLength\": 12", "\"keyLength\": 6", "wifi.keyLength", "must be between 12 and 63"),
        ("solde[^0-9]*([0-9]+) Mo", "solde [0-9]+ Mo", "operators[0].balancePattern", "needs one capture group around the balance figure"),
        ("\"*123*{code}#\"", "\"*123#\"", "operators[0].rechargeTemplate", "must contain {code} exactly once"),
        ("Connexion-{iccid4}", "Wi\\\"Fi-{iccid4}", "wifi.ssidTemplate", "contains characters a hotspot cannot store (quote, semicolon, control or non-ASCII)"),
        ("\"balanceCode\": \"*100#\",", "", "operators[0].balanceCode", "is missing"),
        // Numbers that would overflow the workflow's sums pass JSON but not the checks.
        ("\"megabytes\": 500", "\"megabytes\": 9223372036854775807", "plans[0].megabytes", "must be between 1 and 1048576 (1 TB)"),
        ("\"priceCents\": 100", "\"priceCents\": 9223372036854775807", "plans[0].priceCents", "must be between 0 and 1000000"),
        // A refusal pattern that also reads the operator's success reply would record spent vouchers as refused.
        ("\"refusalPattern\": \"invalide\",", "\"refusalPattern\": \"invalide|deja utilise|solde\", \"examples\": { \"success\": \"Rechargement reussi. Solde: 1000 Mo\" },",
         "operators[0].refusalPattern", "matches the operator's success reply (examples.success): a spent voucher would be recorded as refused"),
        ("\"refusalPattern\": \"invalide\",", "\"refusalPattern\": \"invalide\", \"examples\": { \"balance\": \"Votre solde: 1e9 Mo\" },",
         "operators[0].balancePattern", "does not read a balance from the operator's balance reply (examples.balance): the balance pattern does not match the reply"),
    ])
    func namesTheKeyAndTheReason(original: String, replacement: String, key: String, reason: String) {
        let text = Self.valid.replacingOccurrences(of: original, with: replacement)
        #expect(text != Self.valid)
        #expect(throws: ConfigError(file: "hotspotd.json", key: key, reason: reason)) { try parse(text) }
    }

    @Test func refusesPathsTheDaemonMustNotWrite() throws {
        let temporary = try TemporaryDirectory(prefix: "state")
        let directory = temporary.path
        let ledger = directory + "/ledger.sqlite"
        func problems(_ extra: String) throws -> [String] {
            let text = Self.valid.replacingOccurrences(of: "\"defaultPlan\": \"500MB\",", with: "\"defaultPlan\": \"500MB\", \(extra)")
            return try parse(text).pathProblems(databasePath: ledger).map { "\($0.key): \($0.reason)" }
        }
        #expect(try problems(#""discovery": { "portMemoryFile": "\#(ledger)" },"#).first?.hasPrefix("discovery.portMemoryFile: is the ledger") == true)
        #expect(try problems(#""discovery": { "portMemoryFile": "\#(ledger)-wal" },"#).first?.hasPrefix("discovery.portMemoryFile: is the ledger") == true)
        #expect(try problems(#""discovery": { "portMemoryFile": "/etc/passwd" },"#).first?.hasPrefix("discovery.portMemoryFile: must be inside") == true)
        #expect(try problems(#""discovery": { "portMemoryFile": "\#(directory)/at-ports.json" },"#).isEmpty)
        #expect(try problems(#""discovery": { "portMemoryFile": null },"#).isEmpty)
        #expect(try problems(#""backupDirectory": "relative","#).first == "backupDirectory: must be an absolute path")
        #expect(try problems(#""backupDirectory": "\#(directory)","#).first?.hasPrefix("backupDirectory: must be a directory of its own") == true)
        // A link planted inside the state directory that points at the ledger is seen through.
        #expect(FileManager.default.createFile(atPath: ledger, contents: nil))
        symlink(ledger, directory + "/innocent.json")
        #expect(try problems(#""discovery": { "portMemoryFile": "\#(directory)/innocent.json" },"#).first?.hasPrefix("discovery.portMemoryFile: is the ledger") == true)
    }

    @Test func refusesUnknownKeysWithTheirPathAndTheNearestKnownOne() {
        let misspelt = Self.valid.replacingOccurrences(of: "\"refusalPattern\": \"invalide\"", with: "\"refusalPatern\": \"invalide|solde\", \"refusalPattern\": \"invalide\"")
        #expect(throws: ConfigError(file: "hotspotd.json", key: "operators[0].refusalPatern",
                                    reason: "is not a known setting (did you mean 'refusalPattern'?)")) { try parse(misspelt) }
        let top = Self.valid.replacingOccurrences(of: "\"defaultPlan\": \"500MB\",", with: "\"defaultPlan\": \"500MB\", \"defaultplan\": \"2GB\",")
        #expect(throws: ConfigError(file: "hotspotd.json", key: "defaultplan", reason: "is not a known setting (did you mean 'defaultPlan'?)")) {
            try parse(top)
        }
        let far = Self.valid.replacingOccurrences(of: "\"keyLength\": 12", with: "\"keyLength\": 12, \"colour\": \"blue\"")
        #expect(throws: ConfigError(file: "hotspotd.json", key: "wifi.colour", reason: "is not a known setting")) { try parse(far) }
        // Maps keyed by data (ICCIDs) take any key.
        let pins = Self.valid.replacingOccurrences(of: "\"defaultPlan\": \"500MB\",", with: "\"defaultPlan\": \"500MB\", \"simPINs\": { \"89330000000000000001\": \"1234\" },")
        #expect(throws: Never.self) { try parse(pins) }
    }

    @Test func refusesTextThatIsNotJSON() {
        #expect(throws: ConfigError(file: "hotspotd.json", key: nil, reason: "is not valid JSON")) { try parse("plans = []") }
    }

    @Test func refusesAMissingFileWithItsName() {
        do {
            _ = try StationConfig.load(path: "/nonexistent/hotspotd.json")
            Issue.record("expected an error")
        } catch {
            #expect(error.file == "/nonexistent/hotspotd.json")
            #expect(error.description.hasPrefix("/nonexistent/hotspotd.json: cannot be read"))
        }
    }
}

@Suite struct VoucherCSVTests {
    let plans: Set<String> = ["500MB", "2GB"]

    @Test func readsRowsWithTheirLines() throws {
        let rows = try VoucherCSV.parse("code,plan\r\n# partner batch 7\n\n123456789012,500MB\n 987654321098 , 2GB \n", knownPlans: plans)
        #expect(rows == [VoucherCSV.Row(code: "123456789012", plan: "500MB", line: 4),
                         VoucherCSV.Row(code: "987654321098", plan: "2GB", line: 5)])
    }

    @Test func acceptsColumnsInAnyOrder() throws {
        let rows = try VoucherCSV.parse("plan,code\n2GB,55556666\n", knownPlans: plans)
        #expect(rows.first?.code == "55556666")
    }

    @Test(arguments: [
        ("code,plan\n1234567890,500MB\n12\"34,500MB\n", 3, "quotes are not allowed in voucher files"),
        ("code,plan\n1234567890,500MB\n1234;AT+CFUN=0,500MB\n", 3, "a voucher code is 4 to 32 digits"),
        ("code,plan\n123,500MB\n", 2, "a voucher code is 4 to 32 digits"),
        ("code,plan\n1234567890,1TB\n", 2, "plan '1TB' is not configured (plans: 2GB, 500MB)"),
        ("code,plan\n1234567890,500MB\n1234567890,2GB\n", 3, "the voucher ending 7890 repeats line 2"),
        ("numero;plan\n1234567890;500MB\n", 1, "the first line must be the header 'code,plan' (or 'code;plan')"),
        ("code,plan\n1234567890\n", 2, "expected 2 fields, found 1"),
    ])
    func refusesTheWholeFileNamingTheLine(text: String, line: Int, reason: String) {
        #expect(throws: VoucherCSV.Problem(line: line, reason: reason)) { try VoucherCSV.parse(text, knownPlans: plans) }
    }

    @Test func refusesAFileWithoutVouchers() {
        #expect(throws: VoucherCSV.Problem(line: nil, reason: "the file has no vouchers")) {
            try VoucherCSV.parse("code,plan\n", knownPlans: plans)
        }
        #expect(throws: VoucherCSV.Problem(line: nil, reason: "the file is empty")) { try VoucherCSV.parse("", knownPlans: plans) }
    }
}

@Suite struct RedactionTests {
    @Test func keepsOnlyTheLastFourCharacters() {
        #expect(Redaction.identifier("89001010000123456782", reveal: false) == "…6782")
        #expect(Redaction.identifier("89001010000123456782", reveal: true) == "89001010000123456782")
        #expect(Redaction.identifier("1234", reveal: false) == "…")
        #expect(Redaction.voucherCode("1111222233334444", reveal: false) == "••••4444")
    }

    @Test func matchesWholeValuesOrUniqueDigitSuffixes() {
        #expect(Redaction.matches("6782", "89001010000123456782"))
        #expect(Redaction.matches("89001010000123456782", "89001010000123456782"))
        #expect(!Redaction.matches("782", "89001010000123456782"), "three digits are too few to pick a device")
        #expect(!Redaction.matches("x6782", "89001010000123456782"))
    }

    @Test func hidesIdentifiersInLedgerDetails() {
        let detail = ["imsi": "001010000012345", "iccid.luhn": "valid", "plan": "500MB"]
        let hidden = Station.redact(detail: detail, reveal: false)
        #expect(hidden["imsi"] == "…2345")
        #expect(hidden["plan"] == "500MB")
        #expect(Station.redact(detail: detail, reveal: true) == detail)
    }

    @Test func escapesTheWiFiQRPayload() {
        #expect(WiFiQRPayload.make(ssid: "Café;1", key: "a\\b:c,d\"e") == "WIFI:T:WPA;S:Café\\;1;P:a\\\\b\\:c\\,d\\\"e;;")
    }
}
