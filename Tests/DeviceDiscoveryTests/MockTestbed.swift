import CUMockdev
import Foundation

/// An owned umockdev testbed (libumockdev C API): sysfs/dev trees that the preload library shows
/// to libudev and libusb in this process. One per process at a time (`UMOCKDEV_DIR` is global),
/// hence the serialized suite.
final class MockTestbed {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Whether this process runs under `umockdev-wrapper` (the preload library is active).
    /// umockdev caches its check, and it must run after a testbed exists, so make one to ask.
    static let isMockEnvironment: Bool = {
        guard let testbed = umockdev_testbed_new() else { return false }
        defer { g_object_unref(testbed) }
        return umockdev_in_mock_environment() != 0
    }()

    let pointer: UnsafeMutablePointer<UMockdevTestbed>

    init() throws {
        guard let pointer = umockdev_testbed_new() else { throw Failure(description: "umockdev_testbed_new failed") }
        self.pointer = pointer
    }

    deinit {
        g_object_unref(pointer)
    }

    /// Adds devices from a description; emits `add` uevents under the preload.
    func add(_ description: String) throws {
        var error: UnsafeMutablePointer<GError>?
        guard umockdev_testbed_add_from_string(pointer, description, &error) != 0 else {
            defer { g_error_free(error) }
            throw Failure(description: error.map { String(cString: $0.pointee.message) } ?? "add_from_string failed")
        }
    }

    /// Sends a uevent for a syspath (`/sys/devices/...`).
    func uevent(_ syspath: String, _ action: String) {
        umockdev_testbed_uevent(pointer, syspath, action)
    }

    /// Unplugs a device the way the kernel does: `remove` uevents children first, then deletes.
    func unplug(_ device: MockUSBDevice) {
        for path in device.removalOrder { uevent(path, "remove") }
        umockdev_testbed_remove_device(pointer, device.syspath)
    }

    /// Replays usbdevfs ioctls for a device node from a record file (TESTING.md §3d).
    func loadIoctl(device: String, recordFile: String) throws {
        var error: UnsafeMutablePointer<GError>?
        guard umockdev_testbed_load_ioctl(pointer, device, recordFile, &error) != 0 else {
            defer { g_error_free(error) }
            throw Failure(description: error.map { String(cString: $0.pointee.message) } ?? "load_ioctl failed")
        }
    }
}
