import Testing
@testable import ATProtocol

@Suite struct ATParseNetworkTests {
    // MARK: PIN

    @Test func parsesEveryCPINState() throws {
        #expect(try ATParse.pinState(["+CPIN: READY"]) == .ready)
        #expect(try ATParse.pinState(["+CPIN: SIM PIN"]) == .simPIN)
        #expect(try ATParse.pinState(["+CPIN: \"SIM PUK\""]) == .simPUK)
        #expect(try ATParse.pinState(["+CPIN: SIM PIN2"]) == .simPIN2)
        #expect(try ATParse.pinState(["+CPIN: SIM PUK2"]) == .simPUK2)
        #expect(try ATParse.pinState(["+CPIN: PH-SIM PIN"]) == .phoneSIMPIN)
        #expect(try ATParse.pinState(["+CPIN: PH-NET PIN"]) == .other("PH-NET PIN"))
        #expect(try ATParse.pinState(["^CPIN: READY,,10,3,10,3"]) == .ready)
        #expect(throws: ATParseError.noInformation(command: "+CPIN")) { try ATParse.pinState([]) }
    }

    @Test func parsesHuaweiPinRetries() throws {
        let ready = try ATParse.pinRetries(["^CPIN: READY,,10,3,10,3"])
        #expect(ready == SIMPinRetries(state: .ready, remaining: nil, pinRemaining: 3, pukRemaining: 10,
                                       pin2Remaining: 3, puk2Remaining: 10))
        let locked = try ATParse.pinRetries(["^CPIN: SIM PIN,2,10,2,10,3"])
        #expect(locked.state == .simPIN)
        #expect(locked.remaining == 2)
        #expect(locked.pinRemaining == 2)
    }

    // MARK: Signal and operator

    @Test func parsesSignalQuality() throws {
        #expect(try ATParse.signalQuality(["+CSQ: 20,99"]) == SignalQuality(rssi: 20, ber: 99))
        #expect(try ATParse.signalQuality(["+CSQ:31,0"]).dBm == -51)
        #expect(try ATParse.signalQuality(["+CSQ: 99,99"]).dBm == nil)
        #expect(throws: ATParseError.self) { try ATParse.signalQuality(["+CSQ: 20"]) }
        #expect(throws: ATParseError.self) { try ATParse.signalQuality(["+CSQ: -1,0"]) }
    }

    @Test func parsesOperatorSelection() throws {
        #expect(try ATParse.operatorSelection(["+COPS: 0,0,\"Orange F\",7"])
            == OperatorSelection(mode: 0, format: 0, operatorName: "Orange F", accessTechnology: 7))
        #expect(try ATParse.operatorSelection(["+COPS: 0"]) == OperatorSelection(mode: 0))
        #expect(try ATParse.operatorSelection(["+COPS: 1,2,\"20801\""]).operatorName == "20801")
    }

    // MARK: Registration

    @Test func parsesRegistrationQueryForms() throws {
        #expect(try ATParse.registration(["+CREG: 0,1"], prefix: "+CREG") == RegistrationStatus(n: 0, stat: 1))
        #expect(try ATParse.registration(["+CREG: 2,1,\"1a2b\",\"00C3D4E5\""], prefix: "+CREG")
            == RegistrationStatus(n: 2, stat: 1, lac: "1A2B", ci: "00C3D4E5"))
        #expect(try ATParse.registration(["+CEREG: 2,5,\"0x1A2B\",\"01A2B3C4\",7"], prefix: "+CEREG")
            == RegistrationStatus(n: 2, stat: 5, lac: "1A2B", ci: "01A2B3C4", act: 7))
        #expect(try ATParse.registration(["+CGREG: 2,1,\"1A2B\",\"0000ABCD\",7,\"01\""], prefix: "+CGREG").act == 7)
    }

    @Test func parsesRegistrationReportForms() throws {
        #expect(try ATParse.registration("+CREG: 1") == RegistrationStatus(stat: 1))
        #expect(try ATParse.registration("+CREG: 1,\"1A2B\",\"00C3D4E5\",2")
            == RegistrationStatus(stat: 1, lac: "1A2B", ci: "00C3D4E5", act: 2))
        #expect(try ATParse.registration("+CGREG: 5,8BE3,2BAF") == RegistrationStatus(stat: 5, lac: "8BE3", ci: "2BAF"))
        #expect(try ATParse.registration("+CEREG: 1,0001,0010,7") == RegistrationStatus(stat: 1, lac: "0001", ci: "0010", act: 7))
        #expect(try ATParse.registration("+CREG: 2,1,1A2B,00C3") == RegistrationStatus(n: 2, stat: 1, lac: "1A2B", ci: "00C3"))
        #expect(throws: ATParseError.self) { try ATParse.registration("+CREG: x") }
    }

    @Test func prefersTheQueryFormOverAReportInTheSameReply() throws {
        #expect(try ATParse.registration(["+CREG: 2", "+CREG: 2,5, 1607, 14DB"], prefix: "+CREG")
            == RegistrationStatus(n: 2, stat: 5, lac: "1607", ci: "14DB"))
    }

    // MARK: Huawei system information and ports

    @Test func parsesSysinfo() throws {
        #expect(try ATParse.systemInfo(["^SYSINFO:2,3,0,5,1,,4"])
            == SystemInfo(srvStatus: 2, srvDomain: 3, roamStatus: 0, sysMode: 5, simState: 1))
        #expect(throws: ATParseError.self) { try ATParse.systemInfo(["^SYSINFO:2,3"]) }
    }

    @Test func parsesSysinfoEx() throws {
        #expect(try ATParse.systemInfoEx(["^SYSINFOEX:2,3,0,1,,6,\"LTE\",101,\"LTE\""])
            == SystemInfoEx(srvStatus: 2, srvDomain: 3, roamStatus: 0, simState: 1, sysMode: 6,
                            sysModeName: "LTE", subMode: 101, subModeName: "LTE"))
        #expect(try ATParse.systemInfoEx(["^SYSINFOEX:2,3,0,1,,3,WCDMA,41,HSPA+"]).subModeName == "HSPA+")
    }

    @Test func parsesPortModeInOrder() throws {
        let ports = try ATParse.portMode(["^GETPORTMODE: TYPE: WCDMA: huawei,MDM:0,PCUI:1,NDIS:2,CDROM:3,SD:4,"])
        #expect(ports.map(\.name) == ["MDM", "PCUI", "NDIS", "CDROM", "SD"])
        #expect(ports.map(\.index) == [0, 1, 2, 3, 4])
        #expect(try ATParse.portMode(["^GETPORTMODE: TYPE: WCDMA: Huawei Technologies Co.,Ltd.,"]).isEmpty)
    }

    // MARK: Wi-Fi

    @Test func parsesSSIDAndKeyQueries() throws {
        #expect(try ATParse.ssids(["^SSID:0,\"Cafe, \"Wifi\"\"", "^SSID: 1,\"guest\""]) == [0: "Cafe, \"Wifi\"", 1: "guest"])
        #expect(try ATParse.wifiKeys(["^WIKEY:0,\"secret123\""]) == [0: "secret123"])
        #expect(throws: ATParseError.noInformation(command: "^SSID")) { try ATParse.ssids(["OK"]) }
    }

    @Test func portModeNamesAreUppercasedAndOddSegmentsSkipped() throws {
        let ports = try ATParse.portMode(["^GETPORTMODE: TYPE: WCDMA: huawei,pcui:1, Ndis : 2 ,BAD NAME:3,GPS:x,:4,DIAG:+5"])
        #expect(ports.map(\.name) == ["PCUI", "NDIS", "DIAG"])
        #expect(ports.map(\.index) == [1, 2, 5])
        #expect(try ATParse.portMode(["^GETPORTMODE: ß:1"]).map(\.name) == ["SS"])
    }

    @Test func registrationLocationFieldsAreUppercaseHexWithoutQuotesOrPrefix() throws {
        let status = try ATParse.registration("+CREG: 2,1,\"0x00a1\",\"0Xbeef\",7")
        #expect(status.lac == "00A1")
        #expect(status.ci == "BEEF")
        #expect(try ATParse.registration("+CREG: 2,1,\"0x\",\"zz\"").lac == nil)
    }
}
