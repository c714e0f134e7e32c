import Foundation
import Testing
import TestSupport
@testable import DeviceDiscovery

/// Sticks of other vendors arriving in CD-ROM mode, mocked by umockdev (same serialized suite as
/// the Huawei tests: one testbed per process).
extension MockDevices {
    /// A ZTE MF190-class stick in its CD-ROM personality (19d2:2000), on port 1-6.
    static let zteCDROM = MockUSBDevice(
        port: "1-6", deviceNumber: 7, vendorID: 0x19d2, productID: 0x2000, manufacturer: "ZTE,Incorporated",
        product: "ZTE CDMA Technologies MSM",
        interfaces: [
            .init(number: 0, interfaceClass: 0x08, subclass: 0x06, proto: 0x50,
                  endpoints: [(0x81, 2, 512), (0x01, 2, 512)], driver: "usb-storage"),
        ])

    /// The same stick after the switch: the MF190 modem personality (19d2:0031): diag, secondary
    /// AT, microSD storage and primary AT interfaces (ModemManager's 77-mm-zte-port-types.rules).
    static let zteModem = MockUSBDevice(
        port: "1-6", deviceNumber: 8, vendorID: 0x19d2, productID: 0x0031, manufacturer: "ZTE,Incorporated",
        product: "ZTE WCDMA Technologies MSM",
        interfaces: [
            .init(number: 0, interfaceClass: 0xff, subclass: 0xff, proto: 0xff,
                  endpoints: [(0x81, 2, 512), (0x01, 2, 512)], driver: "option", tty: "ttyUSB6"),
            .init(number: 1, interfaceClass: 0xff, subclass: 0xff, proto: 0xff,
                  endpoints: [(0x82, 2, 512), (0x02, 2, 512)], driver: "option", tty: "ttyUSB7"),
            .init(number: 2, interfaceClass: 0x08, subclass: 0x06, proto: 0x50,
                  endpoints: [(0x83, 2, 512), (0x03, 2, 512)], driver: "usb-storage"),
            .init(number: 3, interfaceClass: 0xff, subclass: 0xff, proto: 0xff,
                  endpoints: [(0x84, 3, 64), (0x85, 2, 512), (0x04, 2, 512)], driver: "option", tty: "ttyUSB8"),
        ])
}

extension UMockdevDiscoveryTests {
    /// The exchange usb_modeswitch 2.6.1 has with 19d2:2000 (`usb_modeswitch -v 0x19d2 -p 0x2000 -K -M <ZTE
    /// message>`, run under `umockdev-run` against this same replay: rc 0, "Response successfully read (13 bytes)"
    /// five times): the standard eject to LUN 0 and 1, then the ZTE message, each followed by a 13-byte CSW.
    static let zteSwitchMessages = [
        "5553424387654321000000000000061e000000000000000000000000000000",
        "5553424397654321000000000000061b000000020000000000000000000000",
        "5553424387654321000000000001061e000000000000000000000000000000",
        "5553424397654321000000000001061b000000020000000000000000000000",
        "55534243123456702000000080000c85010101180101010101000000000000",
    ]

    static func writeZTEReplay(messages: [String] = zteSwitchMessages) throws -> String {
        var text = "@DEV \(MockDevices.zteCDROM.devnode) (usbdevfs)\nUSBDEVFS_GET_CAPABILITIES 0 0F000000\n"
        for message in messages {
            let tag = String(Array(message)[8..<16])
            text += "USBDEVFS_REAPURBNDELAY 0 3 1 0 0 31 31 0 \(message)\n"
            text += " USBDEVFS_REAPURBNDELAY 0 3 129 0 0 13 13 0 55534253\(tag)0000000000\n"
        }
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("hotspotd-zte-\(UInt32.random(in: 0...UInt32.max)).ioctl").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let modeSwitchCatalog: USBDeviceCatalog = {
        (try? USBDeviceCatalog.load(directories: [CatalogLocation.shipped])) ?? USBDeviceCatalog()
    }()

    @Test func switchesZTEStickInCDROMModeByteForByteAndSeesTheModemArrive() async throws {
        let testbed = try MockTestbed()
        try testbed.add(MockDevices.zteCDROM.description)
        let replay = try Self.writeZTEReplay()
        defer { try? FileManager.default.removeItem(atPath: replay) }
        try testbed.loadIoctl(device: MockDevices.zteCDROM.devnode, recordFile: replay)
        let discovery = USBDiscovery()
        try await discovery.start()
        defer { discovery.stop() }
        let snapshot = try #require(discovery.snapshots.first { $0.usbPath == "1-6" })
        let classifier = DeviceClassifier(catalog: Self.modeSwitchCatalog)
        guard case .needsModeSwitch(let plan) = classifier.classify(snapshot) else {
            Issue.record("ZTE stick in CD-ROM mode was not classified needsModeSwitch")
            return
        }
        #expect(plan.catalogEntryID == "usb-modeswitch-19d2-2000")
        #expect(plan.busNumber == 1 && plan.deviceNumber == 7 && plan.storageInterfaceNumber == 0)
        let waiter = Task { try await ModeSwitchWaiter.awaitReturn(of: plan, events: discovery.events()) }

        // umockdev rejects any OUT buffer that differs from the recorded one, in content or order.
        #expect(try await USBModeSwitcher().switchMode(plan) == .sent)

        testbed.unplug(MockDevices.zteCDROM)
        try testbed.add(MockDevices.zteModem.description)
        let back = try await waiter.value
        #expect(back.usbID == USBID(vendor: 0x19d2, product: 0x0031))
        // The device is back as soon as its ids are; its ttys follow in later events.
        var modem = back
        let deadline = ContinuousClock.now + .seconds(5)
        while modem.ttys.count < 3, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            modem = discovery.snapshots.first { $0.usbPath == "1-6" } ?? modem
        }
        guard case .atDevice(_, let candidates, let role) = classifier.classify(modem) else {
            Issue.record("the switched ZTE modem is not an AT device: \(classifier.classify(modem))")
            return
        }
        #expect(role == .modem)
        // ModemManager's ZTE rules: interface 3 is the primary AT port, 1 the secondary; 0 is only probed last.
        #expect(candidates == ["/dev/ttyUSB8", "/dev/ttyUSB7", "/dev/ttyUSB6"])
    }

