import ATDevice
import ATProtocol
import DeviceCatalog
@testable import Provisioning
import Testing

private func recharge(_ text: String, after stale: [String] = []) -> ScriptedChannel.Reply {
    .init(lines: [], final: .ok, thenReports: stale + ["+CUSD: 0,\"\(text)\",15"])
}

private func modem(hotspot: Bool = false) async -> ScriptedChannel {
    hotspot ? await e5Hotspot() : await genericModem()
}

private func workflow(_ channel: ScriptedChannel, _ recorder: MemoryRecorder, profile: OperatorProfile = simuNet) -> ProvisioningWorkflow {
    ProvisioningWorkflow(channel: channel, recorder: recorder,
                         policy: ProvisioningPolicy(operators: [profile], wifi: WiFiPolicy(ssidTemplate: "Connexion-{iccid4}", keyLength: 12)))
}

/// What a beneficiary could lose through the money steps, each as a scripted device: a figure that traps, a verdict
/// the balance contradicts, a check made only after the voucher is spent, a reply owed to another request.
@Suite struct MoneySafetyTests {
    @Test func aHugeBalanceAfterAnAcceptedRechargeIsATypedFailureNotATrap() async throws {
        let channel = await modem()
        await channel.on(balanceCommand, balanceReply(1000), balanceReply("9223372036854775000"))
        await channel.on(rechargeCommand, recharge("Rechargement reussi: 500 Mo ajoutes."))
        let recorder = MemoryRecorder()
        await recorder.addVoucher(voucherCode, plan: "500MB")
        let flow = workflow(channel, recorder)
        let report = await flow.provision(try await flow.identify(), order: ProvisioningOrder(plan: plan500))
        // The operator accepted: the voucher is applied (spent), and the unreadable confirmation is said, not trapped on.
        #expect(await recorder.states() == ["applied"])
        #expect(failure(report)?.code == "balance-unconfirmed")
        #expect(report.creditApplied)
    }

    @Test func hostileBalanceFiguresNeverTrapNorLeaveAVoucherInFlight() async throws {
        // The figure is captured whatever it is, so every hostile form reaches the parser.
        var wide = simuNet
        wide.balancePattern = "solde data est de (.*) Mo"
        let hostile = ["9223372036854775000", "99999999999999999999999999", "-5", "-9223372036854775808", "1e308", "1E9",
                       "12.5", "0,25", "0x1F", "inf", "nan", "", " 12", "١٢٣", "１２３", "12.5.6", "1,000,000",
                       "000000000000000000000000042", "9" + String(repeating: "9", count: 400), "4.9e-324", "+7"]
        var random = SystemRandomNumberGenerator()
        for round in 0..<120 {
            let before = round < hostile.count ? hostile[round] : (hostile.randomElement(using: &random) ?? "")
            let after = hostile.randomElement(using: &random) ?? ""
            let channel = await modem()
            await channel.on(balanceCommand, balanceReply(before), balanceReply(after))
            await channel.on(rechargeCommand, recharge("Rechargement reussi: 500 Mo ajoutes."))
            let recorder = MemoryRecorder()
            await recorder.addVoucher(voucherCode, plan: "500MB")
            let flow = workflow(channel, recorder, profile: wide)
            let report = await flow.provision(try await flow.identify(), order: ProvisioningOrder(plan: plan500))
            let states = await recorder.states()
            #expect(!states.contains("sending") && !states.contains("reserved"), "before \(before) after \(after): \(states)")
            if case .succeeded = report.outcome {
                // Success needs two readable, bounded balances that rose by the plan.
                let b = try #require(report.balanceBeforeMB)
                let a = try #require(report.balanceAfterMB)
                #expect(a >= b + 500 && a <= OperatorProfile.maxBalanceMB)
            }
        }
    }

