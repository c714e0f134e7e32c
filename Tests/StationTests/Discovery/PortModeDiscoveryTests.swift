@testable import DeviceDiscovery
import ATProtocol
import Foundation
import ModemSimulator
import StationAPI
import Testing
import TestSupport

/// `^GETPORTMODE` in the AT-port choice, through the real discovery path: two ttys answer `AT`, and the device's own
/// reply decides between them.
extension UMockdevStationDiscoveryTests {
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
