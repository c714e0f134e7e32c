import CUMockdev
import Foundation
import Testing
import TestSupport
@testable import DeviceDiscovery

/// Discovery, classification and the libusb mode switch against devices mocked by umockdev.
///
/// Run with `umockdev-wrapper swift test`; without the preload every test here is skipped.
/// Serialized: umockdev allows one testbed per process.
@Suite(.serialized, .enabled(if: MockTestbed.isMockEnvironment, "needs umockdev-wrapper (LD_PRELOAD=libumockdev-preload.so.0)"))
struct UMockdevDiscoveryTests {
    static let shippedCatalog: USBDeviceCatalog = {
        (try? USBDeviceCatalog.load(directories: [CatalogLocation.shipped])) ?? USBDeviceCatalog()
    }()

    @Test func enumeratesMockedE5HotspotAndPicksThePCUIPort() async throws {
        let testbed = try MockTestbed()
        try testbed.add(MockDevices.e5Hotspot.description)
        let discovery = USBDiscovery()
        try await discovery.start()
        defer { discovery.stop() }

        let snapshot = try #require(discovery.snapshots.first { $0.usbPath == "1-1" })
        #expect(snapshot.usbID == USBID(vendor: 0x12d1, product: 0x1506))
        #expect(snapshot.serial == "0123456789ABCDEF")
        #expect(snapshot.busNumber == 1 && snapshot.deviceNumber == 2)
        #expect(snapshot.interfaces.map(\.interfaceProtocol) == [0x01, 0x03, 0x02])
        #expect(snapshot.interfaces.map(\.driver) == ["option", "option", "option"])
        #expect(snapshot.ttys == [
            TTYPort(devnode: "/dev/ttyUSB0", interfaceNumber: 0),
            TTYPort(devnode: "/dev/ttyUSB1", interfaceNumber: 1),
            TTYPort(devnode: "/dev/ttyUSB2", interfaceNumber: 2),
        ])
        #expect(snapshot.properties["HOTSPOTD_CANDIDATE"] == "1")
        #expect(snapshot.properties["ID_MM_DEVICE_IGNORE"] == "1")

        let classification = DeviceClassifier(catalog: Self.shippedCatalog).classify(snapshot)
        #expect(classification == .atDevice(atPort: "/dev/ttyUSB2", candidatePorts: ["/dev/ttyUSB2", "/dev/ttyUSB0"], role: .hotspot))
    }
}

/// Where the shipped catalog files are, found from this source file (repo/Tests/X/file.swift).
enum CatalogLocation {
    static let shipped: String = {
        let here = URL(fileURLWithPath: #filePath)
        return here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("catalog/devices").path
    }()
}

extension UMockdevDiscoveryTests {
    @Test func reportsHotPluggedDeviceWithinTwoSeconds() async throws {
        let testbed = try MockTestbed()
        let discovery = USBDiscovery()
        try await discovery.start()
        defer { discovery.stop() }
        #expect(discovery.snapshots.isEmpty)
        let recorder = EventRecorder(discovery.events())

        try testbed.add(MockDevices.e5Hotspot.description)

        let added = await recorder.first(within: .seconds(2)) { event in
            if case .added(let snapshot) = event { return snapshot.usbPath == "1-1" }
            return false
        }
        #expect(added?.snapshot?.usbID == USBID(vendor: 0x12d1, product: 0x1506))
        let complete = await recorder.first(within: .seconds(2)) { $0.snapshot?.ttys.count == 3 }
        #expect(complete?.snapshot?.ttys.map(\.devnode) == ["/dev/ttyUSB0", "/dev/ttyUSB1", "/dev/ttyUSB2"])
        #expect(discovery.snapshots.map(\.usbPath) == ["1-1"])
    }