    /// umockdev matches each OUT buffer against the whole recorded exchange, so the replay proves every message's
    /// bytes, not their order; the order (LUN 0 allow + eject, LUN 1 allow + eject, then the ZTE message) is
    /// usb_modeswitch 2.6.1's as `strace -e sendmsg` of the run above shows it, and is checked on the plan
    /// (`ModeSwitchCatalogTests`). Here: a replay expecting the eject on LUN 2 rejects what the station sends.
    @Test func refusesAZTESwitchWhenTheDeviceExpectsOtherBytes() async throws {
        let testbed = try MockTestbed()
        try testbed.add(MockDevices.zteCDROM.description)
        var other = Self.zteSwitchMessages
        other[3] = "5553424397654321000000000002061b000000020000000000000000000000"
        let replay = try Self.writeZTEReplay(messages: other)
        defer { try? FileManager.default.removeItem(atPath: replay) }
        try testbed.loadIoctl(device: MockDevices.zteCDROM.devnode, recordFile: replay)
        let discovery = USBDiscovery()
        try await discovery.start()
        defer { discovery.stop() }
        let snapshot = try #require(discovery.snapshots.first { $0.usbPath == "1-6" })
        guard case .needsModeSwitch(let plan) = DeviceClassifier(catalog: Self.modeSwitchCatalog).classify(snapshot) else {
            Issue.record("ZTE stick in CD-ROM mode was not classified needsModeSwitch")
            return
        }
        await #expect {
            _ = try await USBModeSwitcher().switchMode(plan)
        } throws: { error in
            (error as? DiscoveryError)?.code == .usbTransferFailed
        }
    }

    @Test func sierraStickInCDROMModeGetsTheSWIMSRequestAndItsModemPersonalityIsTakenBack() async throws {
        let sierra = MockUSBDevice(
            port: "1-7", deviceNumber: 9, vendorID: 0x1199, productID: 0x0fff, manufacturer: "Sierra Wireless, Incorporated",
            product: "USB MMC Storage",
            interfaces: [.init(number: 0, interfaceClass: 0x08, subclass: 0x06, proto: 0x50,
                               endpoints: [(0x81, 2, 512), (0x01, 2, 512)], driver: "usb-storage")])
        // The modem personality usb-modeswitch-data names first for a 0fff stick of the 68a3 family (sierra driver).
        let modem = MockUSBDevice(
            port: "1-7", deviceNumber: 10, vendorID: 0x1199, productID: 0x68a3, manufacturer: "Sierra Wireless, Incorporated",
            product: "Sierra Wireless USB 305 Modem",
            interfaces: [
                .init(number: 0, interfaceClass: 0xff, subclass: 0xff, proto: 0xff,
                      endpoints: [(0x81, 2, 512), (0x01, 2, 512)], driver: "sierra", tty: "ttyUSB9"),
                .init(number: 3, interfaceClass: 0xff, subclass: 0xff, proto: 0xff,
                      endpoints: [(0x82, 2, 512), (0x02, 2, 512)], driver: "sierra", tty: "ttyUSB10"),
            ])
        let testbed = try MockTestbed()
        try testbed.add(sierra.description)
        let discovery = USBDiscovery()
        try await discovery.start()
        defer { discovery.stop() }
        let snapshot = try #require(discovery.snapshots.first { $0.usbPath == "1-7" })
        let classifier = DeviceClassifier(catalog: Self.modeSwitchCatalog)
        guard case .needsModeSwitch(let plan) = classifier.classify(snapshot) else {
            Issue.record("Sierra stick in CD-ROM mode was not classified needsModeSwitch")
            return
        }
        #expect(plan.method == .controlRequests([ModeSwitchMethod.sierraRequest]))
        #expect(plan.targetUSBIDs.contains(USBID(vendor: modem.vendorID, product: modem.productID)))

        // umockdev cannot replay control transfers (TESTING.md 3d: LIBUSB_ERROR_IO): the request reaches libusb and
        // fails there, and the error names the setup packet that was sent (checked as bytes in ModeSwitchCatalogTests).
        await #expect {
            _ = try await USBModeSwitcher().switchMode(plan)
        } throws: { error in
            guard let error = error as? DiscoveryError else { return false }
            return error.code == .usbTransferFailed && error.context.contains("control request 400b010000000000")
        }

        // The device's side of the switch, as a real stick does it: storage leaves, the modem arrives on the same path.
        let waiter = Task { try await ModeSwitchWaiter.awaitReturn(of: plan, events: discovery.events()) }
        testbed.unplug(sierra)
        try testbed.add(modem.description)
        let back = try await waiter.value
        #expect(back.usbID == USBID(vendor: 0x1199, product: 0x68a3))
        var current = back
        let deadline = ContinuousClock.now + .seconds(5)
        while current.ttys.count < 2, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            current = discovery.snapshots.first { $0.usbPath == "1-7" } ?? current
        }
        // Any vendor: a serial port of a personality udev marked (69-hotspot-station-modeswitch.rules) is probed.
        #expect(classifier.classify(current) == .atDevice(atPort: "/dev/ttyUSB9", candidatePorts: ["/dev/ttyUSB9", "/dev/ttyUSB10"], role: .modem))
    }
}
