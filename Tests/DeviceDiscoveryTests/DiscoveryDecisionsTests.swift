import DeviceDiscovery
import StationAPI
import Testing

/// Discovery's decisions per USB path, without a device, a thread or a station: events in, state and actions out.
struct DiscoveryDecisionsTests {
    static let catalog = UMockdevDiscoveryTests.shippedCatalog

    static func decisions(modeSwitch: Bool = true, opensNetworkDevices: Bool = true,
                          memory: ATPortMemory = ATPortMemory()) -> DiscoveryDecisions {
        let classifier = DeviceClassifier(catalog: catalog)
        return DiscoveryDecisions(classifier: classifier, chooser: ATPortChooser(classifier: classifier, prober: ATPortProber(), memory: memory),
                                  modeSwitch: modeSwitch, opensNetworkDevices: opensNetworkDevices)
    }

    static func option(_ number: Int, _ subclass: UInt8 = 0xff, _ proto: UInt8 = 0xff) -> USBInterfaceInfo {
        USBInterfaceInfo(number: number, interfaceClass: 0xff, interfaceSubclass: subclass, interfaceProtocol: proto, driver: "option")
    }

    /// An E5 unit in serial mode whose PC UI port (interface 2, protocol 0x02) the catalog recognises.
    static let e5 = USBDeviceSnapshot(
        usbPath: "1-1", syspath: "/sys/devices/usb1/1-1", vendorID: 0x12d1, productID: 0x1506, serial: "E5", product: "HUAWEI Mobile WiFi",
        interfaces: [option(0, 0x02, 0x01), option(1, 0x02, 0x03), option(2, 0x02, 0x02)],
        ttys: [TTYPort(devnode: "/dev/ttyUSB0", interfaceNumber: 0), TTYPort(devnode: "/dev/ttyUSB1", interfaceNumber: 1),
               TTYPort(devnode: "/dev/ttyUSB2", interfaceNumber: 2)])

    /// A Huawei stick the catalog does not know (udev-tagged, two ff/ff/ff ports) with the ttys of `interfaces` so far.
    static func unknownStick(ttysOf interfaces: [Int]) -> USBDeviceSnapshot {
        USBDeviceSnapshot(usbPath: "1-5", syspath: "/sys/devices/usb1/1-5", vendorID: 0x12d1, productID: 0x15ff, serial: "STICK-5",
                          interfaces: [option(0), option(1)],
                          ttys: interfaces.map { TTYPort(devnode: "/dev/ttyUSB\(5 + $0)", interfaceNumber: $0) },
                          properties: ["HOTSPOTD_CANDIDATE": "1"])
    }

    static let zeroCD = USBDeviceSnapshot(
        usbPath: "1-2", syspath: "/sys/devices/usb1/1-2", vendorID: 0x12d1, productID: 0x1f01, busNumber: 1, deviceNumber: 3,
        interfaces: [USBInterfaceInfo(number: 0, interfaceClass: 0x08, interfaceSubclass: 0x06, interfaceProtocol: 0x50, driver: "usb-storage")])

    static let switched = USBDeviceSnapshot(
        usbPath: "1-2", syspath: "/sys/devices/usb1/1-2", vendorID: 0x12d1, productID: 0x1506, busNumber: 1, deviceNumber: 4,
        interfaces: [option(0, 0x02, 0x01), option(1, 0x02, 0x02)],
        ttys: [TTYPort(devnode: "/dev/ttyUSB3", interfaceNumber: 0), TTYPort(devnode: "/dev/ttyUSB4", interfaceNumber: 1)])

    static func hiLink(net: [String]) -> USBDeviceSnapshot {
        USBDeviceSnapshot(usbPath: "1-3", syspath: "/sys/devices/usb1/1-3", vendorID: 0x12d1, productID: 0x14dc, product: "HUAWEI HiLink",
                          interfaces: [USBInterfaceInfo(number: 0, interfaceClass: 0x02, interfaceSubclass: 0x06, interfaceProtocol: 0,
                                                        driver: "cdc_ether")],
                          netInterfaces: net)
    }