    @Test func subscriberFromBeforeStartReceivesTheEnumeratedDevices() async throws {
        let testbed = try MockTestbed()
        try testbed.add(MockDevices.e5Hotspot.description)
        try testbed.add(MockDevices.zeroCD.description)
        let discovery = USBDiscovery()
        let early = EventRecorder(discovery.events())
        try await discovery.start()
        defer { discovery.stop() }
        let late = EventRecorder(discovery.events())

        for recorder in [early, late] {
            #expect(await recorder.first { $0.usbPath == "1-2" } != nil)
            let first = await recorder.first { $0.usbPath == "1-1" }
            #expect(first?.snapshot?.ttys.count == 3)
            guard case .added? = first else {
                Issue.record("device present at start did not arrive as added")
                continue
            }
        }
    }

    @Test func ttyArrivingAfterItsUSBParentUpdatesTheSnapshot() async throws {
        let testbed = try MockTestbed()
        let device = MockDevices.e5Hotspot
        try testbed.add(device.deviceDescription)
        let discovery = USBDiscovery()
        try await discovery.start()
        defer { discovery.stop() }
        let classifier = DeviceClassifier(catalog: Self.shippedCatalog)
        let before = try #require(discovery.snapshots.first)
        #expect(before.interfaces.count == 3 && before.ttys.isEmpty)
        #expect(classifier.classify(before) == .unknown)
        let recorder = EventRecorder(discovery.events())

        try testbed.add(device.ttyDescription(device.interfaces[2]))

        let changed = await recorder.first { event in
            if case .changed(let snapshot) = event { return !snapshot.ttys.isEmpty }
            return false
        }
        let snapshot = try #require(changed?.snapshot)
        #expect(snapshot.usbPath == "1-1")
        #expect(snapshot.ttys == [TTYPort(devnode: "/dev/ttyUSB2", interfaceNumber: 2)])
        #expect(classifier.classify(snapshot) == .atDevice(atPort: "/dev/ttyUSB2", candidatePorts: ["/dev/ttyUSB2"], role: .hotspot))
    }

    @Test func reportsRemovalWhenTheDeviceIsUnplugged() async throws {
        let testbed = try MockTestbed()
        try testbed.add(MockDevices.e5Hotspot.description)
        try testbed.add(MockDevices.hiLink.description)
        let discovery = USBDiscovery()
        try await discovery.start()
        defer { discovery.stop() }
        let recorder = EventRecorder(discovery.events())

        testbed.unplug(MockDevices.e5Hotspot)

        let removed = await recorder.first { $0 == .removed(usbPath: "1-1") }
        #expect(removed != nil)
        #expect(discovery.snapshots.map(\.usbPath) == ["1-3"])
    }

    @Test func classifiesHiLinkUnitAsHavingNoATPort() async throws {
        let testbed = try MockTestbed()
        try testbed.add(MockDevices.hiLink.description)
        let discovery = USBDiscovery()
        try await discovery.start()
        defer { discovery.stop() }

        let snapshot = try #require(discovery.snapshots.first { $0.usbPath == "1-3" })
        #expect(snapshot.netInterfaces == ["usb0"])
        #expect(snapshot.ttys.isEmpty)
        guard case .noATPort(let reason) = DeviceClassifier(catalog: Self.shippedCatalog).classify(snapshot) else {
            Issue.record("HiLink unit was not classified noATPort")
            return
        }
        #expect(reason.contains("HiLink"))
    }

