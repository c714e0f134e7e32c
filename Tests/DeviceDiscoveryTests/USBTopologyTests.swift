import Testing
@testable import DeviceDiscovery

/// Grouping udev observations into per-device snapshots, without udev.
struct USBTopologyTests {
    static let devicePath = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1"

    static func device(product: UInt16 = 0x1506) -> UdevObservation.Device {
        UdevObservation.Device(usbPath: "1-1", syspath: devicePath, vendorID: 0x12d1, productID: product, serial: nil,
                               manufacturer: "HUAWEI", product: "HUAWEI Mobile", busNumber: 1, deviceNumber: 2,
                               devnode: "/dev/bus/usb/001/002", properties: ["HOTSPOTD_CANDIDATE": "1", "ID_MM_DEVICE_IGNORE": "1"])
    }

    static func tty(_ number: Int, action: UdevObservation.Action = .add) -> UdevObservation {
        UdevObservation(action: action, syspath: devicePath + "/1-1:1.\(number)/ttyUSB\(number)/tty/ttyUSB\(number)",
                        node: .tty(TTYPort(devnode: "/dev/ttyUSB\(number)", interfaceNumber: number), device: device(),
                                   properties: ["ID_MM_PORT_IGNORE": "1"]))
    }

    static func interface(_ number: Int, action: UdevObservation.Action = .add, driver: String? = "option") -> UdevObservation {
        UdevObservation(action: action, syspath: devicePath + "/1-1:1.\(number)",
                        node: .usbInterface(USBInterfaceInfo(number: number, interfaceClass: 0xff, interfaceSubclass: 2,
                                                             interfaceProtocol: 2, driver: driver),
                                            device: device(), properties: [:]))
    }

    @Test func deviceThenChildrenGiveOneAddedThenChanges() throws {
        var topology = USBTopology()
        let added = topology.apply(UdevObservation(action: .add, syspath: Self.devicePath, node: .usbDevice(Self.device())))
        #expect(added?.snapshot?.ttys == [])
        guard case .added = added else { Issue.record("first event is not added"); return }
        guard case .changed(let withInterface)? = topology.apply(Self.interface(2)) else { Issue.record("no change"); return }
        #expect(withInterface.interfaces.map(\.number) == [2])
        guard case .changed(let withTTY)? = topology.apply(Self.tty(2)) else { Issue.record("no change"); return }
        #expect(withTTY.ttys == [TTYPort(devnode: "/dev/ttyUSB2", interfaceNumber: 2)])
        #expect(withTTY.properties["ID_MM_PORT_IGNORE"] == "1")
        #expect(withTTY.properties["HOTSPOTD_CANDIDATE"] == "1")
    }

    @Test func repeatedObservationCausesNoEvent() {
        var topology = USBTopology()
        _ = topology.apply(Self.tty(0))
        #expect(topology.apply(Self.tty(0)) == nil)
        #expect(topology.apply(Self.tty(0, action: .change)) == nil)
    }

    @Test func childBeforeParentCreatesTheDevice() {
        var topology = USBTopology()
        guard case .added(let snapshot)? = topology.apply(Self.tty(1)) else { Issue.record("no added"); return }
        #expect(snapshot.usbPath == "1-1")
        #expect(snapshot.ttys.map(\.devnode) == ["/dev/ttyUSB1"])
    }

    @Test func ttysAreOrderedByInterfaceNumber() {
        var topology = USBTopology()
        for number in [2, 0, 1] { _ = topology.apply(Self.tty(number)) }
        #expect(topology.snapshots.first?.ttys.map(\.interfaceNumber) == [0, 1, 2])
    }

    @Test func unbindClearsTheDriverAndBindRestoresIt() {
        var topology = USBTopology()
        _ = topology.apply(Self.interface(0))
        let unbound = topology.apply(Self.interface(0, action: .unbind))
        #expect(unbound?.snapshot?.interfaces.first?.driver == nil)
        let bound = topology.apply(Self.interface(0, action: .bind))
        #expect(bound?.snapshot?.interfaces.first?.driver == "option")
    }

    @Test func removingAChildByItsSyspathAloneUpdatesTheDevice() {
        var topology = USBTopology()
        _ = topology.apply(Self.tty(0))
        _ = topology.apply(Self.tty(1))
        let gone = topology.apply(UdevObservation(action: .remove, syspath: Self.tty(0).syspath, node: .unrelated))
        #expect(gone?.snapshot?.ttys.map(\.devnode) == ["/dev/ttyUSB1"])
    }

    @Test func removingTheDeviceEmitsRemovedAndForgetsItsChildren() {
        var topology = USBTopology()
        _ = topology.apply(Self.tty(0))
        #expect(topology.apply(UdevObservation(action: .remove, syspath: Self.devicePath, node: .unrelated)) == .removed(usbPath: "1-1"))
        #expect(topology.snapshots.isEmpty)
        #expect(topology.apply(UdevObservation(action: .remove, syspath: Self.tty(0).syspath, node: .unrelated)) == nil)
    }

    @Test func sameUSBPathWithANewProductIDIsAddedAgainAfterRemoval() {
        var topology = USBTopology()
        _ = topology.apply(UdevObservation(action: .add, syspath: Self.devicePath, node: .usbDevice(Self.device(product: 0x1f01))))
        _ = topology.apply(UdevObservation(action: .remove, syspath: Self.devicePath, node: .unrelated))
        let back = topology.apply(UdevObservation(action: .add, syspath: Self.devicePath, node: .usbDevice(Self.device(product: 0x1506))))
        #expect(back == .added(topology.snapshots[0]))
        #expect(back?.snapshot?.productID == 0x1506)
    }

    @Test func unrelatedDevicesAreIgnored() {
        var topology = USBTopology()
        #expect(topology.apply(UdevObservation(action: .add, syspath: "/sys/devices/virtual/tty/tty0", node: .unrelated)) == nil)
        #expect(topology.snapshots.isEmpty)
    }

    @Test func resyncDifferencesReportLeftNewChangedAndReplugged() {
        func snap(_ path: String, _ product: UInt16, ttys: Int = 0) -> USBDeviceSnapshot {
            USBDeviceSnapshot(usbPath: path, syspath: "/sys/x/" + path, vendorID: 0x12d1, productID: product,
                              ttys: (0..<ttys).map { TTYPort(devnode: "/dev/ttyUSB\($0)", interfaceNumber: $0) })
        }
        let old = [snap("1-1", 0x1506), snap("1-2", 0x1f01), snap("1-3", 0x1506), snap("1-4", 0x1506)]
        let new = [snap("1-1", 0x1506), snap("1-2", 0x1506), snap("1-3", 0x1506, ttys: 1), snap("1-5", 0x14dc)]
        #expect(USBTopology.differences(from: old, to: new) == [
            .removed(usbPath: "1-4"),
            .removed(usbPath: "1-2"), .added(snap("1-2", 0x1506)),
            .changed(snap("1-3", 0x1506, ttys: 1)),
            .added(snap("1-5", 0x14dc)),
        ])
    }
}
