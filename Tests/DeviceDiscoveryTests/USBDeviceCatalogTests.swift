import Foundation
import Testing
import DeviceDiscovery

/// Loading and validating catalog files.
struct USBDeviceCatalogTests {
    static func decode(_ json: String) throws -> USBDeviceCatalog {
        try USBDeviceCatalog.decode(Data(json.utf8), source: "test.json")
    }

    static func expectInvalid(_ json: String, mentioning text: String) {
        #expect {
            _ = try decode(json)
        } throws: { error in
            guard let error = error as? DiscoveryError else { return false }
            return error.code == .catalogInvalid && error.context.contains(text)
        }
    }

    @Test func loadsTheShippedFiles() throws {
        let catalog = try USBDeviceCatalog.load(directories: [CatalogLocation.shipped])
        #expect(catalog.entry(for: USBID(vendor: 0x12d1, product: 0x1f01))?.id == "huawei-zerocd")
        #expect(catalog.entry(for: USBID(vendor: 0x12d1, product: 0x1001))?.atPort?.interfaceNumbers == [2])
        #expect(catalog.entry(for: USBID(vendor: 0x12d1, product: 0x140c))?.atPort?.interfaceNumbers == [3])
        #expect(catalog.entry(for: USBID(vendor: 0x12d1, product: 0x1436))?.atPort?.interfaceNumbers == [4])
        #expect(catalog.entry(for: USBID(vendor: 0x12d1, product: 0x1506))?.atPort?.pcuiProtocols == [0x02, 0x12, 0x32, 0x62])
        #expect(catalog.entry(for: USBID(vendor: 0x12d1, product: 0x1506))?.atPort?.modemProtocols == [0x01, 0x10, 0x31, 0x61])
        #expect(catalog.entry(for: USBID(vendor: 0x12d1, product: 0x14db))?.noATPort != nil)
        #expect(catalog.genericRules.map(\.id) == ["huawei-vendor-specific-pcui", "cdc-acm-at"])
    }

    @Test func missingOverrideDirectoryIsSkipped() throws {
        let catalog = try USBDeviceCatalog.load(directories: [CatalogLocation.shipped, "/nonexistent/hotspotd/devices.d"])
        #expect(!catalog.entries.isEmpty)
    }

    @Test func overrideFileReplacesAnEntryWithTheSameID() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("devices.d-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("""
        { "formatVersion": 1, "devices": [ { "id": "huawei-hilink", "name": "local: treat as modem",
          "usbIDs": ["12d1:14dc"], "atPort": { "interfaceNumbers": [0] } } ] }
        """.utf8).write(to: directory.appendingPathComponent("50-local.json"))
        let catalog = try USBDeviceCatalog.load(directories: [CatalogLocation.shipped, directory.path])
        let entry = try #require(catalog.entry(for: USBID(vendor: 0x12d1, product: 0x14dc)))
        #expect(entry.noATPort == nil)
        #expect(entry.name == "local: treat as modem")
        #expect(catalog.entries.filter { $0.id == "huawei-hilink" }.count == 1)
    }

    @Test func laterEntryWinsForTheSameUSBID() throws {
        let catalog = try Self.decode("""
        { "formatVersion": 1, "devices": [
          { "id": "a", "usbIDs": ["12d1:1506"], "role": "modem" },
          { "id": "b", "usbIDs": ["12D1:1506"], "role": "hotspot" } ] }
        """)
        #expect(catalog.entry(for: USBID(vendor: 0x12d1, product: 0x1506))?.id == "b")
    }

    @Test func rejectsAMisspeltKey() {
        Self.expectInvalid("""
        { "formatVersion": 1, "devices": [ { "id": "x", "usbIDs": ["12d1:1f01"],
          "modeSwitch": { "method": "bulkMessage", "mesage": "55", "targetUSBIDs": ["12d1:1506"] } } ] }
        """, mentioning: "unknown key 'mesage'")
    }

    @Test func rejectsAnOddLengthSwitchMessage() {
        Self.expectInvalid("""
        { "formatVersion": 1, "devices": [ { "id": "x", "usbIDs": ["12d1:1f01"],
          "modeSwitch": { "method": "bulkMessage", "message": "555", "targetUSBIDs": ["12d1:1506"] } } ] }
        """, mentioning: "devices[0].modeSwitch.message")
    }

    @Test func rejectsMalformedUSBIDs() {
        Self.expectInvalid("""
        { "formatVersion": 1, "devices": [ { "id": "x", "usbIDs": ["12d1-1506"] } ] }
        """, mentioning: "vvvv:pppp")
    }

    @Test func rejectsAnUnknownRole() {
        Self.expectInvalid("""
        { "formatVersion": 1, "devices": [ { "id": "x", "usbIDs": ["12d1:1506"], "role": "router" } ] }
        """, mentioning: "router")
    }

    @Test func rejectsAnotherFormatVersion() {
        Self.expectInvalid("""
        { "formatVersion": 2, "devices": [] }
        """, mentioning: "formatVersion")
    }

    @Test func rejectsInvalidJSON() {
        #expect {
            _ = try Self.decode("{ \"formatVersion\": 1, ")
        } throws: { error in
            (error as? DiscoveryError)?.code == .catalogInvalid
        }
    }

    @Test func huaweiNewModeMethodUsesTheStandardMessage() throws {
        let catalog = try Self.decode("""
        { "formatVersion": 1, "devices": [ { "id": "x", "usbIDs": ["12d1:1c0b"],
          "modeSwitch": { "method": "huaweiNewMode", "targetUSBIDs": ["12d1:1506"], "timeoutSeconds": 5 } } ] }
        """)
        let spec = try #require(catalog.entries.first?.modeSwitch)
        #expect(spec.method == .bulkMessage(ModeSwitchMethod.huaweiNewModeMessage))
        #expect(ModeSwitchMethod.huaweiNewModeMessage.count == 31)
        #expect(spec.timeout == .seconds(5))
    }
}
