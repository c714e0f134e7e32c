import Testing
@testable import ATProtocol

@Suite struct ATFinalResultTests {
    @Test func recognisesEveryFinalResult() {
        #expect(ATFinalResult.parse("OK") == .ok)
        #expect(ATFinalResult.parse("ERROR") == .error)
        #expect(ATFinalResult.parse("NO CARRIER") == .noCarrier)
        #expect(ATFinalResult.parse("BUSY") == .busy)
        #expect(ATFinalResult.parse("NO ANSWER") == .noAnswer)
        #expect(ATFinalResult.parse("NO DIALTONE") == .noDialtone)
        #expect(ATFinalResult.parse("COMMAND NOT SUPPORT") == .commandNotSupported)
        #expect(ATFinalResult.parse("ok") == .ok)
    }

    @Test func rejectsInformationLines() {
        for line in ["+CSQ: 20,99", "OKAY", "861234567890127", "ERRORS", "+CME ERROR", "BUSYBOX", "", "+CUSD: 0"] {
            #expect(ATFinalResult.parse(line) == nil, "\(line)")
        }
    }

    @Test func mapsNumericCMEErrorsToTheTable() {
        #expect(ATFinalResult.parse("+CME ERROR: 10") == .cme(CMEError(code: 10, message: "SIM not inserted")))
        #expect(ATFinalResult.parse("+CME ERROR:11") == .cme(CMEError(code: 11, message: "SIM PIN required")))
        #expect(ATFinalResult.parse("+CME ERROR: 999") == .cme(CMEError(code: 999, message: "unknown CME error 999")))
    }

    @Test func mapsVerboseCMEErrorsBackToTheirCodes() {
        #expect(ATFinalResult.parse("+CME ERROR: SIM not inserted") == .cme(CMEError(code: 10, message: "SIM not inserted")))
        #expect(ATFinalResult.parse("+CME ERROR: \"incorrect password\"") == .cme(CMEError(code: 16, message: "incorrect password")))
        #expect(ATFinalResult.parse("+CME ERROR: Operation not allowed") == .cme(CMEError(code: 3, message: "Operation not allowed")))
        #expect(ATFinalResult.parse("+CME ERROR: something new") == .cme(CMEError(code: nil, message: "something new")))
    }

    @Test(arguments: [3, 4, 10, 11, 12, 13, 14, 15, 16, 17, 18, 20, 21, 22, 23, 24, 30, 31, 32, 100, 103, 106, 107, 111, 112, 113, 132, 133, 134, 148, 149])
    func roundTripsCMECodeAndText(code: Int) throws {
        let text = try #require(CMEError.message(forCode: code))
        #expect(CMEError.code(forMessage: text) == code)
        #expect(CMEError.code(forMessage: text.uppercased()) == code)
        #expect(CMEError(detail: String(code)) == CMEError(code: code, message: text))
        #expect(CMEError(detail: text).code == code)
    }

    @Test func mapsCMSErrorsBothWays() {
        #expect(ATFinalResult.parse("+CMS ERROR: 500") == .cms(CMSError(code: 500, message: "unknown error")))
        #expect(ATFinalResult.parse("+CMS ERROR: SIM not inserted") == .cms(CMSError(code: 310, message: "SIM not inserted")))
        #expect(ATFinalResult.parse("+CMS ERROR: 42") == .cms(CMSError(code: 42, message: "CMS error 42")))
    }

    @Test func everyCMETableTextIsUniqueAfterNormalisation() {
        var seen: [String: Int] = [:]
        for (code, text) in CMEError.table {
            let key = ATText.errorKey(text)
            #expect(seen[key] == nil, "\(code) and \(seen[key] ?? -1) share a text")
            seen[key] = code
        }
    }
}
