import Testing
@testable import ATProtocol

@Suite struct ATResponseAssemblerTests {
    typealias Event = SplitHarness.Event

    private func events(_ text: String, command: String?, maxLine: Int = 4096, maxReply: Int = 16384,
                        sourceLocation: SourceLocation = #_sourceLocation) -> [Event] {
        SplitHarness.events(Array(text.utf8), command: command, maxLine: maxLine, maxReply: maxReply,
                            sourceLocation: sourceLocation)
    }

    @Test func assemblesAReplyWithEchoOff() {
        #expect(events("\r\n861234567890127\r\n\r\nOK\r\n", command: "AT+CGSN")
            == [.response("AT+CGSN", ["861234567890127"], .ok)])
    }

    @Test func absorbsTheEcho() {
        #expect(events("AT+CGSN\r\r\n861234567890127\r\n\r\nOK\r\n", command: "AT+CGSN")
            == [.response("AT+CGSN", ["861234567890127"], .ok)])
    }

    @Test func absorbsAnEchoAfterLeadingGarbage() {
        let bytes: [UInt8] = [0xFF, 0xFE, 0x00, 0x81] + Array("AT+CSQ\r\r\n+CSQ: 20,99\r\n\r\nOK\r\n".utf8)
        #expect(SplitHarness.events(bytes, command: "AT+CSQ") == [.response("AT+CSQ", ["+CSQ: 20,99"], .ok)])
    }

    @Test func absorbsAPartialEcho() {
        #expect(events("AT+CG\r\n861234567890127\r\nOK\r\n", command: "AT+CGSN")
            == [.response("AT+CGSN", ["861234567890127"], .ok)])
        #expect(events("+CGSN\r\n861234567890127\r\nOK\r\n", command: "AT+CGSN")
            == [.response("AT+CGSN", ["861234567890127"], .ok)])
    }

    @Test func dropsGarbageOnlyLines() {
        let bytes: [UInt8] = [0xFF, 0xFE, 0x0D, 0x0A, 0x01, 0x02, 0x0D, 0x0A, 0xC3, 0x0D, 0x0A] + Array("OK\r\n".utf8)
        #expect(SplitHarness.events(bytes, command: "AT") == [.response("AT", [], .ok)])
    }

    @Test func acceptsBareLFAndMissingFinalLineEnd() {
        #expect(events("\n+CSQ: 20,99\n\nOK", command: "AT+CSQ")
            == [.response("AT+CSQ", ["+CSQ: 20,99"], .ok)])
    }

    @Test func separatesURCsBetweenInformationLines() {
        let reply = "ATI\r\r\nManufacturer: huawei\r\n^RSSI: 14\r\nModel: E353\r\n^BOOT:12345,0,0,0,72\r\nRevision: 21.1\r\n\r\nOK\r\n"
        #expect(events(reply, command: "ATI") == [
            .urc("^RSSI", "^RSSI: 14"),
            .urc("^BOOT", "^BOOT:12345,0,0,0,72"),
            .response("ATI", ["Manufacturer: huawei", "Model: E353", "Revision: 21.1"], .ok),
        ])
    }

    @Test func reportsURCsBeforeTheEchoAndAfterTheFinalResult() {
        let reply = "^MODE:5,4\r\nAT+CSQ\r\r\n+CSQ: 20,99\r\n\r\nOK\r\n\r\n^RSSI: 20\r\nRING\r\n"
        #expect(events(reply, command: "AT+CSQ") == [
            .urc("^MODE", "^MODE:5,4"),
            .response("AT+CSQ", ["+CSQ: 20,99"], .ok),
            .urc("^RSSI", "^RSSI: 20"),
            .urc("RING", "RING"),
        ])
    }

    @Test func treatsCREGAsAnswerOnlyWhileItsQueryIsInFlight() {
        #expect(events("+CREG: 0,1\r\nOK\r\n", command: "AT+CREG?") == [.response("AT+CREG?", ["+CREG: 0,1"], .ok)])
        #expect(events("+CREG: 0,1\r\nOK\r\n", command: "AT+CSQ") == [
            .urc("+CREG", "+CREG: 0,1"), .response("AT+CSQ", [], .ok),
        ])
        #expect(events("+CREG: 1\r\nOK\r\n", command: "AT+CREG=2") == [
            .urc("+CREG", "+CREG: 1"), .response("AT+CREG=2", [], .ok),
        ])
        #expect(events("+CREG: 1\r\n", command: nil) == [.urc("+CREG", "+CREG: 1")])
    }

    @Test func treatsCUSDAsUnsolicitedBeforeOrAfterOK() {
        let before = "AT+CUSD=1,\"*100#\",15\r\r\n+CUSD: 0,\"Balance 5.00\",15\r\nOK\r\n"
        #expect(events(before, command: "AT+CUSD=1,\"*100#\",15") == [
            .urc("+CUSD", "+CUSD: 0,\"Balance 5.00\",15"),
            .response("AT+CUSD=1,\"*100#\",15", [], .ok),
        ])
        let after = "\r\nOK\r\n\r\n+CUSD: 0,\"Balance 5.00\",15\r\n"
        #expect(events(after, command: "AT+CUSD=1,\"*100#\",15") == [
            .response("AT+CUSD=1,\"*100#\",15", [], .ok),
            .urc("+CUSD", "+CUSD: 0,\"Balance 5.00\",15"),
        ])
    }

    @Test func joinsAMultiLineUSSDText() {
        let reply = "OK\r\n+CUSD: 1,\"1. Balance\r\n2. Recharge\r\n3. Exit\",15\r\n"
        #expect(events(reply, command: "AT+CUSD=1,\"*100#\",15") == [
            .response("AT+CUSD=1,\"*100#\",15", [], .ok),
            .urc("+CUSD", "+CUSD: 1,\"1. Balance\r\n2. Recharge\r\n3. Exit\",15"),
        ])
    }

    @Test func endsTheReplyOnEveryErrorFinal() {
        #expect(events("+CME ERROR: 10\r\n", command: "AT+CIMI")
            == [.response("AT+CIMI", [], .cme(CMEError(code: 10, message: "SIM not inserted")))])
        #expect(events("COMMAND NOT SUPPORT\r\n", command: "AT^SYSINFOEX")
            == [.response("AT^SYSINFOEX", [], .commandNotSupported)])
        #expect(events("NO CARRIER\r\n", command: "ATD*99#") == [.response("ATD*99#", [], .noCarrier)])
        #expect(events("NO CARRIER\r\n", command: nil) == [.urc("NO CARRIER", "NO CARRIER")])
    }

    @Test func reportsReplyTooLargeAndDrainsTheRest() {
        var text = "AT^FOO\r\r\n"
        for index in 0..<20 { text += "line \(index) " + String(repeating: "x", count: 20) + "\r\n" }
        text += "OK\r\n^RSSI: 5\r\n"
        let out = events(text, command: "AT^FOO", maxReply: 200)
        #expect(out == [.output(.replyTooLarge(command: "AT^FOO")), .urc("^RSSI", "^RSSI: 5")])
    }

    @Test func endsTheReplyWhenALineOverflows() {
        let text = "AT^FOO\r\r\n" + String(repeating: "z", count: 100) + "\r\nOK\r\n+CSQ: 1,2\r\n"
        let out = events(text, command: "AT^FOO", maxLine: 50)
        #expect(out == [.overflow(100), .output(.replyTooLarge(command: "AT^FOO")), .urc("+CSQ", "+CSQ: 1,2")])
    }

    @Test func drainingStopsAtTheEchoOfTheNextCommand() {
        var assembler = ATResponseAssembler(maxReplyBytes: 20)
        assembler.begin(command: "AT^BIG")
        #expect(assembler.consume("0123456789abcdefghijklmnop") == .replyTooLarge(command: "AT^BIG"))
        #expect(!assembler.isAwaitingReply)
        assembler.begin(command: "AT+CSQ")
        #expect(assembler.consume("more of the big reply") == nil)
        #expect(assembler.consume("AT+CSQ") == nil)
        #expect(assembler.consume("+CSQ: 3,4") == nil)
        #expect(assembler.consume("OK") == .response(ATResponse(command: "AT+CSQ", lines: ["+CSQ: 3,4"], final: .ok)))
    }

    @Test func abandonMakesLaterLinesUnsolicited() {
        var assembler = ATResponseAssembler()
        assembler.begin(command: "AT+COPS=?")
        #expect(assembler.isAwaitingReply)
        assembler.abandon()
        #expect(!assembler.isAwaitingReply)
        #expect(assembler.consume("OK") == .unsolicited(ATUnsolicited(name: "OK", line: "OK")))
    }

    @Test func acceptsVendorAliasPrefixes() {
        #expect(events("+ICCID: 8933101234567890121\r\nOK\r\n", command: "AT+CCID")
            == [.response("AT+CCID", ["+ICCID: 8933101234567890121"], .ok)])
    }

    @Test func derivesCommandNames() {
        #expect(ATResponseAssembler.commandName("AT+CREG?") == ("+CREG", false))
        #expect(ATResponseAssembler.commandName("AT+CREG=2") == ("+CREG", true))
        #expect(ATResponseAssembler.commandName("AT+COPS=?") == ("+COPS", false))
        #expect(ATResponseAssembler.commandName("ATI") == ("I", false))
        #expect(ATResponseAssembler.commandName("at^iccid?") == ("^ICCID", false))
        #expect(ATResponseAssembler.commandName("AT!ICCID?") == ("!ICCID", false))
        #expect(ATResponseAssembler.commandName("AT#CCID") == ("#CCID", false))
    }

    @Test func enforcesTheDefault16KiBReplyCapAndResyncs() {
        var framer = ATLineFramer()
        var assembler = ATResponseAssembler()
        assembler.begin(command: "AT+COPS=?")
        var text = ""
        for index in 0..<20 { text += "+COPS: (\(index),\"" + String(repeating: "n", count: 1000) + "\")\r\n" }
        text += "OK\r\n"
        var outputs: [ATAssemblerOutput] = []
        for item in framer.append(Array(text.utf8)) {
            if let output = assembler.consume(item) { outputs.append(output) }
        }
        #expect(outputs == [.replyTooLarge(command: "AT+COPS=?")])
        assembler.begin(command: "AT")
        #expect(framer.append(Array("OK\r\n".utf8)).compactMap { assembler.consume($0) }
            == [.response(ATResponse(command: "AT", lines: [], final: .ok))])
    }

    @Test func keepsAssemblingCorrectlyPastTheCommandAnalysisCache() {
        // More distinct commands than the per-command analysis cache holds (256): eviction must not
        // mix up names, echoes or information lines.
        var assembler = ATResponseAssembler()
        for round in 0..<2 {
            for number in 0..<300 {
                let command = "AT+X\(number)?"
                assembler.begin(command: command)
                #expect(assembler.consume(command) == nil, "echo of \(command), round \(round)")
                #expect(assembler.consume("+X\(number): \(round)") == nil)
                #expect(assembler.consume("+X\(number + 1): stray") == nil)
                let reply = assembler.consume("OK")
                #expect(reply == .response(ATResponse(command: command, lines: ["+X\(number): \(round)", "+X\(number + 1): stray"], final: .ok)))
            }
        }
    }

    @Test func echoFragmentsAreRecognisedOnBytesIgnoringCase() {
        let sent = Array("AT+CUSD=1,\"*100#\",15".utf8)
        #expect(ATResponseAssembler.isEcho("at+cusd=1,\"*100#\",15", of: sent))
        #expect(ATResponseAssembler.isEcho("\u{FFFD}\u{FFFD}AT+CUSD=1,\"*100#\",15", of: sent))
        #expect(ATResponseAssembler.isEcho("AT+CU", of: sent))
        #expect(ATResponseAssembler.isEcho("#\",15", of: sent))
        #expect(!ATResponseAssembler.isEcho("+CUSD: 0", of: sent))
        #expect(!ATResponseAssembler.isEcho("A", of: sent))
        // A suffix that is a final result is the final result, not an echo.
        #expect(!ATResponseAssembler.isEcho("OK", of: Array("AT+COPS=0,\"OK\"".utf8)))
        #expect(!ATResponseAssembler.isEcho("ERROR", of: Array("ATERROR".utf8)))
    }
}
