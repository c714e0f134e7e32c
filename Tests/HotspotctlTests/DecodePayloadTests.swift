import ArgumentParser
import Foundation
import Testing
@testable import hotspotctl

/// `hotspotctl decode PAYLOAD [--dcs N] [--json]`: one +CUSD payload to its text, as the station decodes it.
@Suite struct DecodePayloadTests {
    private func parse(_ arguments: [String]) throws -> DecodeCommand {
        guard let command = try Hotspotctl.parseAsRoot(arguments) as? DecodeCommand else {
            throw ValidationError("not a decode command")
        }
        return command
    }

    @Test func printsTheTextOfEightBitHex() throws {
        let command = try parse(["decode", "3037373935", "--dcs", "15"])
        #expect(command.payload == "3037373935" && command.dcs == 15)
        #expect(DecodeCommand.decode(payload: "3037373935", dcs: 15, json: false, compact: false) == "07795\n")
    }

    @Test func saysWhichEncodingWasFoundInJSON() throws {
        // Recorded: gammu tests/at-ussd/02-E160.dump (Huawei E160, packed GSM 7-bit with DCS 15).
        let packed = "49B41C74ACD3D16171D90D32FBE52072BA0C72CA5DB45CAC76C3CD6CB41B2D060389CB74F9FE4C07D55C371CA85897BF1B"
        let text = DecodeCommand.decode(payload: packed, dcs: 15, json: true, compact: true)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["text"] as? String == "Ihr Guthaben für die Nr.4915783647410 beträgt 5.78 Euro")
        #expect(object["encoding"] as? String == "packed-gsm7-hex")
        #expect(object["dcs"] as? Int == 15)
        #expect(object["alphabet"] as? String == "gsm7")
        #expect(text.split(separator: "\n").count == 1)
    }

    @Test func plainTextStaysAsGivenWithoutADCS() throws {
        let text = DecodeCommand.decode(payload: "1234", dcs: nil, json: true, compact: true)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["text"] as? String == "1234")
        #expect(object["encoding"] as? String == "text")
        #expect(object["dcs"] is NSNull)
    }

    @Test func refusesADCSOutOfRangeOrWithoutAPayloadAndStdinOptionsWithOne() {
        #expect(throws: (any Error).self) { _ = try parse(["decode", "3037", "--dcs", "256"]) }
        #expect(throws: (any Error).self) { _ = try parse(["decode", "--dcs", "15"]) }
        #expect(throws: (any Error).self) { _ = try parse(["decode", "3037", "--command", "AT+CUSD"]) }
        #expect(throws: (any Error).self) { _ = try parse(["decode", "3037", "--escaped"]) }
    }
}
