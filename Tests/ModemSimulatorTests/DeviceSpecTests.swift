import Foundation
import Testing
@testable import ModemSimulator

@Suite struct DeviceSpecTests {
    let path = "\(SimulatorFixture.repositoryRoot)/simulator/personalities/huawei-e5-mifi.json"

    @Test func parsesPathAndOverrides() throws {
        let spec = try DeviceSpec.parse("/p/x.json:label=a,pin=locked:1234,imei=1")
        #expect(spec.path == "/p/x.json")
        #expect(spec.overrides.map(\.key) == ["label", "pin", "imei"])
        #expect(spec.overrides.map(\.value) == ["a", "locked:1234", "1"])
        #expect(try DeviceSpec.parse("/p/x.json").overrides.isEmpty)
    }

    @Test func rejectsUnknownKeysAndMalformedPairs() {
        #expect(throws: SimulatorError.self) { try DeviceSpec.parse("/p/x.json:colour=red") }
        #expect(throws: SimulatorError.self) { try DeviceSpec.parse("/p/x.json:label") }
        #expect(throws: SimulatorError.self) { try DeviceSpec.parse(":label=a") }
    }

    @Test func overridesReplaceIdentityAndLock() throws {
        let setup = try DeviceSpec.parse("\(path):label=m2,imei=352099001761481,iccid=89001010000345678908,imsi=001010000099999,pin=locked:4321,echo=off,ussd=text")
            .resolve(index: 2)
        #expect(setup.label == "m2")
        #expect(setup.personality.identity.imei == "352099001761481")
        #expect(setup.personality.sim.iccid == "89001010000345678908")
        #expect(setup.personality.sim.imsi == "001010000099999")
        #expect(setup.personality.sim.pin.state == .pinLocked)
        #expect(setup.personality.sim.pin.code == "4321")
        #expect(setup.personality.echo == false)
        #expect(setup.personality.ussd.mode == .text)
        #expect(try DeviceSpec.parse(path).resolve(index: 3).label == "huawei-e5-mifi-3")
    }

    @Test func faultKeysAddPatterns() throws {
        let faults = try DeviceSpec.parse("\(path):hangupAfter=AT+CUSD=*,silentAfter=AT+CGSN,hangupOn=ATI,failFirst=AT+CRSM*,cusdDelayMs=900")
            .resolve(index: 1).personality.faults
        #expect(faults.hangupAfter == ["AT+CUSD=*"])
        #expect(faults.silentAfter == ["AT+CGSN"])
        #expect(faults.hangupOn == ["ATI"])
        #expect(faults.failFirst == ["AT+CRSM*"])
        #expect(faults.cusdDelayMs == 900)
    }

    @Test func countMakesConsecutiveLuhnValidIdentities() throws {
        let setups = try DeviceSpec.parse("\(path):label=bench,count=12").resolveAll(firstIndex: 1)
        #expect(setups.map(\.label) == (1...12).map { "bench-\($0)" })
        #expect(setups[0].personality.identity.imei == "867530012345672")
        #expect(setups[0].personality.sim.iccid == "89001010000123456782")
        #expect(setups[11].personality.sim.imsi == "001010000012356")
        for setup in setups {
            #expect(luhnValid(setup.personality.identity.imei))
            #expect(luhnValid(setup.personality.sim.iccid))
            #expect(setup.personality.identity.imei.count == 15)
            #expect(setup.personality.sim.iccid.count == 20)
        }
        #expect(Set(setups.map(\.personality.identity.imei)).count == 12)
        #expect(Set(setups.map(\.personality.sim.iccid)).count == 12)
        #expect(try DeviceSpec.parse("\(path):count=1").resolveAll(firstIndex: 4).map(\.label) == ["huawei-e5-mifi-4"])
        #expect(throws: SimulatorError.self) { try DeviceSpec.parse("\(path):count=0").resolveAll(firstIndex: 1) }
    }

    @Test func refusesDuplicateLabels() throws {
        let ledger = try OperatorLedger(profile: OperatorProfile(), path: nil)
        let host = SimulatorHost(devices: [DeviceSetup(label: "a", personality: basePersonality()),
                                           DeviceSetup(label: "a", personality: basePersonality())],
                                 network: OperatorNetwork(profile: OperatorProfile(), ledger: ledger))
        #expect(throws: SimulatorError.self) { try host.start() }
    }
}
