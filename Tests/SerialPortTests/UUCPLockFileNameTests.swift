import Foundation
@testable import SerialPort
import Testing

/// The lock file's name, as other programs (minicom, pppd, gammu) compute it.
@Suite struct UUCPLockFileNameTests {
    @Test func lockIsNamedAfterTheDeviceASymlinkPointsTo() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hotspotd-links-\(UInt32.random(in: 0...UInt32.max))").path
        try FileManager.default.createDirectory(atPath: directory + "/by-id", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // by-id → relative link → absolute link → the device (dangling links are fine: only readlink is used).
        try FileManager.default.createSymbolicLink(atPath: directory + "/by-id/usb-HUAWEI-if02", withDestinationPath: "../port")
        try FileManager.default.createSymbolicLink(atPath: directory + "/port", withDestinationPath: "/dev/pts/7")
        #expect(UUCPLockFile.followingSymlinks(directory + "/by-id/usb-HUAWEI-if02") == "/dev/pts/7")
        #expect(UUCPLockFile.fileName(forDevice: directory + "/by-id/usb-HUAWEI-if02") == "LCK..pts_7")
        #expect(UUCPLockFile.fileName(forDevice: "/dev/ttyUSB0") == "LCK..ttyUSB0")
        #expect(UUCPLockFile.fileName(forDevice: "/dev/pts/3") == "LCK..pts_3")
        #expect(UUCPLockFile.followingSymlinks("/dev/./serial/../ttyUSB0") == "/dev/ttyUSB0")
    }
}
