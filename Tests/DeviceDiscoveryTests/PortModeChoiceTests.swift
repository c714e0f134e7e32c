@testable import DeviceDiscovery
import ATProtocol
import Testing

/// Reading a `^GETPORTMODE` reply into a port, without a device.
struct PortModeChoiceTests {
    static let classifier = DeviceClassifier(catalog: UMockdevDiscoveryTests.shippedCatalog)

    static func stick(ttys: [Int: String]) -> USBDeviceSnapshot {
        USBDeviceSnapshot(
            usbPath: "1-9", syspath: "", vendorID: 0x12d1, productID: 0x15fe, serial: "S",
            interfaces: (0..<4).map { USBInterfaceInfo(number: $0, interfaceClass: 0xff, interfaceSubclass: 0xff, interfaceProtocol: 0xff) },
            ttys: ttys.sorted { $0.key < $1.key }.map { TTYPort(devnode: $0.value, interfaceNumber: $0.key) },
            properties: ["HOTSPOTD_CANDIDATE": "1"])
    }

    @Test func pcuiEntryCountedFromZeroNamesThatInterfacesTTY() {
        let snapshot = Self.stick(ttys: [0: "/dev/ttyUSB0", 2: "/dev/ttyUSB2", 3: "/dev/ttyUSB3"])
        let entries = [PortModeEntry(name: "MDM", index: 0), PortModeEntry(name: "NDIS", index: 1),
                       PortModeEntry(name: "DIAG", index: 2), PortModeEntry(name: "PCUI", index: 3)]
        #expect(Self.classifier.portModeATPort(snapshot, entries: entries) == "/dev/ttyUSB3")
    }

    @Test func replyWithoutAnInterfaceZeroCountsFromOne() {
        let snapshot = Self.stick(ttys: [0: "/dev/ttyUSB0", 1: "/dev/ttyUSB1", 2: "/dev/ttyUSB2"])
        let entries = [PortModeEntry(name: "MDM", index: 1), PortModeEntry(name: "PCUI", index: 2), PortModeEntry(name: "DIAG", index: 3)]
        #expect(Self.classifier.portModeATPort(snapshot, entries: entries) == "/dev/ttyUSB1")
    }

    @Test func pcuiInterfaceWithoutATTYOrNoPCUIEntryGivesNothing() {
        let snapshot = Self.stick(ttys: [0: "/dev/ttyUSB0", 1: "/dev/ttyUSB1"])
        #expect(Self.classifier.portModeATPort(snapshot, entries: [PortModeEntry(name: "MDM", index: 0),
                                                                   PortModeEntry(name: "PCUI", index: 3)]) == nil)
        #expect(Self.classifier.portModeATPort(snapshot, entries: [PortModeEntry(name: "MDM", index: 0),
                                                                   PortModeEntry(name: "NDIS", index: 1)]) == nil)
        #expect(Self.classifier.portModeATPort(snapshot, entries: []) == nil)
    }
}
