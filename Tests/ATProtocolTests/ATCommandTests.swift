import Testing
@testable import ATProtocol

@Suite struct ATCommandTests {
    @Test func buildsUSSDCommands() throws {
        #expect(try ATCommand.ussd("*101#", encoding: .text) == "AT+CUSD=1,\"*101#\",15")
        #expect(try ATCommand.ussd("*101#", encoding: .packedGSM7) == "AT+CUSD=1,\"AA182C3602\",15")
        #expect(try ATCommand.ussd("*100*1234567890123#", encoding: .text) == "AT+CUSD=1,\"*100*1234567890123#\",15")
        #expect(ATCommand.ussdCancel == "AT+CUSD=2")
    }

    @Test func refusesUSSDInjection() {
        #expect(throws: ATCommandError.forbiddenCharacter(field: "ussd", character: "\"")) {
            try ATCommand.ussd("*101#\",15;+CFUN=0", encoding: .text)
        }
        #expect(throws: ATCommandError.forbiddenCharacter(field: "ussd", character: "U+000D")) {
            try ATCommand.ussd("*101#\rAT+CFUN=0", encoding: .text)
        }
        #expect(throws: ATCommandError.empty(field: "ussd")) { try ATCommand.ussd("", encoding: .text) }
        #expect(throws: ATCommandError.tooLong(field: "ussd", max: 182)) {
            try ATCommand.ussd(String(repeating: "1", count: 183), encoding: .text)
        }
    }

    @Test func buildsWiFiCommands() throws {
        #expect(try ATCommand.setSSID(index: 0, ssid: "Station 7, floor 2") == "AT^SSID=0,\"Station 7, floor 2\"")
        #expect(try ATCommand.setWPAKey(index: 3, key: "correct horse") == "AT^WIKEY=3,\"correct horse\"")
        let hexKey = String(repeating: "a1", count: 32)
        #expect(try ATCommand.setWPAKey(index: 0, key: hexKey) == "AT^WIKEY=0,\"\(hexKey)\"")
    }

    @Test func refusesBadWiFiValues() {
        #expect(throws: ATCommandError.invalid(field: "index", reason: "must be 0 to 3")) { try ATCommand.setSSID(index: 4, ssid: "a") }
        #expect(throws: ATCommandError.empty(field: "ssid")) { try ATCommand.setSSID(index: 0, ssid: "") }
        #expect(throws: ATCommandError.tooLong(field: "ssid", max: 32)) {
            try ATCommand.setSSID(index: 0, ssid: String(repeating: "s", count: 33))
        }
        #expect(throws: ATCommandError.forbiddenCharacter(field: "ssid", character: "\\")) { try ATCommand.setSSID(index: 0, ssid: "a\\b") }
        #expect(throws: ATCommandError.forbiddenCharacter(field: "ssid", character: "U+00E9")) { try ATCommand.setSSID(index: 0, ssid: "café") }
        #expect(throws: ATCommandError.invalid(field: "key", reason: "shorter than 8 characters")) {
            try ATCommand.setWPAKey(index: 0, key: "short")
        }
        #expect(throws: ATCommandError.invalid(field: "key", reason: "a 64-character key must be hex digits")) {
            try ATCommand.setWPAKey(index: 0, key: String(repeating: "g", count: 64))
        }
        #expect(throws: ATCommandError.tooLong(field: "key", max: 64)) {
            try ATCommand.setWPAKey(index: 0, key: String(repeating: "a", count: 65))
        }
        #expect(throws: ATCommandError.forbiddenCharacter(field: "key", character: ";")) {
            try ATCommand.setWPAKey(index: 0, key: "abcdefgh;")
        }
    }

    @Test func buildsPINAndDataLockCommands() throws {
        #expect(try ATCommand.enterPIN("1234") == "AT+CPIN=\"1234\"")
        #expect(try ATCommand.enterPUK("12345678", newPIN: "0000") == "AT+CPIN=\"12345678\",\"0000\"")
        #expect(try ATCommand.dataLock("12345678") == "AT^DATALOCK=\"12345678\"")
        #expect(throws: ATCommandError.invalid(field: "pin", reason: "needs at least 4 digits")) { try ATCommand.enterPIN("123") }
        #expect(throws: ATCommandError.tooLong(field: "pin", max: 8)) { try ATCommand.enterPIN("123456789") }
        #expect(throws: ATCommandError.forbiddenCharacter(field: "pin", character: "\"")) { try ATCommand.enterPIN("12\"4") }
        #expect(throws: ATCommandError.forbiddenCharacter(field: "code", character: "U+001A")) { try ATCommand.dataLock("12\u{1A}") }
    }

    // MARK: Property tests: nothing dangerous ever reaches a built command

    /// Characters that must never appear inside a built command's parameters.
    private static let dangerous: Set<UInt32> = [0x0D, 0x0A, 0x22, 0x3B, 0x1A, 0x1B]

    /// Checks that a built command's variable part (inside its quotes) holds only allowed characters.
    private func assertSafe(_ command: String, fixedPrefix: String, allowed: (Unicode.Scalar) -> Bool,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(command.hasPrefix(fixedPrefix), sourceLocation: sourceLocation)
        let scalars = Array(command.unicodeScalars)
        // Exactly the quotes the template writes, nothing that ends a line or a command.
        for scalar in scalars {
            #expect(scalar.value != 0x0D && scalar.value != 0x0A && scalar.value != 0x1A && scalar.value != 0x1B
                && scalar.value != 0x3B, "control or separator in \(command.debugDescription)", sourceLocation: sourceLocation)
        }
        let body = command.drop(while: { $0 != "\"" }).dropFirst()
        guard let close = body.firstIndex(of: "\"") else {
            Issue.record("no closing quote in \(command.debugDescription)", sourceLocation: sourceLocation)
            return
        }
        for scalar in body[..<close].unicodeScalars {
            #expect(allowed(scalar) && !Self.dangerous.contains(scalar.value),
                    "\(scalar.value) in \(command.debugDescription)", sourceLocation: sourceLocation)
        }
    }

    /// A random string: mostly printable ASCII, with dangerous bytes and non-ASCII mixed in.
    private func randomString(_ random: inout SeededRandom, maxLength: Int) -> String {
        let length = random.below(maxLength + 1)
        var scalars = String.UnicodeScalarView()
        for _ in 0..<length {
            switch random.below(10) {
            case 0: scalars.append(Unicode.Scalar([0x0D, 0x0A, 0x22, 0x3B, 0x1A, 0x1B, 0x00, 0x5C][random.below(8)]))
            case 1: scalars.append(Unicode.Scalar(UInt8(random.below(128))))
            case 2: scalars.append(Unicode.Scalar(UInt32(0xA0 + random.below(0x2000))) ?? "?")
            case 3, 4: scalars.append(Unicode.Scalar(UInt8(0x30 + random.below(10))))
            case 5: scalars.append(["*", "#", "+"][random.below(3)])
            default: scalars.append(Unicode.Scalar(UInt8(0x20 + random.below(95))))
            }
        }
        return String(scalars)
    }

    private static func isPrintableQuotable(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value >= 0x20 && scalar.value <= 0x7E && scalar.value != 0x22 && scalar.value != 0x3B && scalar.value != 0x5C
    }

    @Test func ussdBuilderNeverEmitsForbiddenCharacters() {
        var random = SeededRandom(seed: 1)
        var built = 0
        for _ in 0..<5000 {
            let input = randomString(&random, maxLength: 24)
            for encoding in [USSDRequestEncoding.text, .packedGSM7] {
                do {
                    let command = try ATCommand.ussd(input, encoding: encoding)
                    built += 1
                    assertSafe(command, fixedPrefix: "AT+CUSD=1,\"") { scalar in
                        encoding == .text ? "0123456789*#+".unicodeScalars.contains(scalar)
                            : "0123456789ABCDEF".unicodeScalars.contains(scalar)
                    }
                    #expect(command.hasSuffix("\",15"))
                } catch {
                    // Refused input is the safe outcome; the error type is checked by the signature.
                }
            }
        }
        #expect(built > 100, "the generator should also produce acceptable requests")
    }

    @Test func ssidAndKeyBuildersNeverEmitForbiddenCharacters() {
        var random = SeededRandom(seed: 2)
        var built = 0
        for _ in 0..<5000 {
            let input = randomString(&random, maxLength: 70)
            let index = random.below(6) - 1
            if let command = try? ATCommand.setSSID(index: index, ssid: input) {
                built += 1
                assertSafe(command, fixedPrefix: "AT^SSID=\(index),\"", allowed: Self.isPrintableQuotable)
                #expect((0...3).contains(index))
                #expect(input.utf8.count <= 32)
            }
            if let command = try? ATCommand.setWPAKey(index: index, key: input) {
                built += 1
                assertSafe(command, fixedPrefix: "AT^WIKEY=\(index),\"", allowed: Self.isPrintableQuotable)
                #expect((8...64).contains(input.utf8.count))
            }
        }
        #expect(built > 100)
    }

    @Test func pinAndDataLockBuildersNeverEmitForbiddenCharacters() {
        var random = SeededRandom(seed: 5)
        for _ in 0..<5000 {
            let input = randomString(&random, maxLength: 18)
            let digits: (Unicode.Scalar) -> Bool = { $0.value >= 0x30 && $0.value <= 0x39 }
            if let command = try? ATCommand.enterPIN(input) {
                assertSafe(command, fixedPrefix: "AT+CPIN=\"", allowed: digits)
            }
            if let command = try? ATCommand.dataLock(input) {
                assertSafe(command, fixedPrefix: "AT^DATALOCK=\"", allowed: digits)
            }
        }
    }

    @Test func refusesEveryDangerousCharacterInEveryField() {
        for value in Self.dangerous.sorted() {
            let bad = String(Character(Unicode.Scalar(value) ?? "?"))
            #expect(throws: ATCommandError.self) { try ATCommand.ussd("*1" + bad + "#", encoding: .text) }
            #expect(throws: ATCommandError.self) { try ATCommand.ussd("*1" + bad + "#", encoding: .packedGSM7) }
            #expect(throws: ATCommandError.self) { try ATCommand.setSSID(index: 0, ssid: "net" + bad) }
            #expect(throws: ATCommandError.self) { try ATCommand.setWPAKey(index: 0, key: "password" + bad) }
            #expect(throws: ATCommandError.self) { try ATCommand.enterPIN("12" + bad + "4") }
            #expect(throws: ATCommandError.self) { try ATCommand.dataLock("12" + bad) }
        }
    }

    @Test func ussdRequestsAreTheCUSDSetsOnly() {
        #expect(ATCommand.isUSSDRequest("AT+CUSD=1,\"*100#\",15"))
        #expect(ATCommand.isUSSDRequest("at+cusd=1,\"AA180C3602\",15"))
        #expect(ATCommand.isUSSDRequest("AT+CUSD=2"))
        #expect(!ATCommand.isUSSDRequest("AT+CUSD=?"))
        #expect(!ATCommand.isUSSDRequest("AT+CUSD?"))
        #expect(!ATCommand.isUSSDRequest("AT+CGMI"))
    }
}
