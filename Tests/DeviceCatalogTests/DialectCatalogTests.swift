import ATProtocol
import DeviceCatalog
import Foundation
import Testing

/// Which dialect a device gets from its `+CGMI` / `+CGMM` answers, and what that dialect says.
@Suite struct DialectCatalogTests {
    let catalog = DialectCatalog()

    /// A shipped dialect by name (the floor when missing, which the assertions then catch by name).
    func shipped(_ name: String) -> DeviceDialect { catalog.dialect(named: name) ?? .floor }

    @Test func choosesMiFiDialectForHuaweiE5Models() {
        for model in ["E5573Cs-322", "E5330Bs-2", "E5577Cs-321", "E5785Lh-22c"] {
            let dialect = catalog.dialect(manufacturer: "huawei", model: model)
            #expect(dialect.name == "huawei-e5-mifi", "model \(model)")
            #expect(dialect.hasWiFi)
            #expect(dialect.ussdEncoding == .packedGSM7)
        }
    }

    @Test func matchesManufacturerCaseInsensitively() {
        #expect(catalog.dialect(manufacturer: "HUAWEI", model: "E5573").name == "huawei-e5-mifi")
        #expect(catalog.dialect(manufacturer: "Huawei Technologies Co., Ltd.", model: "E3131").name == "huawei-stick")
    }

    @Test func choosesStickDialectForHuaweiModemsWithoutWiFi() {
        for model in ["E3131", "E173", "E353", "K3765"] {
            let dialect = catalog.dialect(manufacturer: "huawei", model: model)
            #expect(dialect.name == "huawei-stick", "model \(model)")
            #expect(!dialect.hasWiFi)
        }
    }

    @Test func fallsBackToGenericForOtherVendorsAndMissingIdentity() {
        // Makers without a dialect file of their own (Quectel, Sierra… have one: VendorDialectFilesTests).
        #expect(catalog.dialect(manufacturer: "Novatel Wireless Incorporated", model: "DELL XU870 ExpressCard").name == "generic-3gpp")
        #expect(catalog.dialect(manufacturer: "Fibocom", model: "L850-GL").name == "generic-3gpp")
        // The Huawei patterns need a manufacturer: a device that did not answer +CGMI is generic.
        #expect(catalog.dialect(manufacturer: nil, model: "E5573").name == "generic-3gpp")
        #expect(catalog.dialect(manufacturer: nil, model: nil) == shipped("generic-3gpp"))
        #expect(!shipped("generic-3gpp").hasWiFi)
        #expect(shipped("generic-3gpp").ussdEncoding == .text)
    }

    @Test func configuredDialectComesBeforeBuiltIns() {
        let custom = DeviceDialect(
            name: "e5577-text-ussd", manufacturerPattern: "huawei", modelPattern: "^E5577",
            wifiStore: shipped("huawei-e5-mifi").wifiStore, iccidCommands: [.crsm], ussdEncoding: .text, setupCommands: ["ATE0"])
        let catalog = DialectCatalog(configured: [custom])
        #expect(catalog.dialects.first == custom)
        #expect(catalog.dialects.count == ShippedDialects.all.count + 1)
        #expect(catalog.dialect(manufacturer: "huawei", model: "E5577Cs-321") == custom)
        // Other E5 models still get the built-in dialect.
        #expect(catalog.dialect(manufacturer: "huawei", model: "E5573").name == "huawei-e5-mifi")
    }

    @Test func modelPatternIsARegularExpressionNotASubstring() {
        // "^E5[0-9]" is anchored: a stick whose model merely contains "E5" is not a MiFi.
        #expect(catalog.dialect(manufacturer: "huawei", model: "ME5100").name == "huawei-stick")
    }

    @Test func timeoutsFallBackToDefaultThenFiveSeconds() {
        #expect(shipped("huawei-e5-mifi").timeout("wifi") == .milliseconds(8000))
        #expect(shipped("huawei-e5-mifi").timeout("ussd") == .milliseconds(10000))
        #expect(shipped("huawei-stick").timeout("wifi") == .milliseconds(5000))
        let bare = DeviceDialect(name: "bare", manufacturerPattern: nil, modelPattern: nil,
                                 iccidCommands: [.ccid], ussdEncoding: .text, setupCommands: [])
        #expect(bare.timeout("iccid") == .seconds(5))
    }

    @Test func everyICCIDCommandDecodesARealisticAnswer() throws {
        // ICCID 89441000300000000004 (Luhn-valid) as each command form returns it.
        let replies: [ICCIDCommand: String] = [
            .huaweiICCID: "\r\n^ICCID: 98440100030000000040\r\n\r\nOK\r\n",
            .crsm: "\r\n+CRSM: 144,0,\"98440100030000000040\"\r\n\r\nOK\r\n",
            .ccid: "\r\n+CCID: 89441000300000000004\r\n\r\nOK\r\n",
            .iccid: "\r\n+ICCID: 89441000300000000004\r\n\r\nOK\r\n",
            .qccid: "\r\n+QCCID: 89441000300000000004\r\n\r\nOK\r\n",
            .zteICCID: "\r\n+ZGETICCID: 89441000300000000004\r\n\r\nOK\r\n",
            .sierraICCID: "\r\n!ICCID: 89441000300000000004\r\n\r\nOK\r\n",
            .telitCCID: "\r\n#CCID: 89441000300000000004\r\n\r\nOK\r\n",
            .simcomICCID: "\r\n+ICCID: 89441000300000000004\r\n\r\nOK\r\n",
            .cinterionSCID: "\r\n^SCID: 89441000300000000004\r\n\r\nOK\r\n",
        ]
        for command in ICCIDCommand.allCases {
            let reply = try #require(replies[command], "no reply for \(command)")
            let result = ATReplyDecoder.decode(command: command.command, reply: Array(reply.utf8))
            #expect(!result.isError, "\(command.command)")
            #expect(result.value["iccid"]?.stringValue == "89441000300000000004", "\(command.command)")
            #expect(result.value["luhnValid"]?.boolValue == true, "\(command.command)")
        }
    }

    @Test func dialectsAreReadFromConfigurationJSON() throws {
        let json = """
        {"name": "zte-mf", "manufacturerPattern": "zte", "modelPattern": "^MF",
         "iccidCommands": ["+CRSM", "+CCID"], "ussdEncoding": "text", "setupCommands": ["ATE0"],
         "timeoutsMS": {"default": 3000}}
        """
        let dialect = try JSONDecoder().decode(DeviceDialect.self, from: Data(json.utf8))
        #expect(dialect.iccidCommands == [.crsm, .ccid])
        #expect(dialect.timeout("ussd") == .milliseconds(3000))
        #expect(DialectCatalog(configured: [dialect]).dialect(manufacturer: "ZTE CORPORATION", model: "MF823") == dialect)
        // Other ZTE models fall through to the shipped ZTE dialect.
        #expect(DialectCatalog(configured: [dialect]).dialect(manufacturer: "ZTE CORPORATION", model: "K4201").name == "zte")
    }
}
