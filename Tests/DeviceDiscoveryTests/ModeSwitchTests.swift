import Testing
@testable import DeviceDiscovery

/// Mode-switch decisions that need no USB device.
struct ModeSwitchTests {
    static let plan = ModeSwitchPlan(usbPath: "1-2", from: USBID(vendor: 0x12d1, product: 0x1f01), busNumber: 1, deviceNumber: 3,
                                     storageInterfaceNumber: 0, method: .bulkMessage(ModeSwitchMethod.huaweiNewModeMessage),
                                     targetUSBIDs: [USBID(vendor: 0x12d1, product: 0x1506)], timeout: .seconds(20),
                                     catalogEntryID: "huawei-zerocd")

    @Test func disabledByConfigurationSendsNothing() async throws {
        // No device exists at bus 1 device 3 here: reaching libusb would throw.
        #expect(try await USBModeSwitcher().switchMode(Self.plan, enabled: false) == .skippedDisabled)
    }

    @Test func waiterReturnsTheDeviceWhenItComesBackWithATargetID() async throws {
        let (events, continuation) = AsyncStream<DiscoveryEvent>.makeStream()
        let storage = USBDeviceSnapshot(usbPath: "1-2", syspath: "/sys/x/1-2", vendorID: 0x12d1, productID: 0x1f01)
        let other = USBDeviceSnapshot(usbPath: "1-3", syspath: "/sys/x/1-3", vendorID: 0x12d1, productID: 0x1506)
        let switched = USBDeviceSnapshot(usbPath: "1-2", syspath: "/sys/x/1-2", vendorID: 0x12d1, productID: 0x1506)
        continuation.yield(.added(storage))
        continuation.yield(.removed(usbPath: "1-2"))
        continuation.yield(.added(other))
        continuation.yield(.added(switched))
        let back = try await ModeSwitchWaiter.awaitReturn(of: Self.plan, events: events)
        #expect(back == switched)
    }

    @Test func waiterReportsDiscoveryStoppingAsATypedFailure() async {
        let (events, continuation) = AsyncStream<DiscoveryEvent>.makeStream()
        continuation.yield(.removed(usbPath: "1-2"))
        continuation.finish()
        await #expect {
            _ = try await ModeSwitchWaiter.awaitReturn(of: Self.plan, events: events)
        } throws: { error in
            guard let error = error as? DiscoveryError else { return false }
            return error.code == .discoveryStopped && error.context.contains("removed")
        }
    }

    @Test func usbIDParsesAndPrintsLowercase() {
        #expect(USBID("12D1:1F01") == USBID(vendor: 0x12d1, product: 0x1f01))
        #expect(USBID(vendor: 0x0403, product: 0x6001).description == "0403:6001")
        #expect(USBID("12d1:1f0") == nil)
        #expect(USBID("12d1") == nil)
        #expect(USBID("12d1:1506:1") == nil)
    }
}

/// The probe without a device.
struct ATPortProbeReplyTests {
    @Test func probeOfNoPortsOrMissingPortsFindsNothing() async {
        #expect(await ATPortProber().firstAnswering([]) == nil)
        #expect(await ATPortProber(timeout: .milliseconds(50), tries: 1).firstAnswering(["/nonexistent/ttyUSB9"]) == nil)
    }
}
