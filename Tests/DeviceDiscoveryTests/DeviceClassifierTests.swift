import Foundation
import Testing
import DeviceDiscovery

/// The classifier on hand-made snapshots with the shipped catalog files: pure, no umockdev.
struct DeviceClassifierTests {
    let classifier: DeviceClassifier

    init() throws {
        classifier = DeviceClassifier(catalog: try USBDeviceCatalog.load(directories: [CatalogLocation.shipped]))
    }

    static func snapshot(_ product: UInt16, vendor: UInt16 = 0x12d1, productString: String? = "HUAWEI Mobile",
                         interfaces: [USBInterfaceInfo], ttys: [Int: String], properties: [String: String] = [:]) -> USBDeviceSnapshot {
        USBDeviceSnapshot(
            usbPath: "1-1", syspath: "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1", vendorID: vendor, productID: product,
            product: productString, busNumber: 1, deviceNumber: 2, interfaces: interfaces,
            ttys: ttys.keys.sorted().compactMap { number in ttys[number].map { TTYPort(devnode: $0, interfaceNumber: number) } },
            properties: properties)
    }

    static func vendorSpecific(_ number: Int, _ subclass: UInt8, _ proto: UInt8, string: String? = nil) -> USBInterfaceInfo {
        USBInterfaceInfo(number: number, interfaceClass: 0xff, interfaceSubclass: subclass, interfaceProtocol: proto,
                         interfaceString: string, driver: "option")
    }

    @Test func prefersPCUIProtocolOverModemAndSkipsDiag() {
        let snapshot = Self.snapshot(0x1506, interfaces: [
            Self.vendorSpecific(0, 0x02, 0x01), Self.vendorSpecific(1, 0x02, 0x03), Self.vendorSpecific(2, 0x02, 0x02),
        ], ttys: [0: "/dev/ttyUSB0", 1: "/dev/ttyUSB1", 2: "/dev/ttyUSB2"])
        #expect(classifier.classify(snapshot) == .atDevice(atPort: "/dev/ttyUSB2", candidatePorts: ["/dev/ttyUSB2", "/dev/ttyUSB0"], role: .modem))
    }

    @Test(arguments: [UInt8(0x02), 0x12, 0x32, 0x62])
    func recognisesEveryHuaweiPCUIProtocolByte(_ pcui: UInt8) {
        let snapshot = Self.snapshot(0x1506, interfaces: [
            Self.vendorSpecific(0, 0x06, 0x10), Self.vendorSpecific(3, 0x06, pcui),
        ], ttys: [0: "/dev/ttyUSB0", 3: "/dev/ttyUSB1"])
        #expect(classifier.classify(snapshot) == .atDevice(atPort: "/dev/ttyUSB1", candidatePorts: ["/dev/ttyUSB1", "/dev/ttyUSB0"], role: .modem))
    }

    @Test func usesInterfaceStringWhenProtocolBytesSayNothing() {
        let snapshot = Self.snapshot(0x1506, interfaces: [
            Self.vendorSpecific(0, 0xff, 0xff, string: "HUAWEI Mobile Connect - Modem"),
            Self.vendorSpecific(1, 0xff, 0xff, string: "HUAWEI Mobile Connect - PC UI Interface"),
        ], ttys: [0: "/dev/ttyUSB0", 1: "/dev/ttyUSB1"])
        #expect(classifier.classify(snapshot) == .atDevice(atPort: "/dev/ttyUSB1", candidatePorts: ["/dev/ttyUSB1", "/dev/ttyUSB0"], role: .modem))
    }

    @Test(arguments: [(UInt16(0x1001), 2), (0x140c, 3), (0x1436, 4)])
    func usesPerProductTableForFFFFFFSticks(_ product: UInt16, _ controlInterface: Int) {
        let interfaces = (0...4).map { Self.vendorSpecific($0, 0xff, 0xff) }
        let ttys = Dictionary(uniqueKeysWithValues: (0...4).map { ($0, "/dev/ttyUSB\($0)") })
        let snapshot = Self.snapshot(product, interfaces: interfaces, ttys: ttys)
        guard case .atDevice(let atPort, let candidates, let role) = classifier.classify(snapshot) else {
            Issue.record("not an AT device")
            return
        }
        #expect(atPort == "/dev/ttyUSB\(controlInterface)")
        #expect(candidates.first == atPort)
        #expect(candidates[1] == "/dev/ttyUSB0")             // the table's modem port comes next
        #expect(Set(candidates) == Set(ttys.values))      // every other port stays a probe candidate
        #expect(role == .modem)
    }

    @Test func productStringWithWiFiMakesAHotspot() {
        let snapshot = Self.snapshot(0x1506, productString: "HUAWEI Mobile WiFi",
                                     interfaces: [Self.vendorSpecific(0, 0x02, 0x02)], ttys: [0: "/dev/ttyUSB0"])
        #expect(classifier.classify(snapshot) == .atDevice(atPort: "/dev/ttyUSB0", candidatePorts: ["/dev/ttyUSB0"], role: .hotspot))
    }

