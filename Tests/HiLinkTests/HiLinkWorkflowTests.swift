import ATProtocol
import DeviceCatalog
import Foundation
import HiLink
import HiLinkSimulator
import Ledger
import ModemSimulator
import Provisioning
@testable import Station
import HiLinkStation
import Testing
import TestSupport

/// The real `ProvisioningWorkflow` and SQLite ledger over the HiLink driver and a simulated unit: the money rules
/// hold on a device that speaks no AT.
@Suite(.serialized) struct HiLinkWorkflowTests {
    static let plan = Plan(name: "1GB", megabytes: 1024)

    static func policy(replyTimeoutSeconds: Int = 5) -> ProvisioningPolicy {
        let simunet = DeviceCatalog.OperatorProfile(
            name: "SimuNet", mccmnc: ["00101"], rechargeTemplate: "*123*{code}#", balanceCode: "*100#",
            successPattern: "rechargement reussi", refusalPattern: "invalide|deja utilise",
            balancePattern: "solde data[^0-9]*([0-9]+) Mo", replyTimeoutSeconds: replyTimeoutSeconds)
        return ProvisioningPolicy(operators: [simunet], wifi: WiFiPolicy())
    }

    static func ledger(codes: [String]) throws -> Ledger {
        let ledger = try Ledger.temporary()
        _ = try ledger.importVouchers(codes.map { ($0, "1GB") }, actor: nil)
        return ledger
    }

    @Test func aMiFiIsCreditedOnceAndGetsItsWiFi() async throws {
        let sim = try await HiLinkFixture.start(.e5576WebUI10, replyDelayMs: 100)
        defer { Task { await sim.stop() } }
        let ledger = try Self.ledger(codes: [HiLinkFixture.voucher, HiLinkFixture.otherVoucher])
        let driver = try await sim.driver()
        let workflow = ProvisioningWorkflow(driver: driver, recorder: LedgerRecorder(ledger: ledger, actor: nil, port: "hilink"),
                                            policy: Self.policy())
        let started = ContinuousClock.now
        let identity = try await workflow.identify()
        let report = await workflow.provision(identity, order: ProvisioningOrder(plan: Self.plan))
        let elapsed = ContinuousClock.now - started
        #expect(report.outcome == .succeeded, "\(report.outcome)")
        #expect(report.creditApplied)
        #expect(report.balanceBeforeMB == 10)
        #expect(report.balanceAfterMB == 1034)
        // The operator's truth: one voucher redeemed, once; the unit holds the Wi-Fi the report names.
        let truth = sim.ledger.snapshot()
        #expect(truth.recharges == 1)
        #expect(truth.vouchers.values.map(\.redemptions).reduce(0, +) == 1)
        #expect(report.wifi?.ssid == "Connexion-6782")
        #expect(sim.unit.wifi.ssid == report.wifi?.ssid)
        #expect(sim.unit.wifi.key == report.wifi?.key)
        #expect(try ledger.vouchers(state: .applied).count == 1)
        #expect(try ledger.vouchers(state: .available).count == 1)
        // Overhead: the run's time against the unit's own USSD time (three exchanges of 100 ms each).
        print("hilink provisioning: \(elapsed) for 3 USSD exchanges of 100 ms each on the simulated unit; \(sim.unit.stats.requests.values.reduce(0, +)) HTTP requests")
    }

    @Test func aUSSDThatTimesOutLeavesTheVoucherUnknownAndItIsNeverResent() async throws {
        let sim = try await HiLinkFixture.start(.ussdTimeout, replyDelayMs: 100)
        defer { Task { await sim.stop() } }
        let ledger = try Self.ledger(codes: [HiLinkFixture.voucher, HiLinkFixture.otherVoucher])
        // The unit answers the balance in 100 ms of real time, whatever the load; the recharge's reply never comes,
        // and its 30 s wait is jumped over once the network has taken the recharge.
        let clock = JumpingClock()
        let driver = try await sim.driver(clock: clock)
        let workflow = ProvisioningWorkflow(driver: driver, recorder: LedgerRecorder(ledger: ledger, actor: nil, port: "hilink"),
                                            policy: Self.policy(replyTimeoutSeconds: 30))
        let identity = try await workflow.identify()
        let provisioning = Task { await workflow.provision(identity, order: ProvisioningOrder(plan: Self.plan)) }
        #expect(await eventually(timeout: .seconds(20)) { sim.ledger.snapshot().recharges == 1 })
        clock.jump(by: .seconds(31))
        let report = await provisioning.value
        guard case .failed(let failure) = report.outcome else {
            Issue.record("expected a failure, got \(report.outcome)")
            return
        }
        #expect(failure.code == "voucher-unknown", "\(failure)")
        let unknown = try ledger.vouchers(state: .unknown)
        #expect(unknown.count == 1)
        #expect(try ledger.vouchers(state: .available).count == 1)
        // The network did take it (the ambiguity a settlement resolves), once.
        #expect(sim.ledger.snapshot().recharges == 1)
        #expect(sim.unit.wifi.ssid == "HUAWEI-5G7K", "no Wi-Fi is set while the credit is unknown")
        let code = try #require(unknown.first?.code)
        // A second run on the same SIM never resends the unknown voucher.
        _ = await workflow.provision(identity, order: ProvisioningOrder(plan: Self.plan))
        #expect(sim.ledger.snapshot().vouchers[code]?.attempts.count == 1, "the unknown voucher is never resent")
        #expect(try ledger.vouchers(state: .unknown).map(\.code) == [code])
    }
}