    @Test func aRefusalWhileTheBalanceRoseIsUnknownNotRejected() async throws {
        let channel = await modem()
        // A refusal pattern too wide for this operator's success wording.
        var wide = simuNet
        wide.refusalPattern = "invalide|deja utilise|solde"
        wide.successPattern = "ajoutes"
        await channel.on(balanceCommand, balanceReply("1000"), balanceReply("1500"))
        await channel.on(rechargeCommand, recharge("Votre solde a ete credite."))
        let recorder = MemoryRecorder()
        await recorder.addVoucher(voucherCode, plan: "500MB")
        let flow = workflow(channel, recorder, profile: wide)
        let report = await flow.provision(try await flow.identify(), order: ProvisioningOrder(plan: plan500))
        #expect(await recorder.states() == ["unknown"], "a spent voucher must not be recorded refused")
        #expect(failure(report)?.code == "voucher-unknown")
        #expect(await channel.count(of: rechargeCommand) == 1)
    }

    @Test func aRefusalIsBelievedWhenTheBalanceDidNotMove() async throws {
        let channel = await modem()
        await channel.on(balanceCommand, balanceReply("1000"), balanceReply("1000"))
        await channel.on(rechargeCommand, recharge("Code de recharge invalide."))
        let recorder = MemoryRecorder()
        await recorder.addVoucher(voucherCode, plan: "500MB")
        let flow = workflow(channel, recorder)
        let report = await flow.provision(try await flow.identify(), order: ProvisioningOrder(plan: plan500))
        #expect(await recorder.states() == ["rejected"])
        #expect(failure(report)?.code == "voucher-rejected")
        #expect(await channel.count(of: balanceCommand) == 2, "the refusal was checked against the balance")
    }

    @Test func aRefusalWhoseBalanceCannotBeReadIsHeldUnknown() async throws {
        let channel = await modem()
        await channel.on(balanceCommand, balanceReply("1000"), .init(lines: [], final: .ok, hangs: true))
        await channel.on(rechargeCommand, recharge("Code de recharge invalide."))
        let recorder = MemoryRecorder()
        await recorder.addVoucher(voucherCode, plan: "500MB")
        let flow = workflow(channel, recorder)
        let report = await flow.provision(try await flow.identify(), order: ProvisioningOrder(plan: plan500))
        #expect(await recorder.states() == ["unknown"])
        #expect(failure(report)?.code == "voucher-unknown")
    }

    @Test func aBalanceReplyOwedToAnEarlierRequestIsNotTheRechargeVerdict() async throws {
        let channel = await modem()
        await channel.on(balanceCommand, balanceReply("0"), balanceReply("500"))
        // A balance reply the network owed a killed process arrives first, then the recharge's own verdict.
        await channel.on(rechargeCommand, recharge("Rechargement reussi: 500 Mo ajoutes.",
                                                   after: ["+CUSD: 0,\"Votre solde data est de 0 Mo.\",15"]))
        let recorder = MemoryRecorder()
        await recorder.addVoucher(voucherCode, plan: "500MB")
        let flow = workflow(channel, recorder)
        let report = await flow.provision(try await flow.identify(), order: ProvisioningOrder(plan: plan500))
        #expect(report.outcome == .succeeded)
        #expect(await recorder.states() == ["applied"])
    }

