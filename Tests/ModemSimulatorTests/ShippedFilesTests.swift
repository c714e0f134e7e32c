import Foundation
import Testing
@testable import ModemSimulator

/// Independent Luhn (mod 10) check, so the shipped identities are not checked by the code under test.
func luhnValid(_ digits: String) -> Bool {
    guard !digits.isEmpty, digits.allSatisfy(\.isNumber) else { return false }
    var sum = 0
    for (offset, character) in digits.reversed().enumerated() {
        guard var value = character.wholeNumberValue else { return false }
        if offset % 2 == 1 {
            value *= 2
            if value > 9 { value -= 9 }
        }
        sum += value
    }
    return sum % 10 == 0
}

@Suite struct ShippedFilesTests {
    static let names = ["huawei-e5-mifi", "huawei-stick", "generic-3gpp"]

    @Test func shippedPersonalitiesLoadWithDistinctLuhnValidIdentities() throws {
        let personalities = try Self.names.map { try SimulatorFixture.shippedPersonality($0) }
        for personality in personalities {
            #expect(personality.identity.imei.count == 15)
            #expect(luhnValid(personality.identity.imei), "IMEI of \(personality.name)")
            #expect(personality.sim.iccid.hasPrefix("89"))
            #expect((19...20).contains(personality.sim.iccid.count))
            #expect(luhnValid(personality.sim.iccid), "ICCID of \(personality.name)")
            #expect(personality.sim.imsi.hasPrefix("00101"))
        }
        #expect(Set(personalities.map(\.identity.imei)).count == 3)
        #expect(Set(personalities.map(\.sim.iccid)).count == 3)
        #expect(personalities.map(\.name) == Self.names)
    }

    @Test func shippedPersonalitiesHaveTheirDocumentedTraits() throws {
        let mifi = try SimulatorFixture.shippedPersonality("huawei-e5-mifi")
        #expect(mifi.sim.iccidForms.contains(.huawei))
        #expect(mifi.ussd.mode == .packedGSM7)
        #expect(mifi.wifi?.dataLockCode != nil)
        #expect(mifi.unknownCommandReply == "COMMAND NOT SUPPORT")
        #expect(mifi.echo)
        #expect(Set(mifi.unsolicited.reports.map { String($0.text.prefix(5)) }) == ["^RSSI", "^BOOT"])
        let stick = try SimulatorFixture.shippedPersonality("huawei-stick")
        #expect(stick.wifi == nil)
        #expect(stick.sim.iccidForms == [.crsm])
        #expect(stick.ussd.mode == .packedGSM7)
        let generic = try SimulatorFixture.shippedPersonality("generic-3gpp")
        #expect(generic.sim.iccidForms == [.ccid])
        #expect(generic.ussd.mode == .text)
        #expect(generic.ussd.delivery == .beforeOK)
        #expect(generic.unknownCommandReply == "ERROR")
        #expect(generic.wifi == nil)
    }

    @Test func operatorBookMatchesTheVoucherCSV() throws {
        let root = SimulatorFixture.repositoryRoot
        let profile = try OperatorProfile.load("\(root)/simulator/operator-simunet.json")
        #expect(profile.name == "SimuNet")
        #expect(profile.mccMnc == "00101")
        #expect(profile.vouchers.count >= 40)
        #expect(profile.vouchers.keys.allSatisfy { (12...16).contains($0.count) })
        #expect(Set(profile.vouchers.values) == [500, 2048])
        let csv = try String(contentsOfFile: "\(root)/simulator/vouchers-simunet.csv", encoding: .utf8)
        var rows = csv.split(separator: "\n").map(String.init)
        #expect(rows.removeFirst() == "code,plan")
        var fromCSV: [String: Int] = [:]
        for row in rows {
            let fields = row.split(separator: ",").map(String.init)
            try #require(fields.count == 2)
            fromCSV[fields[0]] = ["500MB": 500, "2GB": 2048][fields[1]]
        }
        #expect(rows.count == profile.vouchers.count)
        #expect(fromCSV == profile.vouchers)
    }
}
