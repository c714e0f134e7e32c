import CUMockdev
import DeviceDiscovery
import Foundation
import Ledger
import Logging
import ModemSimulator
import Station
import StationAPI
import Synchronization
import Testing
import TestSupport

/// A station with discovery over umockdev devices whose ttys are served by the simulator's engine.
final class DiscoveryStationHarness: Sendable {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    let station: Station
    let service: DiscoveryService
    let network: OperatorNetwork
    let operatorLedger: OperatorLedger
    let personality: Personality
    private let runner = RunnerBox()

    init(modeSwitch: Bool = true, memory: ATPortMemory = ATPortMemory(), defaultPlan: Bool = true,
         startDiscovery: Bool = true, prober: ATPortProber = ATPortProber(), busyRecheck: Duration = .seconds(5),
         catalogDirectories: [String] = [CatalogLocation.shipped], networkDevices: NetworkDeviceOpener? = nil) async throws {
        var config = try String(contentsOfFile: Self.root + "/config/hotspotd.example.json", encoding: .utf8)
        config = config.replacingOccurrences(of: "\"lockDirectory\": \"/var/lock\"", with: "\"lockDirectory\": null, \"allowPseudoTerminals\": true")
        if !defaultPlan {
            config = config.replacingOccurrences(of: "\"defaultPlan\": \"500MB\"", with: "\"defaultPlan\": null")
        }
        let stationConfig = try StationConfig.parse(Data(config.utf8), file: "hotspotd.example.json")
        let ledger = try Ledger.temporary()
        var logger = Logger(label: "test.discovery")
        logger.logLevel = ProcessInfo.processInfo.environment["DISCOVERY_TEST_LOG"] == nil ? .critical : .debug
        station = Station(config: stationConfig, ledger: ledger, logger: logger)
        let csv = try String(contentsOfFile: Self.root + "/simulator/vouchers-simunet.csv", encoding: .utf8)
        _ = try await station.importVouchers(VoucherImportRequest(fileName: "vouchers-simunet.csv", csv: csv), actor: nil)
        _ = try await station.recoverAfterStart()

        var profile = try ModemSimulator.OperatorProfile.load(Self.root + "/simulator/operator-simunet.json")
        profile.replyDelayMs = 0
        operatorLedger = try OperatorLedger(profile: profile, path: nil)
        network = OperatorNetwork(profile: profile, ledger: operatorLedger)
        var personality = try Personality.load(Self.root + "/simulator/personalities/huawei-e5-mifi.json")
        personality.latency = Personality.Latency(defaultMs: 0, commands: [:])
        personality.faults = Personality.Faults()
        self.personality = personality

        let catalog = try USBDeviceCatalog.load(directories: catalogDirectories)
        let service = DiscoveryService(station: station, catalog: catalog, modeSwitch: modeSwitch, logger: logger, prober: prober,
                                       memory: memory, busyRecheck: busyRecheck, untilReady: {}, networkDevices: networkDevices)
        self.service = service
        if startDiscovery { start() }
    }

    /// Starts discovery (enumeration of what is plugged in, then the monitor).
    func start() {
        let service = self.service
        runner.set(Task { try? await service.run() })
    }

    /// Serves the mocked tty `devnode` with a fresh engine of the E5 personality, or of `personality` when given.
    func serve(_ testbed: MockTestbed, _ devnode: String, muteAtUSSD: Int? = nil, personality: Personality? = nil) -> FakeModem {
        let fd = umockdev_testbed_get_dev_fd(testbed.pointer, devnode)
        return FakeModem(serving: fd, at: devnode, engine: ModemEngine(personality: personality ?? self.personality, network: network),
                         muteUSSDFrom: muteAtUSSD)
    }

    /// The first device matching `predicate`, polling until `deadline`.
    func device(within deadline: Duration = .seconds(15), where predicate: (DeviceStatus) -> Bool) async -> DeviceStatus? {
        let clock = ContinuousClock()
        let end = clock.now.advanced(by: deadline)
        while true {
            if let match = await station.devices(reveal: true).first(where: predicate) { return match }
            if clock.now >= end { return nil }
            try? await clock.sleep(for: .milliseconds(5))
        }
    }

    /// The ledger's events of `kind` once at least `count` of them are there, polling until `deadline`.
    func ledgerEvents(kind: String, count: Int = 1, within deadline: Duration = .seconds(5)) async throws -> [LedgerEventInfo] {
        let clock = ContinuousClock()
        let end = clock.now.advanced(by: deadline)
        while true {
            let events = try await station.ledgerEvents(iccid: nil, imei: nil, since: nil, limit: 1000, reveal: true)
                .filter { $0.kind == kind }
            if events.count >= count || clock.now >= end { return events }
            try await clock.sleep(for: .milliseconds(5))
        }
    }

