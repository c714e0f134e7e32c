import CUMockdev
import Foundation
import Testing
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
