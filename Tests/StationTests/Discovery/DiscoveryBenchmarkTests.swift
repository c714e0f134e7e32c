import CUMockdev
import DeviceDiscovery
import Foundation
import Testing
import TestSupport

/// Plug (uevent) → ICCID known, for one device and for 32 plugged together, through the whole discovery path
/// (udev monitor → snapshot → catalog → AT port → station session → identification) against instantly answering
/// simulated devices. Printed as figures; run by `Benchmarks/discovery-bench.sh` (`HOTSPOTD_DISCOVERY_BENCH=1`).
extension UMockdevStationDiscoveryTests {
    static let benchRuns = Int(ProcessInfo.processInfo.environment["HOTSPOTD_DISCOVERY_BENCH_RUNS"] ?? "") ?? 10

    /// A serial-mode E5 unit on USB port `1-<index>` with its PC UI port on ttyUSB<index*3+2>.
    static func benchDevice(_ index: Int) -> MockUSBDevice {
        var device = MockDevices.e5Hotspot
        device.port = "1-\(index)"
        device.deviceNumber = index + 1
        device.serial = "BENCH\(index)"
        for position in device.interfaces.indices {
            device.interfaces[position].tty = "ttyUSB\(index * 3 + position)"
        }
        return device
    }

    /// Plugs `count` devices at once; returns the time from the first uevent to the last ICCID known, and how long
    /// umockdev itself took to create the devices (its sysfs writes; a kernel does this in microseconds).
    static func plugAndIdentify(count: Int, firstIndex: Int) async throws -> (total: Duration, plugging: Duration) {
        let testbed = try MockTestbed()
        let harness = try await DiscoveryStationHarness(defaultPlan: false)
        defer { _ = testbed }
        let devices = (0..<count).map { benchDevice(firstIndex + $0) }
        let clock = ContinuousClock()
        let start = clock.now
        var modems: [FakeModem] = []
        for device in devices {
            try testbed.add(device.description)
            modems.append(harness.serve(testbed, "/dev/" + (device.interfaces[2].tty ?? "")))
        }
        let plugging = clock.now - start
        var elapsed: Duration?
        while clock.now - start < .seconds(30) {
            let known = await harness.station.devices(reveal: true).filter { $0.iccid != nil }.count
            if known >= count {
                elapsed = clock.now - start
                break
            }
            try await clock.sleep(for: count == 1 ? .microseconds(500) : .milliseconds(5))
        }
        await harness.stop()
        modems.forEach { $0.stop() }
        return (try #require(elapsed, "not every device was identified within 30 s"), plugging)
    }

    /// `count` devices already plugged in when discovery starts: start → last ICCID known (enumeration path), with
    /// where the time went: libudev enumerating umockdev's sysfs alone (timed on its own first), start → the last
    /// session attached (enumeration, then each port opened through umockdev's ioctl handler), and the rest.
    static func enumerateAndIdentify(count: Int) async throws -> (total: Duration, enumeration: Duration, lastAttach: Duration) {
        let testbed = try MockTestbed()
        let harness = try await DiscoveryStationHarness(defaultPlan: false, startDiscovery: false)
        var modems: [FakeModem] = []
        for device in (0..<count).map({ benchDevice(1 + $0) }) {
            try testbed.add(device.description)
            modems.append(harness.serve(testbed, "/dev/" + (device.interfaces[2].tty ?? "")))
        }
        let clock = ContinuousClock()
        let enumerationOnly = USBDiscovery()
        let enumerationStart = clock.now
        try await enumerationOnly.start()
        let enumeration = clock.now - enumerationStart
        enumerationOnly.stop()
        let events = await harness.station.events.subscribe()
        let start = clock.now
        let lastAttach = Task {
            var seen = 0
            for await event in events where event.kind == "attached" {
                seen += 1
                if seen == count { return clock.now - start }
            }
            return Duration.zero
        }
        harness.start()
        var elapsed: Duration?
        while clock.now - start < .seconds(30) {
            if await harness.station.devices(reveal: true).filter({ $0.iccid != nil }).count >= count {
                elapsed = clock.now - start
                break
            }
            try await clock.sleep(for: count == 1 ? .microseconds(500) : .milliseconds(5))
        }
        await harness.stop()
        lastAttach.cancel()
        modems.forEach { $0.stop() }
        return (try #require(elapsed, "not every device was identified within 30 s"), enumeration, await lastAttach.value)
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["HOTSPOTD_DISCOVERY_BENCH"] == "1"))
    func benchmarkPlugToICCID() async throws {
        var single: [Double] = []
        for run in 0..<Self.benchRuns {
            single.append(Self.ms(try await Self.plugAndIdentify(count: 1, firstIndex: 1 + run % 4).total))
        }
        var many: [Double] = []
        var plugging: [Double] = []
        for _ in 0..<max(1, Self.benchRuns / 3) {
            let result = try await Self.plugAndIdentify(count: 32, firstIndex: 1)
            many.append(Self.ms(result.total))
            plugging.append(Self.ms(result.plugging))
        }
        let one = Self.median(single)
        let all = Self.median(many)
        print("BENCH plug→ICCID one device: median \(Self.fmt(one)) ms (min \(Self.fmt(single.min() ?? 0)), max \(Self.fmt(single.max() ?? 0)), n=\(single.count))")
        let plug = Self.median(plugging)
        print("BENCH plug→ICCID 32 devices together: median \(Self.fmt(all)) ms (n=\(many.count)); ratio to one device \(Self.fmt(all / one))")
        print("BENCH   of which umockdev creating the 32 devices: \(Self.fmt(plug)) ms; last device created→all ICCIDs \(Self.fmt(all - plug)) ms (ratio to one device \(Self.fmt((all - plug) / one)))")
        var startOne: [(total: Duration, enumeration: Duration, lastAttach: Duration)] = []
        var startMany: [(total: Duration, enumeration: Duration, lastAttach: Duration)] = []
        for _ in 0..<max(1, Self.benchRuns / 3) {
            startOne.append(try await Self.enumerateAndIdentify(count: 1))
            startMany.append(try await Self.enumerateAndIdentify(count: 32))
        }
        let e1 = Self.median(startOne.map { Self.ms($0.total) })
        let e32 = Self.median(startMany.map { Self.ms($0.total) })
        print("BENCH present at start → ICCID: 1 device median \(Self.fmt(e1)) ms, 32 devices median \(Self.fmt(e32)) ms (n=\(startOne.count)); ratio \(Self.fmt(e32 / e1))")
        let enumeration1 = Self.median(startOne.map { Self.ms($0.enumeration) })
        let enumeration32 = Self.median(startMany.map { Self.ms($0.enumeration) })
        let attached32 = Self.median(startMany.map { Self.ms($0.lastAttach) })
        let identified32 = Self.median(startMany.map { Self.ms($0.total - $0.lastAttach) })
        print("BENCH   of which libudev enumerating umockdev's sysfs, timed alone: 1 device \(Self.fmt(enumeration1)) ms, 32 devices \(Self.fmt(enumeration32)) ms; "
              + "32 devices: start → last session attached \(Self.fmt(attached32)) ms, last attached → all ICCIDs \(Self.fmt(identified32)) ms (ratio to one device \(Self.fmt(identified32 / e1)))")
        // The figures are the output; what can fail is each run identifying every device (the `#require` in
        // `plugAndIdentify` and `enumerateAndIdentify`), not a comparison of times on a shared machine.
    }

    static func ms(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    static func fmt(_ value: Double) -> String { String(format: "%.1f", value) }
}
