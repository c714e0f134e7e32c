#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// usbdevfs replays of a mode switch, for umockdev's ioctl emulation of a CD-ROM-mode stick's device node.
public enum ModeSwitchReplay {
    /// Huawei's "new mode" bulk message (usb_modeswitch's `MessageContent` for 12d1:1f01 and its kin).
    public static let huaweiNewModeHex = "55534243123456780000000000000011062000000101000100000000000000"

    /// Writes a replay for the ZeroCD unit at bus 1 device 3: the bulk OUT message (compared byte for byte by
    /// umockdev) and the 13-byte status the device answers; `times` > 1 replays the same exchange again (a switch
    /// sent more than once). Returns the file's path, in the temporary directory.
    public static func write(message hex: String = huaweiNewModeHex, times: Int = 1) throws -> String {
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
