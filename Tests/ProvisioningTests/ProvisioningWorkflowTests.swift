import ATDevice
import ATProtocol
import DeviceCatalog
@testable import Provisioning
import Testing

@Suite struct ProvisioningWorkflowTests {
    @Test func creditsGenericModemOnceAndRecordsEveryStep() async throws {
        let channel = await genericModem()
        await channel.on(balanceCommand, balanceReply(1000), balanceReply(1500))
        await channel.on(rechargeCommand, rechargeAccepted)
        let recorder = MemoryRecorder()
        await recorder.addVoucher(voucherCode, plan: "500MB")
        let workflow = ProvisioningWorkflow(channel: channel, recorder: recorder, policy: policy())

        let identity = try await workflow.identify()
        #expect(identity.imei?.digits == "490154203237518")
        #expect(identity.iccid?.digits == "8933012345678901231")
        #expect(identity.iccid?.luhnValid == true)
        #expect(identity.imsi?.mcc == "001")
        #expect(identity.family == "generic-3gpp")

        let report = await workflow.provision(identity, order: ProvisioningOrder(plan: plan500))
        #expect(report.outcome == .succeeded)
        #expect(report.balanceBeforeMB == 1000)
        #expect(report.balanceAfterMB == 1500)
        #expect(report.wifi == nil, "a modem stick has no Wi-Fi")
        #expect(await recorder.states() == ["applied"])
        #expect(await channel.count(of: rechargeCommand) == 1)
        #expect(await recorder.stepStatuses(report.provisioningID) == [
            "sim:started", "sim:succeeded", "plan:started", "plan:succeeded",
            "balance-before:started", "balance-before:succeeded", "reserve:started", "reserve:succeeded",
            "recharge:started", "recharge:succeeded", "confirm:started", "confirm:succeeded",
        ])
        // The voucher code never reaches a log line: the channel was given a redacted form.
        #expect(await channel.redactedLog.allSatisfy { !$0.contains(voucherCode) })
    }

    @Test func refusedVoucherIsRejectedAndTheRunFails() async throws {
        let channel = await genericModem()
        await channel.on(balanceCommand, balanceReply(1000))
        await channel.on(rechargeCommand, .init(lines: [], final: .ok,
                                                thenReports: ["+CUSD: 0,\"Code de recharge invalide ou deja utilise.\",15"]))
        let recorder = MemoryRecorder()
        await recorder.addVoucher(voucherCode, plan: "500MB")
        let workflow = ProvisioningWorkflow(channel: channel, recorder: recorder, policy: policy())
        let report = await workflow.provision(try await workflow.identify(), order: ProvisioningOrder(plan: plan500))
        #expect(failure(report)?.code == "voucher-rejected")
        #expect(failure(report)?.step == .recharge)
        #expect(await recorder.states() == ["rejected"])
        #expect(await channel.count(of: rechargeCommand) == 1)
    }

    @Test func silentNetworkLeavesVoucherUnknownAndNeverResendsIt() async throws {
        let channel = await genericModem()
        await channel.on(balanceCommand, balanceReply(1000))
        await channel.on(rechargeCommand, .init(lines: [], final: .ok))  // OK, then no +CUSD ever
        let recorder = MemoryRecorder()
        await recorder.addVoucher(voucherCode, plan: "500MB")
        await recorder.addVoucher("5555666677778888", plan: "500MB")
        let workflow = ProvisioningWorkflow(channel: channel, recorder: recorder, policy: policy())
        let identity = try await workflow.identify()
        let first = await workflow.provision(identity, order: ProvisioningOrder(plan: plan500))
        #expect(failure(first)?.code == "voucher-unknown")
        #expect(await recorder.state(of: 1) == "unknown")

        // A retry on the same SIM must not spend a second voucher while the first is unsettled.
        let second = await workflow.provision(identity, order: ProvisioningOrder(plan: plan500))
        #expect(failure(second)?.code == "sim-has-unsettled-voucher")
        #expect(await recorder.state(of: 2) == "available")
        #expect(await channel.count(prefix: "AT+CUSD=1,\"*123*") == 1)
    }

    @Test func unplugDuringRechargeLeavesVoucherUnknown() async throws {
        let channel = await genericModem()
        await channel.on(balanceCommand, balanceReply(1000))
        await channel.on(rechargeCommand, .init(lines: [], final: .ok, unplugs: true))
        let recorder = MemoryRecorder()
        await recorder.addVoucher(voucherCode, plan: "500MB")
        let workflow = ProvisioningWorkflow(channel: channel, recorder: recorder, policy: policy())
        let report = await workflow.provision(try await workflow.identify(), order: ProvisioningOrder(plan: plan500))
        #expect(failure(report)?.code == "voucher-unknown")
        #expect(await recorder.states() == ["unknown"])
    }

    @Test func failedSendingCommitNeverWritesTheRecharge() async throws {
        let channel = await genericModem()
        await channel.on(balanceCommand, balanceReply(1000))
        await channel.on(rechargeCommand, rechargeAccepted)
        let recorder = MemoryRecorder()
        await recorder.addVoucher(voucherCode, plan: "500MB")
        await recorder.setFailNextSending()
        let workflow = ProvisioningWorkflow(channel: channel, recorder: recorder, policy: policy())
        let report = await workflow.provision(try await workflow.identify(), order: ProvisioningOrder(plan: plan500))
        #expect(failure(report)?.code == "disk-full")
        #expect(await channel.count(of: rechargeCommand) == 0)
        #expect(await recorder.states() == ["available"])
    }

    @Test func pinLockedSIMWithoutPINFailsClearly() async throws {
        let channel = await genericModem()
        await channel.on("AT+CPIN?", .init(lines: ["+CPIN: SIM PIN"], final: .ok))
        let recorder = MemoryRecorder()
        await recorder.addVoucher(voucherCode, plan: "500MB")
        let workflow = ProvisioningWorkflow(channel: channel, recorder: recorder, policy: policy())
        let identity = try await workflow.identify()
        #expect(identity.pinState == .simPIN)
        #expect(identity.imsi == nil)
        let report = await workflow.provision(identity, order: ProvisioningOrder(plan: plan500))
        #expect(failure(report) == ProvisioningFailure(step: .sim, code: "sim-pin-required",
                                                       message: "The SIM is PIN-locked and no PIN is configured for it."))
        #expect(await recorder.states() == ["available"])
        #expect(await channel.count(prefix: "AT+CUSD") == 0)
    }

    @Test func configuredPINUnlocksTheSIM() async throws {
        let channel = await genericModem()
        await channel.on("AT+CPIN?", .init(lines: ["+CPIN: SIM PIN"], final: .ok), .init(lines: ["+CPIN: READY"], final: .ok))
        await channel.on("AT+CPIN=\"1234\"", .init(lines: [], final: .ok))
        let workflow = ProvisioningWorkflow(channel: channel, recorder: MemoryRecorder(),
                                            policy: policy(pins: ["8933012345678901231": "1234"]))
        let identity = try await workflow.identify()
        #expect(identity.pinState == .ready)
        #expect(identity.imsi?.digits == "001010123456789")
        #expect(await channel.redactedLog.contains("AT+CPIN=<pin>"))
    }

    @Test func noVoucherLeftFailsBeforeAnyRecharge() async throws {
        let channel = await genericModem()
        await channel.on(balanceCommand, balanceReply(1000))
        let workflow = ProvisioningWorkflow(channel: channel, recorder: MemoryRecorder(), policy: policy())
        let report = await workflow.provision(try await workflow.identify(), order: ProvisioningOrder(plan: plan500))
        #expect(failure(report)?.code == "no-voucher-available")
        #expect(await channel.count(prefix: "AT+CUSD=1,\"*123*") == 0)
    }

    @Test func unknownOperatorFailsAtPlan() async throws {
        let channel = await genericModem()
        await channel.on("AT+CIMI", .init(lines: ["208101234567890"], final: .ok))
        let workflow = ProvisioningWorkflow(channel: channel, recorder: MemoryRecorder(), policy: policy())
        let report = await workflow.provision(try await workflow.identify(), order: ProvisioningOrder(plan: plan500))
        #expect(failure(report)?.code == "no-operator-profile")
    }

    @Test func acceptedRechargeWithFlatBalanceIsAppliedButFlagged() async throws {
        let channel = await genericModem()
        await channel.on(balanceCommand, balanceReply(1000), balanceReply(1000))
        await channel.on(rechargeCommand, rechargeAccepted)
        let recorder = MemoryRecorder()
        await recorder.addVoucher(voucherCode, plan: "500MB")
        let workflow = ProvisioningWorkflow(channel: channel, recorder: recorder, policy: policy())
        let report = await workflow.provision(try await workflow.identify(), order: ProvisioningOrder(plan: plan500))
        #expect(failure(report)?.code == "balance-not-increased")
        #expect(report.creditApplied)
        #expect(await recorder.states() == ["applied"])
    }

    @Test func configuresHotspotWiFiThroughDataLockAndVerifiesIt() async throws {
        let channel = await genericModem()
        await channel.on("AT+CGMI", .init(lines: ["huawei"], final: .ok))
        await channel.on("AT+CGMM", .init(lines: ["E5573"], final: .ok))
        await channel.on("AT^ICCID?", .init(lines: ["^ICCID: 8933012345678901231"], final: .ok))
        let packedBalance = try GSM7.packUSSDHex("*100#")
        let packedRecharge = try GSM7.packUSSDHex("*123*\(voucherCode)#")
        await channel.on("AT+CUSD=1,\"\(packedBalance)\",15", balanceReply(1000), balanceReply(1500))
        await channel.on("AT+CUSD=1,\"\(packedRecharge)\",15", rechargeAccepted)
        // The SSID write is refused until the data lock is opened.
        let ssidCommand = "AT^SSID=0,\"Connexion-1231\""
        await channel.on(ssidCommand, .init(lines: [], final: .error), .init(lines: [], final: .ok))
        await channel.on("AT^DATALOCK=\"4321\"", .init(lines: [], final: .ok))
        let fixedKey = WiFiKeyGenerator { _ in 0 }
        let key = fixedKey.makeKey(length: 12)
        await channel.on("AT^WIKEY=0,\"\(key)\"", .init(lines: [], final: .ok))
        await channel.on("AT^SSID?", .init(lines: ["^SSID:0,\"Connexion-1231\""], final: .ok))
        await channel.on("AT^WIKEY?", .init(lines: ["^WIKEY:0,\"\(key)\""], final: .ok))
        let recorder = MemoryRecorder()
        await recorder.addVoucher(voucherCode, plan: "500MB")
        let workflow = ProvisioningWorkflow(channel: channel, recorder: recorder, policy: policy(dataLock: "4321"),
                                            keys: fixedKey)
        let identity = try await workflow.identify()
        #expect(identity.family == "huawei-e5-mifi")
        let report = await workflow.provision(identity, order: ProvisioningOrder(plan: plan500))
        #expect(report.outcome == .succeeded)
        #expect(report.wifi == WiFiSettings(ssid: "Connexion-1231", key: key))
        #expect(await recorder.wifi[report.provisioningID] == WiFiSettings(ssid: "Connexion-1231", key: key))
        #expect(await channel.count(of: "AT^DATALOCK=\"4321\"") == 1)
        #expect(await channel.redactedLog.allSatisfy { !$0.contains(key) })
    }

    @Test func wifiReadBackMismatchFailsVerify() async throws {
        let channel = await genericModem()
        await channel.on("AT+CGMI", .init(lines: ["huawei"], final: .ok))
        await channel.on("AT+CGMM", .init(lines: ["E5573"], final: .ok))
        await channel.on("AT^ICCID?", .init(lines: ["^ICCID: 8933012345678901231"], final: .ok))
        await channel.on("AT^SSID=0,\"Mine\"", .init(lines: [], final: .ok))
        await channel.on("AT^WIKEY=0,\"abcdefghjkmn\"", .init(lines: [], final: .ok))
        await channel.on("AT^SSID?", .init(lines: ["^SSID:0,\"Someone-else\""], final: .ok))
        let workflow = ProvisioningWorkflow(channel: channel, recorder: MemoryRecorder(), policy: policy())
        let report = await workflow.provision(try await workflow.identify(),
                                              order: ProvisioningOrder(plan: plan500, ssid: "Mine", key: "abcdefghjkmn",
                                                                       creditAlreadyApplied: true))
        #expect(failure(report)?.code == "wifi-readback-mismatch")
        #expect(await channel.count(prefix: "AT+CUSD") == 0, "credit already applied: no money steps")
    }

    @Test func hostileSSIDIsRefusedBeforeReachingTheDevice() async throws {
        let channel = await genericModem()
        await channel.on("AT+CGMI", .init(lines: ["huawei"], final: .ok))
        await channel.on("AT+CGMM", .init(lines: ["E5573"], final: .ok))
        await channel.on("AT^ICCID?", .init(lines: ["^ICCID: 8933012345678901231"], final: .ok))
        let workflow = ProvisioningWorkflow(channel: channel, recorder: MemoryRecorder(), policy: policy())
        let report = await workflow.provision(try await workflow.identify(),
                                              order: ProvisioningOrder(plan: plan500, ssid: "x\";AT+CFUN=0", key: "abcdefghjkmn",
                                                                       creditAlreadyApplied: true))
        #expect(failure(report)?.code == "wifi-invalid")
        #expect(await channel.count(prefix: "AT^SSID=") == 0)
    }

    @Test func generatedKeysUseTheUnambiguousAlphabet() {
        let generator = WiFiKeyGenerator()
        for _ in 0..<200 {
            let key = generator.makeKey(length: 12)
            #expect(key.count == 12)
            #expect(key.allSatisfy { WiFiKeyGenerator.alphabet.contains($0) })
            #expect(!key.contains { "0O1lI5S8B2Z".contains($0) })
        }
        #expect(generator.makeKey(length: 4).count == 12, "never shorter than 12")
    }

    @Test func identificationUsesTheConfiguredCatchAllDialectBeforeTheModelIsKnown() async throws {
        // A station whose modems are slow to wake: its configuration gives every device longer deadlines and one
        // more set-up command. Those apply from the first command, not only once the model has matched.
        let catchAll = DeviceDialect(name: "station-default", manufacturerPattern: nil, modelPattern: nil,
                                     iccidCommands: [.ccid], ussdEncoding: .text, setupCommands: ["ATE0", "AT+CMEE=1", "ATV1"],
                                     timeoutsMS: ["default": 12000, "identity": 9000])
        let configured = policy()
        let channel = await genericModem()
        await channel.on("ATV1", .init(lines: [], final: .ok))
        let identity = try await ProvisioningWorkflow(channel: channel, recorder: MemoryRecorder(), policy: configured,
                                                    dialects: DialectCatalog(configured: [catchAll])).identify()
        #expect(identity.family == "station-default")
        #expect(await channel.sent.prefix(3) == ["ATE0", "AT+CMEE=1", "ATV1"])
        #expect(await channel.deadlines["ATE0"] == .milliseconds(12000))
        #expect(await channel.deadlines["AT+CGMI"] == .milliseconds(9000))
        #expect(await channel.count(of: "ATV1") == 1, "the set-up is not sent a second time once the dialect is chosen")
    }
}

extension MemoryRecorder {
    func setFailNextSending() { failNextSending = true }
}