    @Test func switchesZeroCDDeviceWithTheHuaweiMessageByteForByte() async throws {
        let testbed = try MockTestbed()
        try testbed.add(MockDevices.zeroCD.description)
        let replay = try ModeSwitchReplay.write()
        defer { try? FileManager.default.removeItem(atPath: replay) }
        try testbed.loadIoctl(device: MockDevices.zeroCD.devnode, recordFile: replay)
        let discovery = USBDiscovery()
        try await discovery.start()
        defer { discovery.stop() }
        let snapshot = try #require(discovery.snapshots.first { $0.usbPath == "1-2" })
        #expect(snapshot.interfaces.first?.interfaceClass == 0x08)

        guard case .needsModeSwitch(let plan) = DeviceClassifier(catalog: Self.shippedCatalog).classify(snapshot) else {
            Issue.record("ZeroCD unit was not classified needsModeSwitch")
            return
        }
        #expect(plan.usbPath == "1-2" && plan.busNumber == 1 && plan.deviceNumber == 3)
        #expect(plan.storageInterfaceNumber == 0)
        #expect(plan.method == .bulkMessage(ModeSwitchMethod.huaweiNewModeMessage))
        #expect(plan.targetUSBIDs.contains(USBID(vendor: 0x12d1, product: 0x1506)))
        let returned = EventRecorder(discovery.events())
        let waiter = Task { try await ModeSwitchWaiter.awaitReturn(of: plan, events: discovery.events()) }

        // The replay rejects any OUT buffer that differs from the recorded bytes.
        let outcome = try await USBModeSwitcher().switchMode(plan)
        #expect(outcome == .sent)

        // The kernel side of a switch: the storage personality leaves, the serial one arrives.
        testbed.unplug(MockDevices.zeroCD)
        try testbed.add(MockDevices.switchedOnPort2.description)
        let back = try await waiter.value
        #expect(back.usbPath == "1-2")
        #expect(back.usbID == USBID(vendor: 0x12d1, product: 0x1506))
        #expect(await returned.first { $0 == .removed(usbPath: "1-2") } != nil)
    }

    @Test func refusesToCountAWrongSwitchMessageAsSent() async throws {
        let testbed = try MockTestbed()
        try testbed.add(MockDevices.zeroCD.description)
        let replay = try ModeSwitchReplay.write()
        defer { try? FileManager.default.removeItem(atPath: replay) }
        try testbed.loadIoctl(device: MockDevices.zeroCD.devnode, recordFile: replay)
        var wrong = ModeSwitchMethod.huaweiNewModeMessage
        wrong[16] = 0x07
        let plan = ModeSwitchPlan(usbPath: "1-2", from: USBID(vendor: 0x12d1, product: 0x1f01), busNumber: 1, deviceNumber: 3,
                                  storageInterfaceNumber: 0, method: .bulkMessage(wrong),
                                  targetUSBIDs: [USBID(vendor: 0x12d1, product: 0x1506)], timeout: .seconds(1),
                                  catalogEntryID: "test")

        await #expect {
            _ = try await USBModeSwitcher().switchMode(plan)
        } throws: { error in
            (error as? DiscoveryError)?.code == .usbTransferFailed
        }
    }

    @Test func skipsSwitchWhenTheDeviceAlreadyHasATargetID() async throws {
        let testbed = try MockTestbed()
        try testbed.add(MockDevices.e5Hotspot.description)
        let plan = ModeSwitchPlan(usbPath: "1-1", from: USBID(vendor: 0x12d1, product: 0x1f01), busNumber: 1, deviceNumber: 2,
                                  storageInterfaceNumber: 0, method: .bulkMessage(ModeSwitchMethod.huaweiNewModeMessage),
                                  targetUSBIDs: [USBID(vendor: 0x12d1, product: 0x1506)], timeout: .seconds(1),
                                  catalogEntryID: "test")
        #expect(try await USBModeSwitcher().switchMode(plan) == .skippedAlreadyInTargetMode)
    }

    @Test func failsWithTimeoutWhenTheSwitchedDeviceNeverComesBack() async throws {
        let testbed = try MockTestbed()
        try testbed.add(MockDevices.zeroCD.description)
        let discovery = USBDiscovery()
        try await discovery.start()
        defer { discovery.stop() }
        let plan = ModeSwitchPlan(usbPath: "1-2", from: USBID(vendor: 0x12d1, product: 0x1f01), busNumber: 1, deviceNumber: 3,
                                  storageInterfaceNumber: 0, method: .huaweiSetFeature,
                                  targetUSBIDs: [USBID(vendor: 0x12d1, product: 0x1506)], timeout: .milliseconds(200),
                                  catalogEntryID: "test")
        let events = discovery.events()
        testbed.unplug(MockDevices.zeroCD)

        await #expect {
            _ = try await ModeSwitchWaiter.awaitReturn(of: plan, events: events)
        } throws: { error in
            guard let error = error as? DiscoveryError else { return false }
            return error.code == .modeSwitchTimedOut && error.context.contains("last seen: removed")
        }
    }
}
