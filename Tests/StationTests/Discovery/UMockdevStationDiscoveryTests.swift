import CUMockdev
import DeviceDiscovery
import Foundation
import Testing
import TestSupport

/// The station fed by discovery over devices mocked by umockdev: a device plugged in is attached, provisioned, listed
/// or ended by the station as discovery decides (the decisions themselves are tested in `DeviceDiscoveryTests`).
///
/// Run with `umockdev-wrapper swift test --filter "^StationTests\.UMockdevStationDiscoveryTests"`; without the preload
/// every test here is skipped (and the rest of `StationTests` runs without it: the preload breaks pseudo-terminals).
/// Serialized: umockdev allows one testbed per process.
@Suite(.serialized, .enabled(if: MockTestbed.isMockEnvironment, "needs umockdev-wrapper (LD_PRELOAD=libumockdev-preload.so.0)"))
struct UMockdevStationDiscoveryTests {}

/// Where the shipped catalog files are, found from this source file (repo/Tests/StationTests/Discovery/file.swift).
enum CatalogLocation {
    static let shipped: String = {
        let here = URL(fileURLWithPath: #filePath)
        return here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("catalog/devices").path
    }()
}

extension UMockdevStationDiscoveryTests {
    static let huaweiNewModeHex = "55534243123456780000000000000011062000000101000100000000000000"

    /// usbdevfs replay for the ZeroCD unit at bus 1 device 3: the bulk OUT message (compared
    /// byte for byte by umockdev) and the 13-byte status the device answers.
    /// `times` > 1 replays the same exchange again (a switch sent more than once).
    static func writeNewModeReplay(message hex: String = huaweiNewModeHex, times: Int = 1) throws -> String {
        let exchange = """
        USBDEVFS_GET_CAPABILITIES 0 0F000000
        USBDEVFS_REAPURBNDELAY 0 3 1 0 0 31 31 0 \(hex)
         USBDEVFS_REAPURBNDELAY 0 3 129 0 0 13 13 0 55534253123456780000000000

        """
        let text = "@DEV /dev/bus/usb/001/003 (usbdevfs)\n" + String(repeating: exchange, count: times)
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("hotspotd-newmode-\(UInt32.random(in: 0...UInt32.max)).ioctl").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
