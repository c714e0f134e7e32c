import Testing
@testable import ATProtocol

@Suite struct ATReplyDecoderTests {
    private func decode(_ command: String?, _ reply: String) -> ATDecodeResult {
        ATReplyDecoder.decode(command: command, reply: Array(reply.utf8))
    }

    @Test func decodesICCID() {
        let result = decode("AT^ICCID?", "\r\n^ICCID: 983301214365870921F1\r\n\r\nOK\r\n")
        #expect(!result.isError)
        #expect(result.value == ["iccid": "8933101234567890121", "luhnValid": true, "ok": true])
    }

    @Test func decodesCRSMStatusWordsAsATypedError() {
        let result = decode("AT+CRSM=176,12258,0,0,10", "+CRSM: 106,130,\"\"\r\nOK\r\n")
        #expect(result.isError)
        #expect(result.value["error"]?["kind"] == "simStatus")
        #expect(result.value["error"]?["sw1"] == 106)
    }

    @Test func decodesUSSDBeforeOrAfterOK() {
        for reply in ["OK\r\n+CUSD: 0,\"Balance 5\",15\r\n", "+CUSD: 0,\"Balance 5\",15\r\nOK\r\n"] {
            let result = decode("AT+CUSD=1,\"*100#\",15", reply)
            #expect(result.value == ["status": 0, "text": "Balance 5", "dcs": 15, "rawText": "Balance 5", "ok": true])
        }
        #expect(decode("AT+CUSD=1,\"*100#\",15", "OK\r\n").value == ["ok": true])
    }

    @Test func decodesUnsolicitedLinesWithoutACommand() {
        #expect(decode(nil, "+CUSD: 2\r\n").value == ["status": 2, "text": nil, "dcs": nil, "rawText": nil])
        #expect(decode(nil, "\r\n+CREG: 1,\"1a2b\",\"00C3D4E5\",7\r\n").value
            == ["stat": 1, "lac": "1A2B", "ci": "00C3D4E5", "act": 7])
        #expect(decode(nil, "^RSSI: 20\r\n").value == ["unsolicited": ["^RSSI: 20"]])
        #expect(decode(nil, "+CSQ: 20,99\r\n\r\nOK\r\n").value == ["rssi": 20, "ber": 99, "ok": true])
    }

    @Test func reportsErrorsWithKindCodeAndMessage() {
        let cme = decode("AT+CPIN?", "+CME ERROR: 10\r\n")
        #expect(cme.isError)
        #expect(cme.value == ["error": ["kind": "cme", "code": 10, "message": "SIM not inserted"]])
        #expect(decode("AT^FOO", "COMMAND NOT SUPPORT\r\n").value["error"]?["kind"] == "commandNotSupported")
        #expect(decode("AT+CMGS", "+CMS ERROR: 500\r\n").value["error"]?["code"] == 500)
    }

    @Test func reportsParseErrorsWithTheOffendingLine() {
        let result = decode("AT+CGSN", "8612345678901\r\nOK\r\n")
        #expect(result.isError)
        #expect(result.value["error"] == [
            "kind": "parse", "command": "+CGSN", "line": "8612345678901", "reason": "IMEI must have 14 or 15 digits, got 13",
        ])
        #expect(decode(nil, "hello\r\n").isError)
    }

    @Test func listsUnsolicitedLinesSeenDuringTheReply() {
        let result = decode("AT+CSQ", "AT+CSQ\r\r\n^RSSI: 14\r\n+CSQ: 14,99\r\n^BOOT:1,0,0,0,72\r\nOK\r\n")
        #expect(result.value == ["rssi": 14, "ber": 99, "ok": true, "unsolicited": ["^RSSI: 14", "^BOOT:1,0,0,0,72"]])
    }

    @Test func decodesEveryKindOfCommand() {
        #expect(decode("AT+CGSN", "861234567890127\r\nOK\r\n").value["imei"] == "861234567890127")
        #expect(decode("AT+CIMI", "208150123456789\r\nOK\r\n").value["mnc"] == "15")
        #expect(decode("ATI", "Manufacturer: huawei\r\nModel: E353\r\nOK\r\n").value["model"] == "E353")
        #expect(decode("AT+CGMR", "21.1\r\nOK\r\n").value["text"] == "21.1")
        #expect(decode("AT+CPIN?", "+CPIN: SIM PIN\r\nOK\r\n").value["state"] == "SIM PIN")
        #expect(decode("AT^CPIN?", "^CPIN: READY,,10,3,10,3\r\nOK\r\n").value["pukRemaining"] == 10)
        #expect(decode("AT+COPS?", "+COPS: 0,0,\"Orange F\",7\r\nOK\r\n").value["operator"] == "Orange F")
        #expect(decode("AT+CEREG?", "+CEREG: 2,1,\"1A2B\",\"01A2B3C4\",7\r\nOK\r\n").value["n"] == 2)
        #expect(decode("AT^SYSINFO", "^SYSINFO:2,3,0,5,1\r\nOK\r\n").value["sysMode"] == 5)
        #expect(decode("AT^SYSINFOEX", "^SYSINFOEX:2,3,0,1,,6,\"LTE\",101,\"LTE\"\r\nOK\r\n").value["subModeName"] == "LTE")
        #expect(decode("AT^GETPORTMODE", "^GETPORTMODE: TYPE: WCDMA: huawei,PCUI:1,MDM:0\r\nOK\r\n").value["ports"]
            == ["PCUI": 1, "MDM": 0])
        #expect(decode("AT^SSID?", "^SSID:0,\"home\"\r\nOK\r\n").value["ssids"] == ["0": "home"])
        #expect(decode("AT^WIKEY?", "^WIKEY:1,\"secret12\"\r\nOK\r\n").value["keys"] == ["1": "secret12"])
        #expect(decode("AT^SSID=0,\"x\"", "OK\r\n").value == ["ok": true])
        #expect(decode("AT+COPS=?", "+COPS: (2,\"A\",\"A\",\"20801\",7)\r\nOK\r\n").value["lines"]
            == ["+COPS: (2,\"A\",\"A\",\"20801\",7)"])
    }

    @Test func reportsIncompleteRepliesAndOversizedOnes() {
        #expect(decode("ATE0", "").value["error"]?["kind"] == "incomplete")
        #expect(decode("AT+CSQ", "+CSQ: 1,2").value["rssi"] == 1)
        let big = String(repeating: "y", count: 5000)
        let result = decode("AT^BIG", big + "\r\nOK\r\n")
        #expect(result.value["error"]?["kind"] == "replyTooLarge")
    }

    @Test func decodesTheSameWhateverTheSplit() {
        let reply = Array("AT+CUSD=1,\"*100#\",15\r\r\nOK\r\n+CUSD: 1,\"1. A\r\n2. B\",15\r\n".utf8)
        let whole = ATReplyDecoder.decode(command: "AT+CUSD=1,\"*100#\",15", reply: reply)
        #expect(whole.value["text"] == "1. A\r\n2. B")
        for cut in 0...reply.count {
            #expect(ATReplyDecoder.decode(command: "AT+CUSD=1,\"*100#\",15",
                                          chunks: [Array(reply[..<cut]), Array(reply[cut...])]) == whole)
        }
    }
}