    @Test func aWiFiNameTheHotspotCannotStoreIsRefusedBeforeAnyVoucherIsUsed() async throws {
        for ssid in ["Café-Solidaire", "", String(repeating: "x", count: 33), "a\"b"] {
            let channel = await modem(hotspot: true)
            await channel.on("AT+CUSD=1,\"\(try GSM7.packUSSDHex("*100#"))\",15", balanceReply("1000"))
            let recorder = MemoryRecorder()
            await recorder.addVoucher(voucherCode, plan: "500MB")
            let flow = workflow(channel, recorder)
            let report = await flow.provision(try await flow.identify(), order: ProvisioningOrder(plan: plan500, ssid: ssid))
            #expect(failure(report)?.code == "wifi-invalid", "ssid \(ssid)")
            #expect(failure(report)?.step == .plan)
            #expect(await recorder.states() == ["available"], "no voucher reserved for ssid \(ssid)")
            #expect(await channel.count(prefix: "AT+CUSD") == 0)
        }
    }

    @Test func aWiFiNameAskedForADeviceWithoutWiFiIsRefusedBeforeAnyVoucherIsUsed() async throws {
        let channel = await modem()
        let recorder = MemoryRecorder()
        await recorder.addVoucher(voucherCode, plan: "500MB")
        let flow = workflow(channel, recorder)
        let report = await flow.provision(try await flow.identify(), order: ProvisioningOrder(plan: plan500, ssid: "Maison"))
        #expect(failure(report)?.code == "wifi-unsupported")
        #expect(await recorder.states() == ["available"])
        #expect(await channel.count(prefix: "AT+CUSD") == 0)
    }

    @Test func aTopUpOrderLeavesTheWiFiAlone() async throws {
        let channel = await modem(hotspot: true)
        let packedBalance = try GSM7.packUSSDHex("*100#")
        let packedRecharge = try GSM7.packUSSDHex("*123*\(voucherCode)#")
        await channel.on("AT+CUSD=1,\"\(packedBalance)\",15", balanceReply("1000"), balanceReply("1500"))
        await channel.on("AT+CUSD=1,\"\(packedRecharge)\",15", recharge("Rechargement reussi: 500 Mo ajoutes."))
        let recorder = MemoryRecorder()
        await recorder.addVoucher(voucherCode, plan: "500MB")
        let flow = workflow(channel, recorder)
        let report = await flow.provision(try await flow.identify(), order: ProvisioningOrder(plan: plan500, setsWiFi: false))
        #expect(report.outcome == .succeeded)
        #expect(report.wifi == nil)
        #expect(await channel.count(prefix: "AT^SSID") == 0)
        #expect(await channel.count(prefix: "AT^WIKEY") == 0)
    }

    @Test func anOrderWithAnUnsettledVoucherBuysNothing() async throws {
        let channel = await modem()
        let recorder = MemoryRecorder()
        await recorder.addVoucher(voucherCode, plan: "500MB")
        let flow = workflow(channel, recorder)
        let report = await flow.provision(try await flow.identify(), order: ProvisioningOrder(plan: plan500, pendingVoucherID: 9))
        #expect(failure(report)?.code == "voucher-unsettled")
        #expect(await recorder.states() == ["available"])
        #expect(await channel.count(prefix: "AT+CUSD") == 0)
    }

    @Test func anUnplugDuringIdentificationIsDeviceGoneAtEveryCommand() async throws {
        for command in ["AT+CGMM", "AT+CCID", "AT+CPIN?", "AT+CIMI"] {
            let channel = await modem()
            await channel.on(command, .init(lines: [], final: .ok, unplugs: true))
            let flow = workflow(channel, MemoryRecorder())
            await #expect(throws: ProvisioningFailure(step: .identify, code: "device-gone",
                                                      message: "The device went away while it was being read.")) {
                _ = try await flow.identify()
            }
        }
    }

    @Test func anUnreadableIMEIsFailureMessageNeverCarriesTheDigitsTheDeviceSent() async throws {
        for line in ["35693600156884399", "+CGSN: 356936001568844", "IMEI 3569360015688X4"] {
            let channel = await modem()
            await channel.on("AT+CGSN", .init(lines: [line], final: .ok))
            let flow = workflow(channel, MemoryRecorder())
            do {
                _ = try await flow.identify()
            } catch {
                #expect(error.code == "imei-unreadable")
                #expect(!error.message.contains("3569360015688"), "\(error.message)")
            }
        }
    }

    @Test func balanceFiguresAreReadWithBounds() throws {
        #expect(try simuNet.readBalance(in: "Votre solde data est de 1500 Mo.") == 1500)
        #expect(throws: BalanceReadError.outOfRange("9223372036854775000")) {
            try simuNet.readBalance(in: "Votre solde data est de 9223372036854775000 Mo.")
        }
        var gigabytes = simuNet
        gigabytes.balancePattern = "solde data est de (.*) Go"
        gigabytes.balanceUnit = "GB"
        #expect(try gigabytes.readBalance(in: "solde data est de 1,5 Go") == 1536)
        #expect(throws: BalanceReadError.notANumber("1e3")) { try gigabytes.readBalance(in: "solde data est de 1e3 Go") }
        #expect(throws: BalanceReadError.outOfRange("1048577")) { try gigabytes.readBalance(in: "solde data est de 1048577 Go") }
        #expect(throws: BalanceReadError.noMatch) { try simuNet.readBalance(in: "Service indisponible") }
    }
}
