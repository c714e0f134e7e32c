import CUMockdev
@testable import DeviceDiscovery
import Foundation
import SerialPort
import Station
import StationAPI
import Testing
import TestSupport

/// Through the daemon's discovery over umockdev: a device whose ports another program holds, and a mode switch the
/// device ignores once or twice.
extension UMockdevStationDiscoveryTests {
    /// A catalog directory overriding the shipped ZeroCD entry with a short wait for the switched device.
    static func shortSwitchTimeoutCatalog(seconds: Int) throws -> String {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("hotspotd-catalog-\(UInt32.random(in: 0...UInt32.max))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let text = """
        { "formatVersion": 1, "devices": [ { "id": "huawei-zerocd", "name": "Huawei ZeroCD, short wait (test)",
          "usbIDs": ["12d1:1f01"],
          "modeSwitch": { "method": "bulkMessage", "message": "\(ModeSwitchReplay.huaweiNewModeHex)",
                          "targetUSBIDs": ["12d1:1506"], "timeoutSeconds": \(seconds) } } ] }
        """
        try text.write(toFile: directory + "/zz-test.json", atomically: true, encoding: .utf8)
        return directory
    }

    /// The first station event matching `predicate` within `deadline`, or `nil`.
    static func firstEvent(_ events: AsyncStream<StationEvent>, within deadline: Duration,
                           where predicate: @escaping @Sendable (StationEvent) -> Bool) async -> StationEvent? {
        await withTaskGroup(of: StationEvent?.self) { group in
            group.addTask {
                for await event in events where predicate(event) { return event }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: deadline)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    @Test func deviceWhosePortsAnotherProgramLocksIsListedAsPortBusyNamingTheHolderThenTakenWhenItLetsGo() async throws {
        let locks = FileManager.default.temporaryDirectory.appendingPathComponent("hotspotd-locks-\(UInt32.random(in: 0...UInt32.max))").path
        try FileManager.default.createDirectory(atPath: locks, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: locks) }
        // The holder is this test process (alive for the whole test; spawning a helper under umockdev's preload is
        // best avoided), holding both ttys open as a lock's holder does. Its name is what /proc says, read the same way
        // the probe does.
        let pid = getpid()
        let name = try #require(UUCPLockFile.programName(of: pid))
        let lockText = UUCPLockFile.contents(pid: pid)
        let testbed = try MockTestbed()
        let harness = try await DiscoveryStationHarness(defaultPlan: false, startDiscovery: false,
                                                        prober: ATPortProber(timeout: .milliseconds(300), tries: 1, lockDirectory: locks),
                                                        busyRecheck: .milliseconds(300))
        try testbed.add(MockDevices.unknownHuaweiStick.description)
        // umockdev backs a mocked tty with a pty (/dev/ttyUSB5 → /dev/pts/N): the lock is named after what the node
        // resolves to, as minicom and the station's serial port name it.
        var held: [Int32] = []
        defer { held.forEach { close($0) } }
        for tty in ["/dev/ttyUSB5", "/dev/ttyUSB6"] {
            try lockText.write(toFile: locks + "/" + UUCPLockFile.fileName(forDevice: tty), atomically: false, encoding: .utf8)
            let fd = open(tty, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
            try #require(fd >= 0, "cannot hold \(tty)")
            held.append(fd)
        }
        // ttyUSB6 would answer AT: only the locks keep the probe away from it.
        let modem = harness.serve(testbed, "/dev/ttyUSB6")
        defer { modem.stop() }
        harness.start()   // the locks exist before discovery sees the device
        let listed = await harness.device(within: .seconds(10)) { $0.failure != nil || $0.state != .connecting }
        // Re-checked every 300 ms while the locks stay: still listed the same way, and still no byte on the ports.
        try await Task.sleep(for: .milliseconds(800))
        let stillListed = await harness.station.devices(reveal: true)
        let receivedWhileLocked = modem.commands
        let lockFile = locks + "/" + UUCPLockFile.fileName(forDevice: "/dev/ttyUSB6")
        let lockWhileListed = try String(contentsOfFile: lockFile, encoding: .utf8)

        // The other program exits: its locks go. The next re-check probes the ports and takes the device.
        for tty in ["/dev/ttyUSB5", "/dev/ttyUSB6"] {
            try FileManager.default.removeItem(atPath: locks + "/" + UUCPLockFile.fileName(forDevice: tty))
        }
        held.forEach { close($0) }
        held = []
        let taken = await harness.device(within: .seconds(10)) { $0.state == .awaitingPlan }
        await harness.stop()

        #expect(stillListed.count == 1)
        #expect(stillListed.first?.failure?.code == "port-busy")
        #expect(receivedWhileLocked.isEmpty, "a locked port got bytes: \(receivedWhileLocked)")
        let identified = try #require(taken, "the device was not taken once its ports were free")
        #expect(identified.port == "/dev/ttyUSB6")
        #expect(identified.iccid != nil)
        #expect(await harness.station.devices(reveal: true).count == 1, "the busy listing is replaced by the session")

        let device = try #require(listed)
        #expect(device.failure?.code == "port-busy", "\(device.failure?.message ?? "not failed: \(device.state)")")
        #expect(device.port == "/dev/ttyUSB5")
        #expect(device.failure?.message.contains("/dev/ttyUSB5 is held by \(name) (pid \(pid))") == true, "\(device.failure?.message ?? "")")
        #expect(device.failure?.message.contains("/dev/ttyUSB6 is held by \(name) (pid \(pid))") == true)
        #expect(lockWhileListed == lockText, "the holder's lock is left alone")
    }

    /// A ZeroCD stick whose switch message the testbed checks byte for byte (twice) but never acts on, under a catalog
    /// that waits 1 s for it to come back; discovery started. Returns once the second message went out (or the device
    /// failed): the testbed, the harness, its station events, and that event.
    static func zeroCDIgnoringTheFirstSwitch() async throws
        -> (MockTestbed, DiscoveryStationHarness, AsyncStream<StationEvent>, StationEvent?) {
        let testbed = try MockTestbed()
        try testbed.add(MockDevices.zeroCD.description)
        let replay = try ModeSwitchReplay.write(times: 2)
        defer { try? FileManager.default.removeItem(atPath: replay) }
        try testbed.loadIoctl(device: MockDevices.zeroCD.devnode, recordFile: replay)
        let catalog = try shortSwitchTimeoutCatalog(seconds: 1)
        defer { try? FileManager.default.removeItem(atPath: catalog) }
        let harness = try await DiscoveryStationHarness(startDiscovery: false, catalogDirectories: [CatalogLocation.shipped, catalog])
        let events = await harness.station.events.subscribe()
        harness.start()
        let again = await firstEvent(events, within: .seconds(10)) {
            $0.step == "mode-switch" && ($0.message?.hasPrefix("mode switch sent again") == true || $0.state == .failed)
        }
        return (testbed, harness, events, again)
    }

    @Test func modeSwitchIgnoredOnceIsSentAgainAndTheDeviceIsThenProvisioned() async throws {
        // The device ignores the first message (the testbed does nothing): after 1 s it is sent again, byte for byte.
        let (testbed, harness, _, again) = try await Self.zeroCDIgnoringTheFirstSwitch()
        #expect(again?.message?.hasPrefix("mode switch sent again (attempt 2 of 2)") == true, "\(again?.message ?? "no event")")
        testbed.unplug(MockDevices.zeroCD)
        try testbed.add(MockDevices.switchedOnPort2.description)
        let modem = harness.serve(testbed, "/dev/ttyUSB4")
        defer { modem.stop() }

        let done = await harness.device { $0.port == "/dev/ttyUSB4" && ($0.state == .done || $0.state == .failed) }
        let all = await harness.station.devices(reveal: false)
        await harness.stop()
        #expect(done?.state == .done, "\(done?.failure?.message ?? "no device on ttyUSB4")")
        #expect(!all.contains { $0.failure?.code == "mode-switch-failed" })
    }

    @Test func modeSwitchIgnoredTwiceListsTheDeviceAsFailedNamingBothAttempts() async throws {
        let (testbed, harness, events, again) = try await Self.zeroCDIgnoringTheFirstSwitch()
        defer { withExtendedLifetime(testbed) {} }   // the mocked device lives until the end
        #expect(again?.state == .connecting, "the second message went out before the failure: \(again?.message ?? "no event")")
        let failed = await Self.firstEvent(events, within: .seconds(10)) { $0.step == "mode-switch" && $0.state == .failed }
        let listed = await harness.device(within: .seconds(2)) { $0.failure != nil }
        await harness.stop()
        #expect(failed != nil, "no failure within 10 s")
        #expect(listed?.failure?.code == "mode-switch-failed")
        #expect(listed?.port == "usb:1-2")
        let message = listed?.failure?.message ?? ""
        #expect(message.contains("sent 2 times"), "\(message)")
        #expect(message.contains("12d1:1506"), "the ids waited for are named: \(message)")
    }

    @Test func deviceAttachedByHandBeforeDiscoveryIsNeitherProbedNorListedTwice() async throws {
        let testbed = try MockTestbed()
        let harness = try await DiscoveryStationHarness(defaultPlan: false, startDiscovery: false)
        try testbed.add(MockDevices.e5Hotspot.description)
        let handler = TTYIoctlHandler.attach(testbed, device: "/dev/ttyUSB2")
        defer { if let handler { g_object_unref(handler) } }
        let modem = harness.serve(testbed, "/dev/ttyUSB2")
        defer { modem.stop() }
        // By hand (`hotspotctl attach`, or the configuration's `devices`) before discovery looks.
        _ = try await harness.station.attach(path: "/dev/ttyUSB2")
        let identified = await harness.device { $0.state == .awaitingPlan }
        let sentBefore = modem.commands.count
        let events = await harness.station.events.subscribe()
        harness.start()

        // Discovery enumerates the E5 and finds its PC UI port already driven: no second session, no listing.
        let listed = await Self.firstEvent(events, within: .seconds(2)) { $0.kind == "attached" || $0.state == .failed }
        let all = await harness.station.devices(reveal: true)
        await harness.stop()
        #expect(identified != nil)
        #expect(listed == nil, "discovery acted on it again: \(listed?.kind ?? "") \(listed?.message ?? "")")
        #expect(all.count == 1)
        #expect(modem.commands.count == sentBefore, "discovery sent \(modem.commands.dropFirst(sentBefore))")
    }
}
