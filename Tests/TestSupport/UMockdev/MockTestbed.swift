import CUMockdev
import Foundation

/// An owned umockdev testbed (libumockdev C API): sysfs/dev trees that the preload library shows
/// to libudev and libusb in this process. One per process at a time (`UMOCKDEV_DIR` is global),
/// hence the serialized suite.
public final class MockTestbed {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Whether this process runs under `umockdev-wrapper` (the preload library is active).
    /// umockdev caches its check, and it must run after a testbed exists, so make one to ask.
    public static let isMockEnvironment: Bool = {
        guard let testbed = umockdev_testbed_new() else { return false }
        defer { g_object_unref(testbed) }
        return umockdev_in_mock_environment() != 0
    }()

    public let pointer: UnsafeMutablePointer<UMockdevTestbed>

    public init() throws {
        guard let pointer = umockdev_testbed_new() else { throw Failure(description: "umockdev_testbed_new failed") }
        self.pointer = pointer
    }

    deinit {
        g_object_unref(pointer)
    }

    /// Adds devices from a description; emits `add` uevents under the preload.
    public func add(_ description: String) throws {
        var error: UnsafeMutablePointer<GError>?
        // The format wants the first line to be a "P:" line.
        let trimmed = String(description.drop { $0 == "\n" })
        guard umockdev_testbed_add_from_string(pointer, trimmed, &error) != 0 else {
            defer { g_error_free(error) }
            throw Failure(description: error.map { String(cString: $0.pointee.message) } ?? "add_from_string failed")
        }
    }

    /// Sends a uevent for a syspath (`/sys/devices/...`).
    public func uevent(_ syspath: String, _ action: String) {
        umockdev_testbed_uevent(pointer, syspath, action)
    }

    /// Unplugs a device the way the kernel does: `remove` uevents children first, then deletes.
    public func unplug(_ device: MockUSBDevice) {
        for path in device.removalOrder { uevent(path, "remove") }
        umockdev_testbed_remove_device(pointer, device.syspath)
        removeDanglingBusLinks()
    }

    /// The testbed's root directory (`UMOCKDEV_DIR`).
    public var rootDirectory: String {
        guard let root = umockdev_testbed_get_root_dir(pointer) else { return "" }
        defer { g_free(root) }
        return String(cString: root)
    }

    /// umockdev 0.17 leaves `/sys/bus/<subsystem>/devices/<name>` symlinks behind on
    /// `remove_device`, and then aborts when a device with the same name is added again (a
    /// re-plug on the same USB path, as after a mode switch). Drop the dangling links.
    private func removeDanglingBusLinks() {
        let files = FileManager.default
        let bus = rootDirectory + "/sys/bus"
        for subsystem in (try? files.contentsOfDirectory(atPath: bus)) ?? [] {
            let devices = bus + "/" + subsystem + "/devices"
            for name in (try? files.contentsOfDirectory(atPath: devices)) ?? [] {
                let link = devices + "/" + name
                if (try? files.destinationOfSymbolicLink(atPath: link)) != nil, !files.fileExists(atPath: link) {
                    try? files.removeItem(atPath: link)
                }
            }
        }
    }

    /// Replays usbdevfs ioctls for a device node from a record file (TESTING.md §3d).
    public func loadIoctl(device: String, recordFile: String) throws {
        var error: UnsafeMutablePointer<GError>?
        guard umockdev_testbed_load_ioctl(pointer, device, recordFile, &error) != 0 else {
            defer { g_error_free(error) }
            throw Failure(description: error.map { String(cString: $0.pointee.message) } ?? "load_ioctl failed")
        }
    }
}