    func stop() async {
        service.stop()
        await runner.task?.value
        await station.shutdown()
    }
}

/// The discovery task of a harness, set once.
final class RunnerBox: Sendable {
    private let box = Mutex<Task<Void, Never>?>(nil)
    func set(_ task: Task<Void, Never>) { box.withLock { $0 = task } }
    var task: Task<Void, Never>? { box.withLock { $0 } }
}

extension UMockdevStationDiscoveryTests {
    @Test func hotPluggedHotspotIsProvisionedThroughItsPCUIPort() async throws {
        let testbed = try MockTestbed()
        let harness = try await DiscoveryStationHarness()
        try testbed.add(MockDevices.e5Hotspot.description)
        let handler = TTYIoctlHandler.attach(testbed, device: "/dev/ttyUSB2")
        defer { if let handler { g_object_unref(handler) } }
        let modem = harness.serve(testbed, "/dev/ttyUSB2")
        defer { modem.stop() }

        let done = await harness.device { $0.state == .done || $0.state == .failed }
        await harness.stop()
        let device = try #require(done)
        #expect(device.state == .done, "\(device.failure?.message ?? "")")
        #expect(device.port == "/dev/ttyUSB2")
        #expect(device.role == .hotspot)
        #expect(device.iccid == harness.personality.sim.iccid)
        #expect(device.wifi?.ssid.isEmpty == false)
        // The Wi-Fi was written through the mocked PC UI port, to the simulated device behind it.
        #expect(modem.commands.contains { $0.hasPrefix("AT^SSID=") })
    }

    @Test func unplugDuringTheRechargeEndsTheSessionAndLeavesTheVoucherUnknown() async throws {
        let testbed = try MockTestbed()
        let harness = try await DiscoveryStationHarness()
        try testbed.add(MockDevices.e5Hotspot.description)
        // The first USSD (balance) is answered; the recharge's network reply never comes.
        let modem = harness.serve(testbed, "/dev/ttyUSB2", muteAtUSSD: 2)
        defer { modem.stop() }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(15))
        while try await harness.station.vouchers(state: "sending", limit: 10, reveal: false).isEmpty, clock.now < deadline {
            try await clock.sleep(for: .milliseconds(5))
        }
        #expect(try await harness.station.vouchers(state: "sending", limit: 10, reveal: false).count == 1)

        let unplugged = clock.now
        testbed.unplug(MockDevices.e5Hotspot)
        let gone = await harness.device(within: .seconds(1)) { $0.state == .gone }
        let elapsed = clock.now - unplugged
        let unknown = try await harness.station.vouchers(state: "unknown", limit: 10, reveal: false)
        let events = try await harness.station.ledgerEvents(iccid: nil, imei: nil, since: nil, limit: 500, reveal: true)
        await harness.stop()

