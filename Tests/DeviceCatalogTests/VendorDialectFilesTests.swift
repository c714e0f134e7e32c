import ATProtocol
import DeviceCatalog
import Testing

/// The non-Huawei dialect files: each maker, as its devices spell themselves in recorded `+CGMI` answers, gets its
/// own dialect, whose ICCID commands keep 27.007's `+CRSM` as a fallback and whose notes cite where the facts come from.
@Suite struct VendorDialectFilesTests {
    let catalog = DialectCatalog()

    /// Recorded `+CGMI` answers (ModemManager's device table, python-gsmmodem's profiles, gammu logs, forum captures)
    /// and the dialect each must get.
    static let recordedMakers: [(manufacturer: String, model: String, dialect: String)] = [
        ("ZTE INCORPORATED", "MF627", "zte"),
        ("ZTE CORPORATION", "MF710", "zte"),
        ("Sierra Wireless, Inc.", "C885", "sierra"),
        ("Sierra Wireless, Incorporated", "MC7455", "sierra"),
        ("Option N.V.", "GlobeTrotter HSUPA Modem", "option"),
        ("TCT Mobile International Limited", "HSPA Data Card", "alcatel"),
        ("QUALCOMM INCORPORATED", "M6280", "qualcomm"),
        ("Quectel", "EC25", "quectel"),
        ("SIMCOM INCORPORATED", "SIMCOM_SIM7600E-H", "simcom"),
        ("SIMCOM_Ltd", "SIMCOM_SIM800L", "simcom"),
        ("Telit", "LE910C1-EUX", "telit"),
        ("u-blox", "SARA-R410M-02B", "ublox"),
        ("WAVECOM MODEM", "MULTIBAND  900E  1800", "wavecom"),
        ("huawei", "E3131", "huawei-stick"),
    ]

    @Test(arguments: VendorDialectFilesTests.recordedMakers.map { "\($0.manufacturer)|\($0.model)|\($0.dialect)" })
    func eachRecordedMakerGetsItsDialect(_ row: String) {
        let fields = row.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        #expect(catalog.dialect(manufacturer: fields[0], model: fields[1]).name == fields[2], "\(fields[0])")
    }

    @Test func vendorDialectsFallBackToCRSMAndCiteTheirSources() throws {
        for name in ["zte", "sierra", "option", "alcatel", "qualcomm", "quectel", "simcom", "telit", "ublox", "wavecom"] {
            let dialect = try #require(catalog.dialect(named: name), "\(name) ships")
            #expect(dialect.iccidCommands.contains(.crsm), "\(name)")
            #expect((dialect.notes ?? "").count > 80, "\(name) cites its sources")
            #expect(!dialect.hasWiFi, "\(name): no AT Wi-Fi store is known for this maker")
            #expect(dialect.setupCommands.first == "ATE0", "\(name)")
        }
    }

    @Test func vendorCommandsComeBeforeTheStandardOne() throws {
        let expectedFirst: [String: ICCIDCommand] = [
            "zte": .zteICCID, "sierra": .sierraICCID, "quectel": .qccid, "simcom": .ccid, "telit": .telitCCID,
            "ublox": .ccid, "wavecom": .ccid,
        ]
        for (name, first) in expectedFirst {
            #expect(try #require(catalog.dialect(named: name)).iccidCommands.first == first, "\(name)")
        }
    }

    @Test func theWavecomTakesCPINWithoutOKAndSpeaksHexUSSD() throws {
        let wavecom = try #require(catalog.dialect(named: "wavecom"))
        #expect(wavecom.finalResultGrace == .milliseconds(500))
        #expect(wavecom.ussdEncoding == .eightBitHex)
        #expect(try ATCommand.ussd("*100#", encoding: wavecom.ussdEncoding) == "AT+CUSD=1,\"2A31303023\",15")
        // Every other dialect needs its final result.
        for name in ["zte", "sierra", "option", "alcatel", "qualcomm", "quectel", "simcom", "telit", "ublox"] {
            #expect(try #require(catalog.dialect(named: name)).finalResultGrace == nil, "\(name)")
            #expect(try #require(catalog.dialect(named: name)).ussdEncoding == .text, "\(name)")
        }
    }
}
