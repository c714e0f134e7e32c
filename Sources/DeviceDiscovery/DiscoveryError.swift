#if canImport(Glibc)
import Glibc
#endif

/// The one error type of the DeviceDiscovery layer: a stable code, the OS error number when there
/// is one, libusb's status when libusb failed, and context for the log.
///
/// Thrown by the udev thread start-up, catalog loading, the libusb mode switch and the wait for a
/// switched device, and the AT port memory's file. `errno` is kept as the kernel reported it (libudev returns `-errno`).
public struct DiscoveryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What failed, stable across releases (the API maps it to its own code).
    public enum Code: String, Sendable, Equatable {
        /// `udev_new`, the monitor or the enumeration failed.
        case udevUnavailable
        /// The discovery thread could not be started or has stopped.
        case discoveryStopped
        /// A catalog file or directory could not be read.
        case catalogUnreadable
        /// A catalog file is not valid JSON of the documented format.
        case catalogInvalid
        /// `libusb_init` or the device list failed.
        case usbUnavailable
        /// No USB device with the plan's bus/device number (or USB path) exists any more.
        case usbDeviceNotFound
        /// The device at that address now has other ids than the plan was made for.
        case usbIdentityMismatch
        /// `libusb_open` failed (permissions: the udev rule gives group hotspot rw).
        case usbOpenFailed
        /// The device has no mass-storage interface with a bulk OUT endpoint to send to.
        case usbNoStorageEndpoint
        /// Detaching the kernel driver (usb-storage) from the interface failed.
        case usbDetachFailed
        /// Claiming the interface failed.
        case usbClaimFailed
        /// The switch message or control request could not be sent completely.
        case usbTransferFailed
        /// The device did not come back with a target id on the same USB path in time.
        case modeSwitchTimedOut
        /// The AT port memory file could not be read or is not the documented format (it is then read as empty).
        case portMemoryUnreadable
        /// The AT port memory file could not be written (the port stays remembered in memory).
        case portMemoryUnwritable
    }

    /// What failed.
    public var code: Code
    /// The OS error number, when the failure came with one.
    public var errno: Int32?
    /// The libusb status (`LIBUSB_ERROR_*`, negative), when libusb failed.
    public var libusbStatus: Int32?
    /// Human context: which call, which device, which file.
    public var context: String

    /// Creates an error.
    public init(_ code: Code, errno: Int32? = nil, libusbStatus: Int32? = nil, context: String) {
        self.code = code
        self.errno = errno
        self.libusbStatus = libusbStatus
        self.context = context
    }

    /// `code: context (errno N strerror) (libusb N)`.
    public var description: String {
        var text = "\(code.rawValue): \(context)"
        if let errno {
            #if canImport(Glibc)
            text += " (errno \(errno) \(String(cString: strerror(errno))))"
            #else
            text += " (errno \(errno))"
            #endif
        }
        if let libusbStatus { text += " (libusb \(libusbStatus))" }
        return text
    }
}
