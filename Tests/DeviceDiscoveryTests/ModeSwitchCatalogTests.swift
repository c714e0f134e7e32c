import Foundation
import Testing
@testable import DeviceDiscovery

/// The catalog generated from usb-modeswitch-data, and the transfers each method sends.
///
/// The expected bytes are usb_modeswitch 2.6.1's: its built-in messages as printed by
/// `strings /usr/sbin/usb_modeswitch`, its control requests as its source sends them.
struct ModeSwitchCatalogTests {
    static let repository = URL(fileURLWithPath: CatalogLocation.shipped).deletingLastPathComponent().deletingLastPathComponent()
    static let generated = CatalogLocation.shipped + "/00-usb-modeswitch.json"

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    static func generatedCatalog() throws -> USBDeviceCatalog {
        try USBDeviceCatalog.decode(try Data(contentsOf: URL(fileURLWithPath: generated)), source: generated)
    }

    @Test func committedCatalogAndUdevRulesMatchTheInstalledPackage() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [Self.repository.appendingPathComponent("scripts/generate-modeswitch-catalog.py").path, "--check"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "generator --check: \(text)")
        #expect(text.contains("committed files match the installed package"))
    }

    @Test func generatedCatalogLoadsWithAModeSwitchForEveryEntryAndRecordsThePackageVersion() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.generated))
        let catalog = try Self.generatedCatalog()
        #expect(catalog.entries.count > 400)
        #expect(catalog.entries.allSatisfy { $0.modeSwitch != nil })
        let header = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let origin = try #require(header["generatedFrom"] as? [String: Any])
        #expect(origin["package"] as? String == "usb-modeswitch-data")
        #expect((origin["version"] as? String)?.isEmpty == false)
        #expect(origin["switchable"] as? Int == catalog.entries.count)
    }

    @Test func zteStickGetsTheStandardEjectThenItsOwnMessageAndCanComeBackAsAnMF190() throws {
        let entry = try #require(try Self.generatedCatalog().entry(for: USBID(vendor: 0x19d2, product: 0x2000)))
        let spec = try #require(entry.modeSwitch)
        #expect(spec.method.bulkMessages.map { Self.hex($0.bytes) } == [
            "5553424387654321000000000000061e000000000000000000000000000000",
            "5553424397654321000000000000061b000000020000000000000000000000",
            "5553424387654321000000000001061e000000000000000000000000000000",
            "5553424397654321000000000001061b000000020000000000000000000000",
            "55534243123456702000000080000c85010101180101010101000000000000",
        ])
        #expect(spec.method.bulkMessages.allSatisfy { $0.readsResponse })
        #expect(spec.targetUSBIDs.contains(USBID(vendor: 0x19d2, product: 0x0031)))
    }

    @Test func sierraStickIsSwitchedWithTheSWIMSControlRequest() throws {
        let entry = try #require(try Self.generatedCatalog().entry(for: USBID(vendor: 0x1199, product: 0x0fff)))
        let spec = try #require(entry.modeSwitch)
        guard case .controlRequests(let requests) = spec.method else {
            Issue.record("Sierra entry is \(spec.method)")
            return
        }
        #expect(requests.map { Self.hex($0.setupPacket) } == ["400b010000000000"])
        #expect(spec.targetUSBIDs.contains(USBID(vendor: 0x1199, product: 0x68a3)))
    }

    @Test func sharedQualcommIDIsSwitchedAsTheManufacturerStringSays() throws {
        let catalog = try Self.generatedCatalog()
        let id = USBID(vendor: 0x05c6, product: 0x1000)
        // usb-modeswitch-data's 05c6:1000:uMa=AnyDATA and :uMa=SAMSUNG variants.
        let anydata = try #require(catalog.entry(for: id, manufacturer: "AnyDATA Corporation", product: nil))
        #expect(anydata.modeSwitch?.targetUSBIDs == [USBID(vendor: 0x16d5, product: 0x6502)])
        let samsung = try #require(catalog.entry(for: id, manufacturer: "SAMSUNG Electronics", product: "SWC-E100"))
        #expect(samsung.modeSwitch?.method == .bulkMessage(
            CatalogObjectReader.parseHexString("55534243123456780000000000000616000000000000000000000000000000") ?? []))
        // No plain 05c6:1000 file: a stick with another manufacturer string is not switched blindly.
        #expect(catalog.entry(for: id, manufacturer: "Unknown Maker", product: nil) == nil)
        #expect(catalog.entry(for: id) == nil)
        let snapshot = USBDeviceSnapshot(usbPath: "1-9", syspath: "/sys/x/1-9", vendorID: 0x05c6, productID: 0x1000,
                                         manufacturer: "Unknown Maker",
                                         interfaces: [USBInterfaceInfo(number: 0, interfaceClass: 0x08, interfaceSubclass: 0x06, interfaceProtocol: 0x50)])
        #expect(DeviceClassifier(catalog: catalog).classify(snapshot) == .unknown)
    }

    @Test func builtInMessagesAreUSBModeswitchsBytes() {
        #expect(Self.hex(ModeSwitchMethod.huaweiNewModeMessage) == "55534243123456780000000000000011062000000101000100000000000000")
        #expect(Self.hex(ModeSwitchMethod.huaweiAltModeMessage) == "55534243123456780000000000000011063000000000010000000000000000")
        #expect(Self.hex(ModeSwitchMethod.optionModeMessage) == "55534243123456780000000000000601000000000000000000000000000000")
        #expect(ModeSwitchMethod.ciscoMessages.count == 11 && ModeSwitchMethod.ciscoMessages.allSatisfy { $0.count == 31 })
        #expect((ModeSwitchMethod.standardEjectMessages + [ModeSwitchMethod.optionModeMessage]).allSatisfy { $0.count == 31 })
    }

    @Test func controlRequestsCarryUSBModeswitchsSetupPackets() {
        #expect(Self.hex(ModeSwitchMethod.huaweiSetFeatureRequest.setupPacket) == "0003010000000000")
        #expect(Self.hex(ModeSwitchMethod.quantaRequest.setupPacket) == "c0ff000000000000")
        #expect(Self.hex(ModeSwitchMethod.kobilRequest.setupPacket) == "c088000000000800")
        #expect(Self.hex(ModeSwitchMethod.sequansRequest.setupPacket) == "400b020000000000")
        #expect(Self.hex(ModeSwitchMethod.qisdaRequest.setupPacket) == "4004000000001000")
        #expect(ModeSwitchMethod.qisdaRequest.data.count == 16)
        #expect(ModeSwitchMethod.blackberryRequests.map { Self.hex($0.setupPacket) } == ["c0b1000000000800", "c0a90e0000000200"])
        #expect(ModeSwitchMethod.pantechRequests(value: 2).map { Self.hex($0.setupPacket) } == ["4070020000000000"])
        #expect(ModeSwitchMethod.pantechRequests(value: 1).isEmpty, "PantechMode=1: the device switches by itself")
    }

    @Test func onlyCommandBlockWrappersOrNeedResponseReadAReply() {
        let cbw = ModeSwitchBulkMessage(ModeSwitchMethod.optionModeMessage)
        #expect(cbw.readsResponse && cbw.responseLength == 13)
        let raw = ModeSwitchBulkMessage([0x01, 0x02, 0x03])
        #expect(!raw.readsResponse)
        let asked = ModeSwitchBulkMessage([0x01, 0x02, 0x03], needResponse: true)
        #expect(asked.readsResponse && asked.responseLength == 3)
    }

    @Test func optionHSOStickKeepsItsIDsAndIsSwitchedOnlyWhileItShowsStorage() throws {
        let catalog = try Self.generatedCatalog()
        let classifier = DeviceClassifier(catalog: catalog)
        let storage = USBDeviceSnapshot(usbPath: "1-7", syspath: "/sys/x/1-7", vendorID: 0x0af0, productID: 0x6971,
                                        busNumber: 1, deviceNumber: 9,
                                        interfaces: [USBInterfaceInfo(number: 0, interfaceClass: 0x08, interfaceSubclass: 0x06, interfaceProtocol: 0x50)])
        guard case .needsModeSwitch(let plan) = classifier.classify(storage) else {
            Issue.record("Option HSO stick in storage mode was not classified needsModeSwitch")
            return
        }
        #expect(plan.method.bulkMessages.map { Self.hex($0.bytes) } == [Self.hex(ModeSwitchMethod.optionModeMessage)])
        #expect(plan.targetClass == .interfaceClass(0xff))
        var modem = storage
        modem.interfaces = [USBInterfaceInfo(number: 0, interfaceClass: 0xff, interfaceSubclass: 0xff, interfaceProtocol: 0xff)]
        #expect(plan.isSwitched(modem))
        if case .needsModeSwitch = classifier.classify(modem) { Issue.record("switched HSO stick would be switched again") }
        var unknownYet = storage
        unknownYet.interfaces = []
        #expect(!plan.isSwitched(unknownYet), "a snapshot without interfaces yet is not the switched personality")
    }

    @Test func catalogRejectsAnUnknownMethodAndAModeSwitchWithoutAnyTarget() {
        USBDeviceCatalogTests.expectInvalid("""
        { "formatVersion": 1, "devices": [ { "id": "x", "usbIDs": ["19d2:2000"],
          "modeSwitch": { "method": "sonyMode", "targetUSBIDs": ["19d2:0031"] } } ] }
        """, mentioning: "sonyMode")
        USBDeviceCatalogTests.expectInvalid("""
        { "formatVersion": 1, "devices": [ { "id": "x", "usbIDs": ["19d2:2000"],
          "modeSwitch": { "method": "standardEject" } } ] }
        """, mentioning: "targetUSBIDs")
    }

    @Test func endpointNumbersTakeTheirDirectionFromTheirUse() throws {
        // usb-modeswitch-data's 0922:1001 gives MessageEndpoint=0x01 and ResponseEndpoint=0x01.
        let entry = try #require(try Self.generatedCatalog().entry(for: USBID(vendor: 0x0922, product: 0x1001)))
        #expect(entry.modeSwitch?.messageEndpoint == 0x01)
        #expect(entry.modeSwitch?.responseEndpoint == 0x81)
    }

    @Test func modemManagerPortTypesBecomeHintsThatProbeTheATPortsFirstAndNeverTheDiagPort() throws {
        let path = CatalogLocation.shipped + "/10-modemmanager-ports.json"
        let catalog = try USBDeviceCatalog.decode(try Data(contentsOf: URL(fileURLWithPath: path)), source: path)
        // 77-mm-zte-port-types.rules: 19d2:0031 interface 03 AT primary, 01 AT secondary.
        #expect(catalog.entry(for: USBID(vendor: 0x19d2, product: 0x0031))?.atPort?.interfaceNumbers == [3, 1])
        // 77-mm-quectel-port-types.rules: EG06 (2c7c:0306) 00 QCDM, 01 GPS, 02 AT primary, 03 AT secondary.
        let eg06 = try #require(catalog.entry(for: USBID(vendor: 0x2c7c, product: 0x0306))?.atPort)
        #expect(eg06.interfaceNumbers == [2, 3] && eg06.nonATInterfaceNumbers == [0, 1])
        let snapshot = USBDeviceSnapshot(
            usbPath: "1-8", syspath: "/sys/x/1-8", vendorID: 0x2c7c, productID: 0x0306,
            interfaces: (0...3).map { USBInterfaceInfo(number: $0, interfaceClass: 0xff, interfaceSubclass: 0xff, interfaceProtocol: 0xff) },
            ttys: (0...3).map { (number: Int) in TTYPort(devnode: "/dev/ttyUSB\(number)", interfaceNumber: number) })
        #expect(DeviceClassifier(catalog: catalog).classify(snapshot)
            == .atDevice(atPort: "/dev/ttyUSB2", candidatePorts: ["/dev/ttyUSB2", "/dev/ttyUSB3"], role: .modem))
    }

    @Test func udevRulesClaimExactlyTheCatalogsStorageIDsAndTheirTargets() throws {
        let rules = try String(contentsOfFile: Self.repository.appendingPathComponent("udev/69-hotspot-station-modeswitch.rules").path,
                               encoding: .utf8)
        var modes: [String: Set<String>] = [:]
        for line in rules.split(separator: "\n") where line.hasPrefix("ATTRS{idVendor}") {
            let quoted = line.split(separator: "\"").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
            guard quoted.count == 3 else { continue }
            for product in quoted[1].split(separator: "|") { modes[quoted[2], default: []].insert(quoted[0] + ":" + product) }
        }
        let catalog = try Self.generatedCatalog()
        let portHintsPath = CatalogLocation.shipped + "/10-modemmanager-ports.json"
        let portHints = try USBDeviceCatalog.decode(try Data(contentsOf: URL(fileURLWithPath: portHintsPath)), source: portHintsPath)
        let storage = Set(catalog.entries.flatMap(\.usbIDs).map(\.description))
        let targets = Set(catalog.entries.flatMap { $0.modeSwitch?.targetUSBIDs ?? [] }.map(\.description))
        let modems = Set(portHints.entries.flatMap(\.usbIDs).map(\.description))
        #expect(modes["cdrom"] == storage)
        #expect(modes["serial"] == targets.union(modems).subtracting(storage))
        #expect(modes["serial"]?.contains("19d2:0031") == true)
    }
}