        #expect(gone != nil, "session did not end within 1 s of the unplug")
        #expect(elapsed < .seconds(1))
        #expect(gone?.failure?.code == "voucher-unknown")
        #expect(unknown.count == 1)
        #expect(events.contains { $0.kind == "voucher.unknown" })
        #expect(events.contains { $0.kind == "provisioning.finished" && $0.detail["code"] == "voucher-unknown" }
                || events.contains { $0.kind.hasPrefix("provisioning") && $0.detail.values.contains("voucher-unknown") })
        // The unplug itself is in the ledger once, after how the run ended, with the state it interrupted.
        let unplugs = try await harness.ledgerEvents(kind: "device.unplugged")
        #expect(unplugs.count == 1)
        let unplug = try #require(unplugs.first)
        #expect(unplug.imei == harness.personality.identity.imei && unplug.iccid == harness.personality.sim.iccid)
        #expect(unplug.detail["device_id"] == "d1" && unplug.detail["state"] == "provisioning")
        #expect(unplug.detail["port"] == "/dev/ttyUSB2" && unplug.detail["reason"]?.hasPrefix("unplugged from USB") == true)
        #expect(unplug.actorUID == nil)
        let unknownSeq = try #require(events.last { $0.kind == "voucher.unknown" }?.seq)
        #expect(unplug.seq > unknownSeq)
        #expect(try await harness.station.verifyLedger(anchor: nil).ok)
    }

    @Test func unplugOfAnIdleDeviceIsRecordedInTheLedger() async throws {
        let testbed = try MockTestbed()
        let harness = try await DiscoveryStationHarness(defaultPlan: false)
        try testbed.add(MockDevices.e5Hotspot.description)
        let modem = harness.serve(testbed, "/dev/ttyUSB2")
        defer { modem.stop() }
        let waiting = await harness.device { $0.state == .awaitingPlan || $0.state == .failed }
        #expect(waiting?.state == .awaitingPlan, "\(waiting?.failure?.message ?? "")")
        #expect(try await harness.ledgerEvents(kind: "device.unplugged", within: .zero).isEmpty)

        testbed.unplug(MockDevices.e5Hotspot)
        let gone = await harness.device(within: .seconds(1)) { $0.state == .gone }
        let unplugs = try await harness.ledgerEvents(kind: "device.unplugged")
        let verification = try await harness.station.verifyLedger(anchor: nil)
        let provisionings = try await harness.station.ledgerEvents(iccid: nil, imei: nil, since: nil, limit: 1000, reveal: true)
            .filter { $0.kind.hasPrefix("provisioning.") || ($0.kind.hasPrefix("voucher.") && $0.kind != "voucher.imported") }
        await harness.stop()

        #expect(gone?.id == "d1")
        #expect(unplugs.count == 1)
        let unplug = try #require(unplugs.first)
        #expect(unplug.imei == harness.personality.identity.imei && unplug.iccid == harness.personality.sim.iccid)
        #expect(unplug.detail["device_id"] == "d1" && unplug.detail["state"] == "awaiting-plan")
        #expect(unplug.detail["usb_path"]?.isEmpty == false && unplug.provisioningID == nil)
        #expect(provisionings.isEmpty, "an idle device spends nothing: \(provisionings.map(\.kind))")
        #expect(verification.ok && verification.lastGood.seq == unplug.seq)
    }

    @Test func zeroCDDeviceIsSwitchedAndThenProvisionedOnItsNewPort() async throws {
        let testbed = try MockTestbed()
        try testbed.add(MockDevices.zeroCD.description)
        let replay = try ModeSwitchReplay.write()
        defer { try? FileManager.default.removeItem(atPath: replay) }
        try testbed.loadIoctl(device: MockDevices.zeroCD.devnode, recordFile: replay)
        let harness = try await DiscoveryStationHarness()
        let events = await harness.station.events.subscribe()

        // The replay rejects any other bytes than usb_modeswitch's Huawei message: "sent" means byte for byte.
        var sent = false
        for await event in events where event.step == "mode-switch" {
            if event.message?.hasPrefix("mode switch sent") == true {
                sent = true
                break
            }
            if event.state == .failed { break }
        }
        #expect(sent)
        testbed.unplug(MockDevices.zeroCD)
        try testbed.add(MockDevices.switchedOnPort2.description)
        let modem = harness.serve(testbed, "/dev/ttyUSB4")
        defer { modem.stop() }

        let done = await harness.device { $0.port == "/dev/ttyUSB4" && ($0.state == .done || $0.state == .failed) }
        let all = await harness.station.devices(reveal: false)
        await harness.stop()
        #expect(done?.state == .done, "\(done?.failure?.message ?? "no device on ttyUSB4")")
        #expect(!all.contains { $0.step == "mode-switch" }, "the mode-switch placeholder was not replaced by the session")
    }

    @Test func hiLinkUnitIsListedWithTheReasonItCannotBeDriven() async throws {
        let testbed = try MockTestbed()
        let harness = try await DiscoveryStationHarness()
        try testbed.add(MockDevices.hiLink.description)
        let listed = await harness.device(within: .seconds(3)) { $0.failure?.code == "no-at-port" && $0.port == "usb0" }
        await harness.stop()
        let device = try #require(listed)
        #expect(device.state == .failed)
        #expect(device.port == "usb0")
        #expect(device.role == .hotspot)
        #expect(device.failure?.message.contains("HiLink") == true)
    }

    @Test func zeroCDDeviceIsListedButNotSwitchedWhenSwitchingIsOff() async throws {
        let testbed = try MockTestbed()
        // No ioctl replay: any libusb transfer would fail, so reaching "disabled" proves nothing was sent.
        try testbed.add(MockDevices.zeroCD.description)
        let harness = try await DiscoveryStationHarness(modeSwitch: false)
        let listed = await harness.device(within: .seconds(3)) { $0.failure != nil }
        await harness.stop()
        #expect(listed?.failure?.code == "mode-switch-disabled")
        #expect(listed?.port == "usb:1-2")
    }

    @Test func probeChoosesTheOnlyPortThatAnswersAndRemembersIt() async throws {
        let testbed = try MockTestbed()
        let memory = ATPortMemory()
        let harness = try await DiscoveryStationHarness(memory: memory)
        try testbed.add(MockDevices.unknownHuaweiStick.description)
        // ttyUSB5 stays silent; ttyUSB6 answers. Neither has a protocol byte or string the catalog knows.
        let modem = harness.serve(testbed, "/dev/ttyUSB6")
        defer { modem.stop() }
        let attached = await harness.device(within: .seconds(5)) { $0.state != .connecting }
        await harness.stop()
        #expect(attached?.port == "/dev/ttyUSB6")
        // The E5 personality's ^GETPORTMODE names interface 0 (silent ttyUSB5) as PC UI: a silent port never wins.
        #expect(modem.commands.contains("AT^GETPORTMODE"))
        let snapshot = USBDeviceSnapshot(usbPath: "1-5", syspath: "", vendorID: 0x12d1, productID: 0x15ff, serial: "STICK-5",
                                         ttys: [TTYPort(devnode: "/dev/ttyUSB9", interfaceNumber: 1)])
        #expect(memory.port(for: snapshot) == "/dev/ttyUSB9", "the choice is remembered by interface, not tty name")
    }
}

