import ATDevice
import ATProtocol
import DeviceCatalog
@testable import Provisioning
import Testing
import TestSupport

/// Identity as the field has it: IMEIs that fail their check, ICCID misreads, SIMs still starting, no IMEI at all.
@Suite struct ATDriverIdentityTests {
    @Test func aWrongIMEICheckDigitIsFlaggedAndTheDeviceIsProvisioned() async throws {
        let channel = await genericModem()
        await channel.on("AT+CGSN", .init(lines: ["490154203237519"], final: .ok))   // check digit should be 8
        await channel.on(balanceCommand, balanceReply(1000), balanceReply(1500))
        await channel.on(rechargeCommand, rechargeAccepted)
        let recorder = MemoryRecorder()
        await recorder.addVoucher(voucherCode, plan: "500MB")
        let workflow = ProvisioningWorkflow(channel: channel, recorder: recorder, policy: policy())
        let identity = try await workflow.identify()
        #expect(identity.imei?.digits == "490154203237519")
        #expect(identity.imei?.luhnValid == false)
        let report = await workflow.provision(identity, order: ProvisioningOrder(plan: plan500))
        #expect(report.outcome == .succeeded)
    }

    @Test func anIMEIFollowedByTheSerialNumberIsRead() async throws {
        let channel = await genericModem()
        await channel.on("AT+CGSN", .init(lines: ["356936001568843,NL2A62Z0N5"], final: .ok))
        let identity = try await ProvisioningWorkflow(channel: channel, recorder: MemoryRecorder(), policy: policy()).identify()
        #expect(identity.imei?.digits == "356936001568843")
    }

    @Test func theIMEIPrintedByATIIsUsedWhenCGSNGivesNone() async throws {
        let channel = await genericModem()
        await channel.on("AT+CGSN", .init(lines: [], final: .error))
        await channel.on("ATI", .init(lines: ["Manufacturer: Generic", "Model: M1", "Revision: 1.0", "IMEI: 490154203237518"], final: .ok))
        let identity = try await ProvisioningWorkflow(channel: channel, recorder: MemoryRecorder(), policy: policy()).identify()
        #expect(identity.imei?.digits == "490154203237518")
    }

    @Test func aModemWithoutIMEIIsIdentifiedByItsSIMAndProvisionedOnce() async throws {
        let channel = await genericModem()
        await channel.on("AT+CGSN", .init(lines: [], final: .cme(CMEError(code: 3, message: "operation not allowed"))))
        await channel.on("ATI", .init(lines: ["Generic M1"], final: .ok))
        await channel.on(balanceCommand, balanceReply(1000), balanceReply(1500))
        await channel.on(rechargeCommand, rechargeAccepted)
        let recorder = MemoryRecorder()
        await recorder.addVoucher(voucherCode, plan: "500MB")
        await recorder.addVoucher("9999888877776666", plan: "500MB")
        let workflow = ProvisioningWorkflow(channel: channel, recorder: recorder, policy: policy())
        let identity = try await workflow.identify()
        #expect(identity.imei == nil)
        #expect(identity.unreadable["imei"] != nil, "the device list says why the IMEI is missing")
        #expect(identity.deviceKey == "iccid:8933012345678901231")
        let report = await workflow.provision(identity, order: ProvisioningOrder(plan: plan500))
        #expect(report.outcome == .succeeded)
        #expect(await channel.count(prefix: "AT+CUSD=1,\"*123*") == 1, "one voucher sent")
    }

