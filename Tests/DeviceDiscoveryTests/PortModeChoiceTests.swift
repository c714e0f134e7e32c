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

    @Test func replyLinesStopAtTheFinalResult() {
        let bytes = Array("AT^GETPORTMODE\r\r\n^GETPORTMODE: TYPE: WCDMA: huawei,PCUI:0\r\n\r\nOK\r\n".utf8)
        let reply = ATPortProber.replyLines(bytes)
        #expect(reply?.final == "OK")
        #expect(reply?.lines == ["AT^GETPORTMODE", "^GETPORTMODE: TYPE: WCDMA: huawei,PCUI:0"])
        #expect(ATPortProber.replyLines(Array("\r\n+CME ERROR: 4\r\n".utf8))?.final == "+CME ERROR: 4")
        #expect(ATPortProber.replyLines(Array("\r\n^GETPORTMODE: TYPE: WCDMA: huawei,PCUI:0\r\n".utf8)) == nil,
                "no final line yet")
    }

    @Test func replyReaderFramesLinesAcrossReadsAndKnowsEveryFinalResult() {
        var reader = ATPortProber.ReplyReader()
        #expect(reader.append(Array("\r\n^GETPORTMODE: PCU".utf8)) == nil)
        #expect(reader.append(Array("I:0\r\n\r\nO".utf8)) == nil, "a final line split over two reads is not whole yet")
        let reply = reader.append(Array("K\r\n".utf8))
        #expect(reply?.lines == ["^GETPORTMODE: PCUI:0"])
        #expect(reply?.final == "OK")
        #expect(reply?.result == .ok)
        #expect(ATPortProber.replyLines(Array("\r\nno carrier\r\n".utf8))?.result == .noCarrier)
        #expect(ATPortProber.replyLines(Array("\r\nCOMMAND NOT SUPPORTED\r\n".utf8))?.result == .commandNotSupported)
        #expect(ATPortProber.replyLines(Array("\r\nok\r\n".utf8))?.final == "ok", "the raw final line is kept")
    }
}
