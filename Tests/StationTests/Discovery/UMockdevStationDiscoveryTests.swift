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
