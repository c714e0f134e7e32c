@testable import DeviceDiscovery
import ATProtocol
import Foundation
import ModemSimulator
import StationAPI
import Testing
import TestSupport

/// `^GETPORTMODE` in the AT-port choice, through the real discovery path: two ttys answer `AT`, and the device's own
/// reply decides between them.
extension UMockdevDiscoveryTests {
    @Test func portModeReplyNamingThePCUIInterfaceBeatsTheFirstAnsweringPort() async throws {
        let testbed = try MockTestbed()
        let memory = ATPortMemory()
        let harness = try await DiscoveryStationHarness(memory: memory)
        var personality = harness.personality
        personality.rawReplies["AT^GETPORTMODE"] = "\r\n^GETPORTMODE: TYPE: WCDMA: huawei,MDM:0,DIAG:1,PCUI:2\r\n\r\nOK\r\n"
        try testbed.add(MockDevices.threePortHuaweiStick(port: "1-6", serial: "STICK-6", firstTTY: 10).description)
        // ttyUSB10 (interface 0, modem) answers first in probe order; ttyUSB11 is silent; ttyUSB12 is the PC UI port.
        let modemPort = harness.serve(testbed, "/dev/ttyUSB10", personality: personality)
        defer { modemPort.stop() }
        let pcuiPort = harness.serve(testbed, "/dev/ttyUSB12", personality: personality)
        defer { pcuiPort.stop() }

        let attached = await harness.device(within: .seconds(10)) { $0.state != .connecting && $0.state != .identifying }
        await harness.stop()
        #expect(attached?.port == "/dev/ttyUSB12", "\(attached.map { "\($0.port) \($0.state)" } ?? "no device")")
        #expect(modemPort.commands.contains("AT^GETPORTMODE"), "the question went to the port the probe found")
        #expect(pcuiPort.commands.contains("AT+CGSN"), "the session identified the device on the PC UI port")
        let renamed = USBDeviceSnapshot(usbPath: "1-6", syspath: "", vendorID: 0x12d1, productID: 0x15fe, serial: "STICK-6",
                                        ttys: [TTYPort(devnode: "/dev/ttyUSB20", interfaceNumber: 0),
                                               TTYPort(devnode: "/dev/ttyUSB22", interfaceNumber: 2)])
        #expect(memory.port(for: renamed) == "/dev/ttyUSB22", "the PC UI interface is remembered for the serial")
    }

    @Test func portModeReplyIsWeighedBeforeThePerProductTable() async throws {
        let testbed = try MockTestbed()
        let harness = try await DiscoveryStationHarness()
        var personality = harness.personality
        personality.rawReplies["AT^GETPORTMODE"] = "\r\n^GETPORTMODE: TYPE: WCDMA: huawei,MDM:0,NDIS:1,DIAG:2,PCUI:3\r\n\r\nOK\r\n"
        // An E1550 (12d1:1001): the catalog's table says interface 2; this firmware says its PC UI port is 3.
        var stick = MockDevices.threePortHuaweiStick(port: "1-8", serial: "E1550-8", firstTTY: 16)
        stick.productID = 0x1001
        stick.interfaces.append(.init(number: 3, interfaceClass: 0xff, subclass: 0xff, proto: 0xff,
                                      endpoints: [(0x84, 2, 512), (0x04, 2, 512)], driver: "option", tty: "ttyUSB19"))
        try testbed.add(stick.description)
        let tablePort = harness.serve(testbed, "/dev/ttyUSB18", personality: personality)
        defer { tablePort.stop() }
        let pcuiPort = harness.serve(testbed, "/dev/ttyUSB19", personality: personality)
        defer { pcuiPort.stop() }

        let attached = await harness.device(within: .seconds(10)) { $0.state != .connecting && $0.state != .identifying }
        await harness.stop()
        #expect(attached?.port == "/dev/ttyUSB19", "\(attached.map { "\($0.port) \($0.state)" } ?? "no device")")
        #expect(tablePort.commands.contains("AT^GETPORTMODE"), "the question went to the table's port")
    }

    @Test func portModeAnsweredWithErrorLeavesTheProbeChoice() async throws {
        let testbed = try MockTestbed()
        let harness = try await DiscoveryStationHarness()
        var personality = harness.personality
        personality.rawReplies["AT^GETPORTMODE"] = "\r\nERROR\r\n"
        try testbed.add(MockDevices.threePortHuaweiStick(port: "1-7", serial: "STICK-7", firstTTY: 13).description)
        let modemPort = harness.serve(testbed, "/dev/ttyUSB13", personality: personality)
        defer { modemPort.stop() }
        let pcuiPort = harness.serve(testbed, "/dev/ttyUSB15", personality: personality)
        defer { pcuiPort.stop() }

        let attached = await harness.device(within: .seconds(10)) { $0.state != .connecting && $0.state != .identifying }
        await harness.stop()
        #expect(attached?.port == "/dev/ttyUSB13", "\(attached.map { "\($0.port) \($0.state)" } ?? "no device")")
        #expect(modemPort.commands.contains("AT^GETPORTMODE"))
        #expect(!pcuiPort.commands.contains("AT+CGSN"), "nothing but the probe reached the other answering port")
    }
}

extension MockDevices {
    /// A Huawei product the catalog does not know, tagged by udev, with three ff/ff/ff ports (ttys numbered from
    /// `firstTTY`): nothing in its descriptors tells which one is the PC UI port.
    static func threePortHuaweiStick(port: String, serial: String, firstTTY: Int) -> MockUSBDevice {
        MockUSBDevice(
            port: port, deviceNumber: 10 + firstTTY, vendorID: 0x12d1, productID: 0x15fe, serial: serial,
            interfaces: (0..<3).map { number in
                .init(number: number, interfaceClass: 0xff, subclass: 0xff, proto: 0xff,
                      endpoints: [(UInt8(0x81 + number), 2, 512), (UInt8(0x01 + number), 2, 512)], driver: "option",
                      tty: "ttyUSB\(firstTTY + number)")
            })
    }
}

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