extension UMockdevStationDiscoveryTests {
    @Test func devicePluggedBackOnARenamedTTYFinishesItsOrderWithoutASecondVoucher() async throws {
        let testbed = try MockTestbed()
        let harness = try await DiscoveryStationHarness()
        try testbed.add(MockDevices.e5Hotspot.description)
        // The recharge reaches the operator, but its reply is lost: the voucher becomes unknown at the unplug.
        var modem = harness.serve(testbed, "/dev/ttyUSB2", muteAtUSSD: 2)
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(15))
        while try await harness.station.vouchers(state: "sending", limit: 10, reveal: false).isEmpty, clock.now < deadline {
            try await clock.sleep(for: .milliseconds(5))
        }
        testbed.unplug(MockDevices.e5Hotspot)
        let gone = await harness.device(within: .seconds(1)) { $0.state == .gone }
        #expect(gone?.id == "d1")
        modem.stop()

        // Back on the same socket, re-enumerated with other tty names.
        var again = MockDevices.e5Hotspot
        again.deviceNumber = 9
        for index in again.interfaces.indices { again.interfaces[index].tty = "ttyUSB\(7 + index)" }
        try testbed.add(again.description)
        modem = harness.serve(testbed, "/dev/ttyUSB9")
        defer { modem.stop() }
        // The ledger decides: the lost reply's voucher is settled by balance at identification, so the open order has its
        // credit; the run finishes it (Wi-Fi) by itself, and no second voucher is spent.
        let back = await harness.device(within: .seconds(10)) { $0.port == "/dev/ttyUSB9" && ($0.state == .done || $0.state == .failed) }
        await harness.station.waitUntilIdle()
        let listed = await harness.station.devices(reveal: false)
        #expect(back?.state == .done, "\(back?.failure?.message ?? "")")
        #expect(listed.count == 1, "the gone entry was replaced, not duplicated: \(listed.map { "\($0.id) \($0.port) \($0.state) \($0.failure?.message ?? "")" })")
        let byOldID = try await harness.station.device("d1", reveal: false)
        #expect(byOldID.port == "/dev/ttyUSB9", "the old id follows the device to its new tty")
        // The ledger holds the unplug once (the port's end and the remove uevent both saw it) and the takeover.
        let replugs = try await harness.ledgerEvents(kind: "device.replugged")
        #expect(replugs.count == 1)
        #expect(replugs.first?.detail["previous_id"] == "d1" && replugs.first?.detail["port"] == "/dev/ttyUSB9")
        #expect(replugs.first?.detail["previous_port"] == "/dev/ttyUSB2" && replugs.first?.detail["last_state"] == "failed")
        #expect(replugs.first?.imei == harness.personality.identity.imei && replugs.first?.iccid == harness.personality.sim.iccid)
        let unplugs = try await harness.ledgerEvents(kind: "device.unplugged")
        #expect(unplugs.count == 1)
        #expect((unplugs.first?.seq ?? .max) < (replugs.first?.seq ?? 0))

        // A technician's provision of the served SIM is refused: more credit is an explicit top-up.
        await #expect(throws: StationError.self) { _ = try await harness.station.provision("d1", request: ProvisionRequest(), actor: nil) }
        let redeemed = harness.operatorLedger.snapshot().vouchers.values.filter { $0.redemptions > 0 }.count
        await harness.stop()
        #expect(redeemed == 1)
    }
}

extension MockDevices {
    /// A Huawei product the catalog does not know, tagged by udev, with two ff/ff/ff ports: only a probe can tell.
    static let unknownHuaweiStick = MockUSBDevice(
        port: "1-5", deviceNumber: 7, vendorID: 0x12d1, productID: 0x15ff, serial: "STICK-5",
        interfaces: [
            .init(number: 0, interfaceClass: 0xff, subclass: 0xff, proto: 0xff,
                  endpoints: [(0x81, 2, 512), (0x01, 2, 512)], driver: "option", tty: "ttyUSB5"),
            .init(number: 1, interfaceClass: 0xff, subclass: 0xff, proto: 0xff,
                  endpoints: [(0x82, 2, 512), (0x02, 2, 512)], driver: "option", tty: "ttyUSB6"),
        ])
}
