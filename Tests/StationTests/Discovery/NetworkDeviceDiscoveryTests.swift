import ATProtocol
import DeviceDiscovery
import Foundation
import Provisioning
import Station
import StationAPI
import Synchronization
import Testing
import TestSupport

/// A device with no AT port and a USB network interface (a HiLink unit) is opened by its driver and provisioned like
/// any other; its unplug ends the session.
///
/// Part of the serialized umockdev suite: umockdev allows one testbed per process, and a suite of its own ran
/// beside another umockdev suite and broke both (each one's devices showed up in the other's testbed).
extension UMockdevStationDiscoveryTests {
    /// A HiLink-like driver whose SIM waits for its PIN: enough to see the session run through the driver.
    final class LockedSIMDriver: DeviceDriver {
        let closed = Atomic(false)
        func identify() async throws(DriverFailure) -> DeviceIdentity {
            DeviceIdentity(manufacturer: "Huawei", model: "E3372h-320", firmware: "22.200", imei: IMEI(digits: "867123456789012"),
                           iccid: ICCID(digits: "8933012345678901231"), imsi: nil, pinState: .simPIN, pinTriesLeft: 3,
                           family: "hilink", hasWiFi: false, hardwareID: "G4P7S17A01234567")
        }
        func enterPIN(_ pin: String) async throws(DriverFailure) -> SIMPinState? { .simPIN }
        func readIMSI() async throws(DriverFailure) -> IMSI? { nil }
        func canSendUSSD(_ request: String) -> Bool { true }
        func ussd(_ request: String, replyTimeout: Duration, redacted: String?,
                  accepting isOwnReply: @escaping @Sendable (USSDReply) -> Bool) async throws(DriverFailure) -> USSDReply {
            throw DriverFailure(code: "ussd-unavailable", message: "not in this test")
        }
        var wifiStore: (any WiFiStore)? { nil }
    }

    @Test func aHiLinkUnitIsOpenedByItsDriverAndItsUnplugEndsTheSession() async throws {
        let testbed = try MockTestbed()
        let driver = LockedSIMDriver()
        let asked = Mutex<[String]>([])
        let opener = NetworkDeviceOpener(addressPatience: .seconds(5), unitAddress: { _ in "192.168.8.1" }) { interface, host in
            asked.withLock { $0.append("\(interface) \(host)") }
            return .success(NetworkDeviceConnection(driver: driver, port: "http://\(host) (\(interface))",
                                                    close: { driver.closed.store(true, ordering: .sequentiallyConsistent) }))
        }
        let harness = try await DiscoveryStationHarness(networkDevices: opener)
        try testbed.add(MockDevices.hiLink.description)
        let identified = await harness.device(within: .seconds(10)) { $0.port == "http://192.168.8.1 (usb0)" && $0.state == .failed }
        #expect(asked.withLock { $0 } == ["usb0 192.168.8.1"])
        let device = try #require(identified, "the unit was not opened through its driver")
        #expect(device.failure?.code == "sim-pin-required")
        #expect(device.pinTriesLeft == 3)
        #expect(device.model == "E3372h-320")
        #expect(await harness.station.devices(reveal: false).filter { $0.failure?.code == "no-at-port" }.isEmpty,
                "the placeholder gave way to the session")

        testbed.unplug(MockDevices.hiLink)
        let gone = await harness.device(within: .seconds(10)) { $0.id == device.id && $0.state == .gone }
        await harness.stop()
        #expect(gone != nil, "the unplug did not end the session")
        let closed = driver.closed.load(ordering: .sequentiallyConsistent)
        #expect(closed, "the driver's connection was not closed")
    }

    @Test func aUnitThatGetsNoAddressStaysListedWithWhatToDo() async throws {
        let testbed = try MockTestbed()
        let opener = NetworkDeviceOpener(addressPatience: .milliseconds(300), unitAddress: { _ in nil }) { _, _ in
            Issue.record("connect must not be called without an address")
            return .failure(StationError(.internalFailure, code: "unexpected", message: "unexpected"))
        }
        let harness = try await DiscoveryStationHarness(networkDevices: opener)
        try testbed.add(MockDevices.hiLink.description)
        let listed = await harness.device(within: .seconds(5)) { $0.failure?.code == "no-address" }
        await harness.stop()
        #expect(listed?.port == "usb0")
        #expect(listed?.failure?.message.contains("DHCP") == true)
    }
}