    @Test func zeroCDNeedsTheHuaweiNewModeSwitch() throws {
        let snapshot = Self.snapshot(0x1f01, interfaces: [
            USBInterfaceInfo(number: 0, interfaceClass: 0x08, interfaceSubclass: 0x06, interfaceProtocol: 0x50, driver: "usb-storage"),
        ], ttys: [:])
        guard case .needsModeSwitch(let plan) = classifier.classify(snapshot) else {
            Issue.record("not needsModeSwitch")
            return
        }
        let expected = try #require(Self.bytes(hex: "55534243123456780000000000000011062000000101000100000000000000"))
        #expect(plan.method == .bulkMessage(expected))
        #expect(plan.storageInterfaceNumber == 0)
        #expect(plan.from == USBID(vendor: 0x12d1, product: 0x1f01))
        #expect(plan.targetUSBIDs.contains(USBID(vendor: 0x12d1, product: 0x1506)))
        #expect(plan.targetUSBIDs.contains(USBID(vendor: 0x12d1, product: 0x14dc)))
        #expect(plan.timeout == .seconds(20))
        #expect(plan.catalogEntryID == "huawei-zerocd")
    }

    @Test(arguments: [UInt16(0x14db), 0x14dc])
    func hiLinkHasNoATPort(_ product: UInt16) {
        let snapshot = Self.snapshot(product, interfaces: [
            USBInterfaceInfo(number: 0, interfaceClass: 0x02, interfaceSubclass: 0x06, interfaceProtocol: 0),
        ], ttys: [:])
        guard case .noATPort(let reason) = classifier.classify(snapshot) else {
            Issue.record("not noATPort")
            return
        }
        #expect(reason.contains("web API"))
    }

    @Test func unknownHuaweiProductFallsToTheGenericPCUIRule() {
        let snapshot = Self.snapshot(0x15ff, interfaces: [
            Self.vendorSpecific(0, 0xff, 0xff), Self.vendorSpecific(1, 0x06, 0x12), Self.vendorSpecific(2, 0x06, 0x13),
        ], ttys: [0: "/dev/ttyUSB4", 1: "/dev/ttyUSB5", 2: "/dev/ttyUSB6"])
        #expect(classifier.classify(snapshot) == .atDevice(atPort: "/dev/ttyUSB5", candidatePorts: ["/dev/ttyUSB5", "/dev/ttyUSB4"], role: .modem))
    }

    @Test func acmModemNeedsTheUdevTagToBeProbed() {
        let acm = [USBInterfaceInfo(number: 0, interfaceClass: 0x02, interfaceSubclass: 0x02, interfaceProtocol: 0x01, driver: "cdc_acm"),
                   USBInterfaceInfo(number: 1, interfaceClass: 0x0a, interfaceSubclass: 0, interfaceProtocol: 0, driver: "cdc_acm")]
        let untagged = Self.snapshot(0x0001, vendor: 0x1234, interfaces: acm, ttys: [0: "/dev/ttyACM0"])
        #expect(classifier.classify(untagged) == .unknown)
        var tagged = untagged
        tagged.properties["HOTSPOTD_CANDIDATE"] = "1"
        #expect(classifier.classify(tagged) == .atDevice(atPort: "/dev/ttyACM0", candidatePorts: ["/dev/ttyACM0"], role: .modem))
    }

    @Test func foreignSerialAdapterIsLeftAlone() {
        let ftdi = Self.snapshot(0x6001, vendor: 0x0403, productString: "FT232R USB UART",
                                 interfaces: [USBInterfaceInfo(number: 0, interfaceClass: 0xff, interfaceSubclass: 0xff, interfaceProtocol: 0xff)],
                                 ttys: [0: "/dev/ttyUSB0"])
        #expect(classifier.classify(ftdi) == .unknown)
    }

    @Test func knownModemWithoutPortsYetIsNotActionable() {
        let snapshot = Self.snapshot(0x1506, interfaces: [Self.vendorSpecific(0, 0x02, 0x02)], ttys: [:])
        #expect(classifier.classify(snapshot) == .unknown)
    }

    @Test func deviceAlreadyInTargetModeIsNotSwitchedAgain() {
        let plan = ModeSwitchSpec(method: .huaweiSetFeature, targetUSBIDs: [USBID(vendor: 0x12d1, product: 0x1f01)])
        let catalog = USBDeviceCatalog(entries: [
            USBCatalogEntry(id: "odd", name: "switch target equals source", usbIDs: [USBID(vendor: 0x12d1, product: 0x1f01)],
                            modeSwitch: plan, atPort: ATPortHints(interfaceNumbers: [0])),
        ])
        let snapshot = Self.snapshot(0x1f01, interfaces: [Self.vendorSpecific(0, 0xff, 0xff)], ttys: [0: "/dev/ttyUSB0"])
        #expect(DeviceClassifier(catalog: catalog).classify(snapshot) == .atDevice(atPort: "/dev/ttyUSB0", candidatePorts: ["/dev/ttyUSB0"], role: .modem))
    }

    @Test func simReaderFromALocalCatalogEntry() throws {
        let local = try USBDeviceCatalog.decode(Data("""
        { "formatVersion": 1, "devices": [ { "id": "local-pl2303-reader", "name": "PL2303 SIM reader",
          "usbIDs": ["067b:2303"], "role": "simReader", "atPort": { "interfaceNumbers": [0] } } ] }
        """.utf8), source: "devices.d/sim-readers.json")
        let merged = classifier.catalog.merging(local)
        let reader = Self.snapshot(0x2303, vendor: 0x067b, productString: "USB-Serial Controller",
                                   interfaces: [USBInterfaceInfo(number: 0, interfaceClass: 0xff, interfaceSubclass: 0, interfaceProtocol: 0)],
                                   ttys: [0: "/dev/ttyUSB0"])
        #expect(DeviceClassifier(catalog: merged).classify(reader) == .atDevice(atPort: "/dev/ttyUSB0", candidatePorts: ["/dev/ttyUSB0"], role: .simReader))
    }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count.isMultiple(of: 2) else { return nil }
        return stride(from: 0, to: digits.count, by: 2).compactMap { UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16) }
    }
}
