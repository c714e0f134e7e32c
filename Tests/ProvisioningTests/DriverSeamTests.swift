import ATProtocol
import DeviceCatalog
@testable import Provisioning
import Testing

/// A device that speaks no AT at all (as a HiLink web API or a card reader): the workflow runs it through the
/// `DeviceDriver` seam alone, with the same money rules.
actor FakeWebDriver: DeviceDriver {
    var balance = 1000
    var ussdSent: [String] = []
    var stored: WiFiSettings?
    var loseRechargeReply = false
    nonisolated let keyReadable: Bool

    init(keyReadable: Bool) { self.keyReadable = keyReadable }

    func identify() async throws(DriverFailure) -> DeviceIdentity {
        DeviceIdentity(manufacturer: "Huawei", model: "E8372h-320", firmware: "10.0", imei: IMEI(digits: "867123456789012"),
                       iccid: ICCID(digits: "8933012345678901231"), imsi: IMSI(validating: "001010123456789"),
                       pinState: .ready, family: "web-fake", hasWiFi: true, hardwareID: "SERIAL1")
    }

    func enterPIN(_ pin: String) async throws(DriverFailure) -> SIMPinState? { .ready }
    func readIMSI() async throws(DriverFailure) -> IMSI? { IMSI(validating: "001010123456789") }
    nonisolated func canSendUSSD(_ request: String) -> Bool { !request.contains("\"") }
    func setLoseRechargeReply() { loseRechargeReply = true }

    func ussd(_ request: String, replyTimeout: Duration, redacted: String?,
              accepting isOwnReply: @escaping @Sendable (USSDReply) -> Bool) async throws(DriverFailure) -> USSDReply {
        ussdSent.append(request)
        if request == "*100#" { return USSDReply(status: 0, text: "Votre solde data est de \(balance) Mo.") }
        balance += 500
        if loseRechargeReply { throw DriverFailure(code: "ussd-timeout", message: "no reply from ussd/get in time") }
        return USSDReply(status: 0, text: "Rechargement reussi: 500 Mo ajoutes.")
    }

    nonisolated var wifiStore: (any WiFiStore)? { FakeWebWiFi(driver: self) }
    func store(_ settings: WiFiSettings) { stored = settings }
}

struct FakeWebWiFi: WiFiStore {
    let driver: FakeWebDriver
    func problem(with settings: WiFiSettings) -> String? { settings.ssid.count > 32 ? "name longer than 32 bytes" : nil }
    func write(_ settings: WiFiSettings) async throws(DriverFailure) { await driver.store(settings) }
    func readBack() async throws(DriverFailure) -> WiFiReadBack {
        let stored = await driver.stored
        return driver.keyReadable ? WiFiReadBack(ssid: stored?.ssid, key: stored?.key)
            : WiFiReadBack(ssid: stored?.ssid, key: nil, keyReadable: false)
    }
}

@Suite struct DriverSeamTests {
    @Test func aDriverWithoutATIsProvisionedOnceWithItsWiFi() async throws {
        for keyReadable in [true, false] {
            let driver = FakeWebDriver(keyReadable: keyReadable)
            let recorder = MemoryRecorder()
            await recorder.addVoucher(voucherCode, plan: "500MB")
            let workflow = ProvisioningWorkflow(driver: driver, recorder: recorder, policy: policy())
            let identity = try await workflow.identify()
            let report = await workflow.provision(identity, order: ProvisioningOrder(plan: plan500))
            #expect(report.outcome == .succeeded)
            #expect(await driver.ussdSent == ["*100#", "*123*\(voucherCode)#", "*100#"])
            #expect(await driver.stored?.ssid == "Connexion-1231")
            let verify = await recorder.steps.last { $0.1 == .verify && $0.2 == .succeeded }
            #expect((verify?.3["key.readback"] != nil) == !keyReadable, "the ledger says when a key cannot be read back")
        }
    }

    @Test func aLostReplyLeavesTheVoucherUnknownAndNeverResendsIt() async throws {
        let driver = FakeWebDriver(keyReadable: true)
        await driver.setLoseRechargeReply()
        let recorder = MemoryRecorder()
        await recorder.addVoucher(voucherCode, plan: "500MB")
        await recorder.addVoucher("9999888877776666", plan: "500MB")
        let workflow = ProvisioningWorkflow(driver: driver, recorder: recorder, policy: policy())
        let identity = try await workflow.identify()
        let report = await workflow.provision(identity, order: ProvisioningOrder(plan: plan500))
        #expect(failure(report)?.code == "voucher-unknown")
        #expect(await driver.ussdSent.filter { $0.hasPrefix("*123*") }.count == 1)
        #expect(await recorder.vouchers.map(\.state) == ["unknown", "available"])
        #expect(await driver.stored == nil, "no Wi-Fi is set while the credit is unknown")
    }
}