extension HiLinkWorkflowTests {
    @Test func aPINLockedStickIsUnlockedWithOneAttemptOfTheConfiguredPIN() async throws {
        let sim = try await HiLinkFixture.start(.pinLocked)
        defer { Task { await sim.stop() } }
        let driver = try await sim.driver()
        var policy = Self.policy()
        policy.simPINs = ["89001012345678901239": "1234"]
        let ledger = try Self.ledger(codes: [HiLinkFixture.voucher])
        let workflow = ProvisioningWorkflow(driver: driver, recorder: LedgerRecorder(ledger: ledger, actor: nil, port: "hilink"), policy: policy)
        let identity = try await workflow.identify()
        #expect(identity.pinState == .ready)
        #expect(identity.imsi?.digits == "001010123456789")
        #expect(sim.unit.stats.pinAttempts == 1)
        // A stick has no Wi-Fi: a top-up credits it and sets nothing else.
        let report = await workflow.provision(identity, order: ProvisioningOrder(plan: Self.plan, setsWiFi: false))
        #expect(report.outcome == .succeeded, "\(report.outcome)")
        #expect(sim.ledger.snapshot().vouchers[HiLinkFixture.voucher]?.redemptions == 1)
    }

    @Test func aWrongConfiguredPINIsTriedOnceOnly() async throws {
        let sim = try await HiLinkFixture.start(.pinLocked)
        defer { Task { await sim.stop() } }
        let driver = try await sim.driver()
        var policy = Self.policy()
        policy.defaultPIN = "0000"
        let ledger = try Self.ledger(codes: [HiLinkFixture.voucher])
        let workflow = ProvisioningWorkflow(driver: driver, recorder: LedgerRecorder(ledger: ledger, actor: nil, port: "hilink"), policy: policy)
        let identity = try await workflow.identify()
        #expect(identity.pinState == .simPIN)
        #expect(sim.unit.stats.pinAttempts == 1)
        let report = await workflow.provision(identity, order: ProvisioningOrder(plan: Self.plan))
        guard case .failed(let failure) = report.outcome else {
            Issue.record("a locked SIM was provisioned")
            return
        }
        #expect(failure.code == "sim-pin-required")
        #expect(sim.unit.stats.pinAttempts == 1)
        #expect(sim.unit.stats.ussdSends == 0)
    }
}

/// Discovery's opener for HiLink units, against a simulated unit.
@Suite(.serialized) struct HiLinkOpenerTests {
    @Test func theOpenerHandsTheStationAnIdentifyingDriver() async throws {
        let sim = try await HiLinkFixture.start(.e5576WebUI10)
        defer { Task { await sim.stop() } }
        let port = sim.server.port
        // On loopback the interface cannot be bound to: the configuration keeps the host and port only.
        let opener = NetworkDeviceOpener.hiLink(addressPatience: .seconds(1), unitAddress: { _ in "127.0.0.1" }) { _, host in
            HiLinkConfiguration(endpoint: HiLinkEndpoint(host: host, port: port), password: "s3cret-pass")
        }
        let connection = try await opener.connect("usb0", "127.0.0.1").get()
        #expect(connection.port == "http://127.0.0.1:\(port)")
        let identity = try await connection.driver.identify()
        #expect(identity.family == "hilink")
        #expect(identity.imei?.digits == "867530012345672")
        #expect(connection.driver.wifiStore != nil)

        let wrong = NetworkDeviceOpener.hiLink { _, host in
            HiLinkConfiguration(endpoint: HiLinkEndpoint(host: host, port: port), password: "s3cret-pass")
        }
        await sim.stop()
        guard case .failure(let error) = await wrong.connect("usb0", "127.0.0.1") else {
            Issue.record("a unit that is gone was opened")
            return
        }
        #expect(error.code == "device-gone")
        let configuration = NetworkDeviceOpener.hiLinkConfiguration(interface: "usb0", host: "192.168.8.1", password: "p")
        #expect(configuration.endpoint == HiLinkEndpoint(host: "192.168.8.1", port: 80, interface: "usb0"))
    }
}