    static func listings(_ actions: [DiscoveryAction]) -> [DiscoveryListing] {
        actions.compactMap { if case .list(let listing) = $0 { return listing } else { return nil } }
    }

    @Test func aDeviceWhosePortTheCatalogSettlesIsProbedAtOnceAndReadyOnceAttached() throws {
        var decisions = Self.decisions()
        #expect(decisions.observe(.added(Self.e5)) == [.choosePort(usbPath: "1-1")])
        #expect(decisions.state(of: "1-1") == .probing)
        let choosingStart = decisions.choosingStarts("1-1")
        let choosing = try #require(choosingStart)
        #expect(choosing.role == .hotspot && choosing.candidates.first == "/dev/ttyUSB2")
        let choice = ATPortChoice(port: "/dev/ttyUSB2", evidence: .catalog)
        #expect(decisions.portDecided("1-1", .chosen(choice), choosing: choosing)
                == [.attachATPort(usbPath: "1-1", choice: choice, snapshot: Self.e5, role: .hotspot)])
        // A second event while the port is chosen changes nothing: one probe per device.
        #expect(decisions.observe(.changed(Self.e5)).isEmpty)
        let attached = decisions.attachFinished("1-1", port: "/dev/ttyUSB2", role: .hotspot, outcome: .success("d1"))
        #expect(decisions.state(of: "1-1") == .ready(port: "/dev/ttyUSB2", role: .hotspot))
        #expect(attached == [.log(DiscoveryLogLine(.info, "discovered device attached", ["usb.path": "1-1", "device.id": "d1"]))])
        // Its unplug ends the session and is logged.
        #expect(decisions.observe(.removed(usbPath: "1-1"))
                == [.cancelWork(usbPath: "1-1"), .detach(usbPath: "1-1", reason: "unplugged from USB 1-1", logged: true)])
        #expect(decisions.state(of: "1-1") == nil)
    }

    @Test func portsAreAwaitedUntilTheEventThatBringsTheLastTTY() {
        var decisions = Self.decisions()
        #expect(decisions.observe(.added(Self.unknownStick(ttysOf: [0]))) == [.awaitPorts(usbPath: "1-5")])
        #expect(decisions.state(of: "1-5") == .waitingForPorts(graceOver: false))
        // The grace is over but the second tty is missing: wait for it, no polling.
        #expect(decisions.portGraceElapsed("1-5").isEmpty)
        #expect(decisions.state(of: "1-5") == .waitingForPorts(graceOver: true))
        #expect(decisions.observe(.changed(Self.unknownStick(ttysOf: [0]))).isEmpty)
        // The udev event that completes the ports ends the wait at once.
        #expect(decisions.observe(.changed(Self.unknownStick(ttysOf: [0, 1]))) == [.choosePort(usbPath: "1-5")])
        #expect(decisions.state(of: "1-5") == .probing)
        // The patience timer that fires afterwards does nothing.
        #expect(decisions.portPatienceElapsed("1-5").isEmpty)
    }

    @Test func completePortsAreChosenWhenTheGraceEndsAndMissingOnesAtThePatience() {
        var complete = Self.decisions()
        _ = complete.observe(.added(Self.unknownStick(ttysOf: [0, 1])))
        #expect(complete.state(of: "1-5") == .waitingForPorts(graceOver: false), "complete too early is not trusted before the grace")
        #expect(complete.portGraceElapsed("1-5") == [.choosePort(usbPath: "1-5")])

        var partial = Self.decisions()
        _ = partial.observe(.added(Self.unknownStick(ttysOf: [1])))
        _ = partial.portGraceElapsed("1-5")
        #expect(partial.portPatienceElapsed("1-5") == [.choosePort(usbPath: "1-5")], "chosen with the ttys there are")
        #expect(partial.choosingStarts("1-5")?.candidates == ["/dev/ttyUSB6"])
    }

    @Test func aBusyDeviceIsListedOnceNamingTheHolderAndLookedAtAgain() throws {
        var decisions = Self.decisions()
        _ = decisions.observe(.added(Self.unknownStick(ttysOf: [0, 1])))
        _ = decisions.portGraceElapsed("1-5")
        let choosingStart = decisions.choosingStarts("1-5")
        let choosing = try #require(choosingStart)
        let busy: ATPortDecision = .noneAnswered([PortProbeResult(port: "/dev/ttyUSB5", outcome: .busy(holder: "minicom (pid 7)")),
                                                  PortProbeResult(port: "/dev/ttyUSB6", outcome: .silent)])
        let first = decisions.portDecided("1-5", busy, choosing: choosing)
        #expect(decisions.state(of: "1-5") == .failed(.portBusy))
        #expect(first.first == .recheckWhenFree(usbPath: "1-5"))
        let listing = try #require(Self.listings(first).first)
        #expect(listing.failure?.code == "port-busy" && listing.port == "/dev/ttyUSB5" && listing.step == "identify")
        #expect(listing.failure?.message == "/dev/ttyUSB5 is held by minicom (pid 7); /dev/ttyUSB6 was silent. Close that program (or unplug and replug the device once it is free).")

        // The re-check finds it still busy: looked at again, but not listed or logged again.
        #expect(decisions.busyRecheckDue("1-5") == [.awaitPorts(usbPath: "1-5")])
        _ = decisions.portGraceElapsed("1-5")
        let againStart = decisions.choosingStarts("1-5")
        let again = try #require(againStart)
        #expect(decisions.portDecided("1-5", busy, choosing: again) == [.recheckWhenFree(usbPath: "1-5")])

        // Free now: the probe answers and the port is attached.
        _ = decisions.busyRecheckDue("1-5")
        _ = decisions.portGraceElapsed("1-5")
        let thirdStart = decisions.choosingStarts("1-5")
        let third = try #require(thirdStart)
        let choice = ATPortChoice(port: "/dev/ttyUSB6", evidence: .probe)
        #expect(decisions.portDecided("1-5", .chosen(choice), choosing: third).first
                == .attachATPort(usbPath: "1-5", choice: choice, snapshot: Self.unknownStick(ttysOf: [0, 1]), role: .modem))
    }

    @Test func noPortAnsweringListsTheCandidates() throws {
        var decisions = Self.decisions()
        _ = decisions.observe(.added(Self.unknownStick(ttysOf: [0, 1])))
        _ = decisions.portGraceElapsed("1-5")
        let choosingStart = decisions.choosingStarts("1-5")
        let choosing = try #require(choosingStart)
        let actions = decisions.portDecided("1-5", .noneAnswered([]), choosing: choosing)
        #expect(decisions.state(of: "1-5") == .failed(.noPortAnswered))
        let listing = try #require(Self.listings(actions).first)
        #expect(listing.failure?.code == "no-at-port-answered")
        #expect(listing.failure?.message == "None of /dev/ttyUSB5, /dev/ttyUSB6 answered AT within 500 ms (2 tries).")
        // Listed devices wait for their unplug: a new event does not probe them again.
        #expect(decisions.observe(.changed(Self.unknownStick(ttysOf: [0, 1]))).isEmpty)
    }

    @Test func aDeviceUnpluggedWhileItsPortWasAttachedIsDetachedAgain() throws {
        var decisions = Self.decisions()
        _ = decisions.observe(.added(Self.e5))
        let choosingStart = decisions.choosingStarts("1-1")
        let choosing = try #require(choosingStart)
        _ = decisions.portDecided("1-1", .chosen(ATPortChoice(port: "/dev/ttyUSB2", evidence: .catalog)), choosing: choosing)
        // The remove event came while the station opened the port: it found no session to end yet.
        _ = decisions.observe(.removed(usbPath: "1-1"))
        #expect(decisions.attachFinished("1-1", port: "/dev/ttyUSB2", role: .modem, outcome: .success("d1"))
                == [.detach(usbPath: "1-1", reason: "unplugged from USB 1-1", logged: false)])
        #expect(decisions.state(of: "1-1") == nil, "a gone device is not brought back by a late attach")
    }

    @Test func aRefusedAttachIsListedWithTheStationsCode() throws {
        var decisions = Self.decisions()
        _ = decisions.observe(.added(Self.e5))
        let choosingStart = decisions.choosingStarts("1-1")
        let choosing = try #require(choosingStart)
        _ = decisions.portDecided("1-1", .chosen(ATPortChoice(port: "/dev/ttyUSB2", evidence: .catalog)), choosing: choosing)
        let actions = decisions.attachFinished("1-1", port: "/dev/ttyUSB2", role: .modem,
                                               outcome: .failure(DiscoveryRefusal(code: "port-in-use", message: "in use")))
        #expect(decisions.state(of: "1-1") == .failed(.attachRefused(code: "port-in-use")))
        #expect(Self.listings(actions) == [DiscoveryListing(usbPath: "1-1", port: "/dev/ttyUSB2", state: .failed, role: .modem, step: "attach",
                                                            failure: FailureInfo(code: "port-in-use", message: "in use"), message: "in use")])
    }

    @Test func aDeviceAlreadyDrivenIsNeitherProbedNorListed() throws {
        var decisions = Self.decisions()
        _ = decisions.observe(.added(Self.e5))
        let choosingStart = decisions.choosingStarts("1-1")
        let choosing = try #require(choosingStart)
        let actions = decisions.alreadyDriven("1-1", port: "/dev/ttyUSB2", choosing: choosing)
        #expect(Self.listings(actions).isEmpty)
        #expect(decisions.state(of: "1-1") == .ready(port: "/dev/ttyUSB2", role: .hotspot))
    }

    @Test func aCDROMDeviceIsSwitchedSurvivesItsStorageDepartureAndIsTakenWhenItComesBack() throws {
        var decisions = Self.decisions()
        let first = decisions.observe(.added(Self.zeroCD))
        #expect(decisions.state(of: "1-2") == .switching(attempt: 1))
        guard case .switchMode(let plan)? = first.last else {
            Issue.record("no mode switch asked: \(first)")
            return
        }
        #expect(plan.usbPath == "1-2" && plan.targetUSBIDs.contains(USBID(vendor: 0x12d1, product: 0x1506)))
        #expect(Self.listings(first).first?.state == .connecting && Self.listings(first).first?.step == "mode-switch")
        // The storage personality leaves: expected, nothing ends and nothing is listed.
        #expect(decisions.observe(.removed(usbPath: "1-2")) == [.cancelWork(usbPath: "1-2")])
        #expect(decisions.mayRetryModeSwitch("1-2"))
        let again = decisions.modeSwitchSent("1-2", attempt: 2)
        #expect(decisions.state(of: "1-2") == .switching(attempt: 2))
        #expect(Self.listings(again).first?.message.hasPrefix("mode switch sent again (attempt 2 of 2)") == true)
        // Back in serial mode on the same path: taken as a new device.
        #expect(decisions.observe(.added(Self.switched)) == [.choosePort(usbPath: "1-2")])
        #expect(decisions.modeSwitchReturned("1-2").isEmpty, "the return the waiter saw is the same device, already taken")
        #expect(decisions.state(of: "1-2") == .probing)
    }

    @Test func aSwitchThatNeverComesBackIsListedAsFailedUnlessTheDeviceLeft() {
        var decisions = Self.decisions()
        _ = decisions.observe(.added(Self.zeroCD))
        let error = DiscoveryError(.modeSwitchTimedOut, context: "1-2 did not come back")
        let failed = decisions.modeSwitchFailed("1-2", error: error, message: "sent 2 times")
        #expect(decisions.state(of: "1-2") == .failed(.modeSwitchFailed))
        #expect(Self.listings(failed).first?.failure == FailureInfo(code: "mode-switch-failed", message: "sent 2 times"))
        #expect(Self.listings(failed).first?.port == "usb:1-2")
        #expect(!decisions.mayRetryModeSwitch("1-2"))
        // Once listed, a failure that comes later is only logged.
        #expect(Self.listings(decisions.modeSwitchFailed("1-2", error: error, message: "again")).isEmpty)
    }

    @Test func aCDROMDeviceIsOnlyListedWhenSwitchingIsOff() {
        var decisions = Self.decisions(modeSwitch: false)
        let actions = decisions.observe(.added(Self.zeroCD))
        #expect(decisions.state(of: "1-2") == .failed(.modeSwitchDisabled))
        #expect(!actions.contains { if case .switchMode = $0 { return true } else { return false } })
        let listing = Self.listings(actions).first
        #expect(listing?.failure?.code == "mode-switch-disabled" && listing?.port == "usb:1-2" && listing?.role == .unknown)
    }

    @Test func aHiLinkUnitIsListedThenOpenedOnItsNetworkInterfaceAndReadyOnceAttached() {
        var decisions = Self.decisions()
        let first = decisions.observe(.added(Self.hiLink(net: [])))
        #expect(decisions.state(of: "1-3") == .failed(.noATPort(listedPort: "usb:1-3")))
        #expect(Self.listings(first).first?.role == .hotspot)
        #expect(Self.listings(first).first?.failure?.message.contains("HiLink") == true)
        // Its network interface shows up after it was listed: the listing follows and the driver opens it.
        let net = decisions.observe(.changed(Self.hiLink(net: ["usb0"])))
        #expect(decisions.state(of: "1-3") == .failed(.noATPort(listedPort: "usb0")))
        #expect(Self.listings(net).first?.port == "usb0")
        #expect(net.last == .openNetworkDevice(usbPath: "1-3", interface: "usb0"))
        #expect(decisions.observe(.changed(Self.hiLink(net: ["usb0"]))).isEmpty, "the same interface is not opened twice")
        #expect(!decisions.networkOpeningIsCurrent("1-3", interface: "usb1"))

        let unanswered = decisions.networkDeviceNotOpened("1-3", interface: "usb0",
                                                          refusal: DiscoveryRefusal(code: "no-address", message: "no DHCP"))
        #expect(Self.listings(unanswered).first?.failure?.code == "no-address" && Self.listings(unanswered).first?.port == "usb0")
        let attached = decisions.networkDeviceAttached("1-3", interface: "usb0", outcome: .success((id: "d2", port: "http://192.168.8.1 (usb0)")))
        #expect(decisions.state(of: "1-3") == .ready(port: "http://192.168.8.1 (usb0)", role: .hotspot))
        #expect(Self.listings(attached).isEmpty)
    }

    @Test func withoutANetworkDriverAHiLinkUnitIsOnlyListed() {
        var decisions = Self.decisions(opensNetworkDevices: false)
        let actions = decisions.observe(.added(Self.hiLink(net: ["usb0"])))
        #expect(!actions.contains { if case .openNetworkDevice = $0 { return true } else { return false } })
        #expect(Self.listings(actions).first?.port == "usb0")
    }

    @Test func aDeviceNotOursIsSeenAndItsDepartureIsNotLogged() {
        var decisions = Self.decisions()
        let printer = USBDeviceSnapshot(usbPath: "1-9", syspath: "/sys/devices/usb1/1-9", vendorID: 0x04a9, productID: 0x1234)
        #expect(decisions.observe(.added(printer)).isEmpty)
        #expect(decisions.state(of: "1-9") == .seen)
        #expect(decisions.observe(.removed(usbPath: "1-9"))
                == [.cancelWork(usbPath: "1-9"), .detach(usbPath: "1-9", reason: "unplugged from USB 1-9", logged: false)])
    }

    @Test func afterStopNothingIsProbed() {
        var decisions = Self.decisions()
        _ = decisions.observe(.added(Self.e5))
        #expect(decisions.stop() == [.cancelWork(usbPath: "1-1")])
        #expect(decisions.choosingStarts("1-1") == nil)
        #expect(decisions.state(of: "1-1") == .seen)
    }

    @Test func theCatalogNamesTheOneDeviceRoleInItsOwnSpelling() {
        #expect(DeviceRole(catalogName: "simReader") == .simReader)
        #expect(DeviceRole(catalogName: "hotspot") == .hotspot)
        #expect(DeviceRole(catalogName: "modem") == .modem)
        #expect(DeviceRole(catalogName: "sim-reader") == nil)
        #expect(DeviceRole(catalogName: "unknown") == nil, "a catalog entry never says it knows nothing")
    }
}