    @Test func aDeviceWithNeitherIMEINorICCIDIsNotFiled() async throws {
        let channel = await genericModem()
        await channel.on("AT+CGSN", .init(lines: [], final: .error))
        await channel.on("AT+CCID", .init(lines: [], final: .error))
        await channel.on("AT+CRSM=176,12258,0,0,10", .init(lines: [], final: .error))
        let recorder = MemoryRecorder()
        await #expect(throws: ProvisioningFailure.self) {
            _ = try await ProvisioningWorkflow(channel: channel, recorder: recorder, policy: policy()).identify()
        }
        #expect(await recorder.identities.isEmpty, "nothing is written to the ledger as fact")
    }

    @Test func anICCIDMisreadIsAskedAgainWithTheNextCommandAndNeverCharged() async throws {
        // +CCID answers with a value outside E.118's form (a firmware that prints the IMSI there); +CRSM reads the
        // card's EF_ICCID, which is the SIM's real number.
        let channel = await genericModem()
        await channel.on("AT+CCID", .init(lines: ["+CCID: 001010123456789"], final: .ok))
        await channel.on("AT+CRSM=176,12258,0,0,10", .init(lines: ["+CRSM: 144,0,\"98331020436587092113\""], final: .ok))
        let identity = try await ProvisioningWorkflow(channel: channel, recorder: MemoryRecorder(), policy: policy()).identify()
        #expect(identity.iccid?.digits == "89330102345678901231")

        // When every command misreads, there is no ICCID, and nothing is charged.
        let misreading = await genericModem()
        await misreading.on("AT+CCID", .init(lines: ["+CCID: 1234567890123456789"], final: .ok))
        await misreading.on("AT+CRSM=176,12258,0,0,10", .init(lines: ["+CRSM: 144,0,\"FFFFFFFFFFFFFFFFFFFF\""], final: .ok))
        await misreading.on("AT+ICCID", .init(lines: [], final: .error))
        await misreading.on("AT+QCCID", .init(lines: [], final: .error))
        let recorder = MemoryRecorder()
        await recorder.addVoucher(voucherCode, plan: "500MB")
        let workflow = ProvisioningWorkflow(channel: misreading, recorder: recorder, policy: policy())
        let unread = try await workflow.identify()
        #expect(unread.iccid == nil)
        #expect(unread.unreadable["iccid"] != nil)
        let report = await workflow.provision(unread, order: ProvisioningOrder(plan: plan500))
        #expect(failure(report)?.code == "sim-unreadable")
        #expect(await misreading.count(prefix: "AT+CUSD") == 0, "no USSD at all for an untrusted SIM")
        #expect(await recorder.vouchers.allSatisfy { $0.state == "available" })
    }

    @Test func aSIMStillStartingIsWaitedForWithinTheDialectsBound() async throws {
        let channel = await genericModem()
        await channel.on("AT+CPIN?", .init(lines: [], final: .cme(CMEError(code: 14, message: "SIM busy"))),
                         .init(lines: ["+CPIN: NOT READY"], final: .ok),
                         .init(lines: ["+CPIN: READY"], final: .ok))
        let clock = ManualClock()
        let workflow = ProvisioningWorkflow(channel: channel, recorder: MemoryRecorder(), policy: policy(), clock: clock)
        let identifying = Task { try await workflow.identify() }
        // Each answer that the SIM is still starting is followed by a pause on the clock, then the question again.
        #expect(await clock.advance(by: .milliseconds(500), whenSleepers: 1))
        #expect(await clock.advance(by: .milliseconds(500), whenSleepers: 1))
        let identity = try await identifying.value
        #expect(identity.pinState == .ready)
        #expect(identity.imsi?.digits == "001010123456789")
        #expect(await channel.count(of: "AT+CPIN?") == 3)
    }

    @Test func aSIMThatNeverStartsIsReportedNotReadyAfterTheBound() async throws {
        var quick = DialectCatalog().dialect(manufacturer: nil, model: nil)
        quick.simBusyWaitMS = 600
        let channel = await genericModem()
        await channel.on("AT+CPIN?", .init(lines: [], final: .cme(CMEError(code: 14, message: "SIM busy"))))
        let clock = ManualClock()
        let workflow = ProvisioningWorkflow(channel: channel, recorder: MemoryRecorder(), policy: policy(),
                                            dialects: DialectCatalog(configured: [quick]), clock: clock)
        let ended = Flag()
        let identifying = Task {
            defer { ended.set() }
            return try await workflow.identify()
        }
        // Within the bound (500 ms of 600) the SIM is asked again; past it (1 s), identification goes on without it.
        #expect(await clock.advance(by: .milliseconds(500), whenSleepers: 1))
        #expect(await clock.advance(by: .milliseconds(500), whenSleepers: 1))
        #expect(await eventually { ended.isSet }, "identification still waits for the SIM after the bound")
        identifying.cancel()
        let identity = try await identifying.value
        #expect(identity.pinState == nil)
        #expect(await channel.count(of: "AT+CPIN?") == 3, "asked at 0, 500 and 1000 ms, not after the bound")
    }

    @Test func huaweiPINTriesLeftAreShown() async throws {
        let channel = await e5Hotspot()
        await channel.on("AT+CPIN?", .init(lines: ["+CPIN: SIM PIN"], final: .ok))
        await channel.on("AT^CPIN?", .init(lines: ["^CPIN: SIM PIN,2,10,2,10,3"], final: .ok))
        let identity = try await ProvisioningWorkflow(channel: channel, recorder: MemoryRecorder(), policy: policy()).identify()
        #expect(identity.pinState == .simPIN)
        #expect(identity.pinTriesLeft == 2)
        #expect(identity.family == "huawei-e5-mifi")
    }
}
