import CLibUSB
import Foundation
import Logging
import OwnThread

/// Sends a device's mode-switch request with libusb: the catalog's bulk messages to the storage
/// interface (each followed by its reply read), or control requests on endpoint 0, then the
/// optional `SET_CONFIGURATION` and port reset, in usb_modeswitch's order.
///
/// It returns as soon as the request left; the device then drops off the bus and comes back with
/// a new product id, which `ModeSwitchWaiter` watches for through discovery events. The kernel
/// driver (usb-storage) is detached explicitly before claiming the interface:
/// `libusb_set_auto_detach_kernel_driver` needs `USBDEVFS_DISCONNECT_CLAIM`, which real kernels
/// have but umockdev does not emulate, and the explicit form behaves the same on both.
/// libusb calls block (up to about two seconds), so they run on a short-lived thread of their own.
public struct USBModeSwitcher: Sendable {
    /// What `switchMode` did.
    public enum Outcome: Sendable, Equatable {
        /// The request was sent; wait for the device to come back.
        case sent
        /// Mode switching is disabled by configuration; nothing was sent.
        case skippedDisabled
        /// The device already shows one of the target ids; nothing was sent.
        case skippedAlreadyInTargetMode
    }

    /// How long one transfer may take before it counts as failed, in milliseconds.
    public var transferTimeoutMS: UInt32
    private let logger: Logger

    /// Creates a switcher.
    public init(transferTimeoutMS: UInt32 = 1000, logger: Logger = Logger(label: "hotspotd.modeswitch")) {
        self.transferTimeoutMS = transferTimeoutMS
        self.logger = logger
    }

    /// Sends the plan's request to the device at the plan's bus/device number, unless `enabled`
    /// is false or the device already has a target id.
    ///
    /// Throws `usbDeviceNotFound` when nothing is at that address, `usbIdentityMismatch` when
    /// something else is, and the `usb*Failed` codes (with libusb's status) when a step fails.
    public func switchMode(_ plan: ModeSwitchPlan, enabled: Bool = true) async throws(DiscoveryError) -> Outcome {
        guard enabled else {
            logger.info("mode switch disabled by configuration", metadata: ["usb.path": "\(plan.usbPath)"])
            return .skippedDisabled
        }
        let timeout = transferTimeoutMS
        let logger = self.logger
        // libusb's transfers block: they run on a thread of their own (the adapters' one executor for blocking work),
        // so neither the caller's actor nor a thread of the cooperative pool waits for the device.
        switch await OwnThread.run({ LibUSBModeSwitch.run(plan, timeoutMS: timeout, logger: logger) }) {
        case .success(let result):
            return try result.get()
        case .failure(let failure):
            throw DiscoveryError(.usbUnavailable, context: "no thread for the mode switch of \(plan.usbPath) (pthread_create: \(failure.code))")
        }
    }
}

/// The blocking libusb sequence; every libusb object lives and dies inside `run`.
private enum LibUSBModeSwitch {
    static func run(_ plan: ModeSwitchPlan, timeoutMS: UInt32, logger: Logger) -> Result<USBModeSwitcher.Outcome, DiscoveryError> {
        guard let bus = plan.busNumber, let address = plan.deviceNumber else {
            return .failure(DiscoveryError(.usbDeviceNotFound, context: "\(plan.usbPath) has no bus/device number"))
        }
        var contextPointer: OpaquePointer?
        let status = libusb_init(&contextPointer)
        guard status == 0, let context = contextPointer else {
            return failure(.usbUnavailable, status, "libusb_init")
        }
        defer { libusb_exit(context) }

        var listPointer: UnsafeMutablePointer<OpaquePointer?>?
        let count = libusb_get_device_list(context, &listPointer)
        guard count >= 0, let list = listPointer else {
            return failure(.usbUnavailable, Int32(truncatingIfNeeded: count), "libusb_get_device_list")
        }
        defer { libusb_free_device_list(list, 1) }

        var found: OpaquePointer?
        for index in 0..<Int(count) {
            guard let device = list[index] else { continue }
            if Int(libusb_get_bus_number(device)) == bus && Int(libusb_get_device_address(device)) == address {
                found = device
                break
            }
        }
        guard let device = found else {
            return .failure(DiscoveryError(.usbDeviceNotFound, context: "\(plan.usbPath) bus \(bus) device \(address)"))
        }
        var descriptor = libusb_device_descriptor()
        let descriptorStatus = libusb_get_device_descriptor(device, &descriptor)
        guard descriptorStatus == 0 else { return failure(.usbUnavailable, descriptorStatus, "libusb_get_device_descriptor") }
        let current = USBID(vendor: descriptor.idVendor, product: descriptor.idProduct)
        if plan.targetUSBIDs.contains(current) {
            logger.info("device already in target mode", metadata: ["usb.path": "\(plan.usbPath)", "usb.id": "\(current)"])
            return .success(.skippedAlreadyInTargetMode)
        }
        guard current == plan.from else {
            return .failure(DiscoveryError(.usbIdentityMismatch,
                                           context: "\(plan.usbPath) is \(current), plan was made for \(plan.from)"))
        }

        var handlePointer: OpaquePointer?
        let openStatus = libusb_open(device, &handlePointer)
        guard openStatus == 0, let handle = handlePointer else {
            return failure(.usbOpenFailed, openStatus, "libusb_open \(plan.usbPath) (\(current))")
        }
        defer { libusb_close(handle) }

        if plan.targetClass != nil, !StorageEndpoints.hasStorageInterface(device) {
            // Same ids in both personalities: no storage interface means it already switched.
            logger.info("device already in target mode", metadata: ["usb.path": "\(plan.usbPath)", "usb.id": "\(current)"])
            return .success(.skippedAlreadyInTargetMode)
        }

        switch plan.method {
        case .huaweiSetFeature:
            if let failure = sendControl([ModeSwitchMethod.huaweiSetFeatureRequest], handle, plan, timeoutMS) { return failure }
        case .controlRequests(let requests):
            if let failure = sendControl(requests, handle, plan, timeoutMS) { return failure }
        case .bulkMessage, .bulkMessages:
            if let failure = sendBulk(plan.method.bulkMessages, device, handle, plan, timeoutMS, logger) { return failure }
        case .setConfiguration(let value):
            if let failure = setConfiguration(value, handle, plan) { return failure }
        }
        if let value = plan.configuration, let failure = setConfiguration(value, handle, plan) { return failure }
        if plan.resetUSB {
            let reset = libusb_reset_device(handle)
            // A reset device usually re-enumerates under a new address: NOT_FOUND is the switch working.
            guard reset == 0 || reset == LIBUSB_ERROR_NOT_FOUND.rawValue || reset == LIBUSB_ERROR_NO_DEVICE.rawValue else {
                return failure(.usbTransferFailed, reset, "reset \(plan.usbPath)")
            }
        }
        logger.info("mode switch sent", metadata: [
            "usb.path": "\(plan.usbPath)", "usb.id": "\(current)", "catalog.entry": "\(plan.catalogEntryID)",
        ])
        return .success(.sent)
    }

    /// Sends control requests in order. A device that vanishes (NO_DEVICE) or stops answering
    /// (PIPE, as Sierra sticks do while switching) has taken the request: the rest are skipped.
    private static func sendControl(_ requests: [USBControlRequest], _ handle: OpaquePointer, _ plan: ModeSwitchPlan,
                                    _ timeoutMS: UInt32) -> Result<USBModeSwitcher.Outcome, DiscoveryError>? {
        for request in requests {
            var buffer = request.isDeviceToHost ? [UInt8](repeating: 0, count: Int(request.readLength)) : request.data
            let sent = buffer.withUnsafeMutableBufferPointer { bytes in
                libusb_control_transfer(handle, request.requestType, request.request, request.value, request.index,
                                        bytes.baseAddress, request.length, timeoutMS)
            }
            if sent == LIBUSB_ERROR_NO_DEVICE.rawValue || sent == LIBUSB_ERROR_PIPE.rawValue { return nil }
            guard sent >= 0 else {
                let setup = request.setupPacket.map { String(format: "%02x", $0) }.joined()
                return failure(.usbTransferFailed, sent, "control request \(setup) to \(plan.usbPath)")
            }
        }
        return nil
    }

    /// Claims the storage interface (detaching usb-storage) and sends the messages in order, each
    /// followed by its reply read when it asks for one. A device that drops off the bus after a
    /// message has switched: the rest are skipped.
    private static func sendBulk(_ messages: [ModeSwitchBulkMessage], _ device: OpaquePointer, _ handle: OpaquePointer,
                                 _ plan: ModeSwitchPlan, _ timeoutMS: UInt32, _ logger: Logger)
        -> Result<USBModeSwitcher.Outcome, DiscoveryError>? {
        let endpoints: StorageEndpoints
        switch StorageEndpoints.find(device, interfaceNumber: plan.storageInterfaceNumber) {
        case .success(let found): endpoints = found
        case .failure(let error): return .failure(error)
        }
        let interface = Int32(endpoints.interfaceNumber)
        if libusb_kernel_driver_active(handle, interface) == 1 {
            let detached = libusb_detach_kernel_driver(handle, interface)
            guard detached == 0 || detached == LIBUSB_ERROR_NOT_FOUND.rawValue else {
                return failure(.usbDetachFailed, detached, "detach kernel driver from \(plan.usbPath) interface \(interface)")
            }
        }
        let claimed = libusb_claim_interface(handle, interface)
        guard claimed == 0 else {
            return failure(.usbClaimFailed, claimed, "claim \(plan.usbPath) interface \(interface)")
        }
        defer { _ = libusb_release_interface(handle, interface) }
        let bulkOut = plan.messageEndpoint ?? endpoints.bulkOut
        let bulkIn = plan.responseEndpoint ?? endpoints.bulkIn
        for (index, message) in messages.enumerated() {
            var bytes = message.bytes
            var transferred: Int32 = 0
            let sent = libusb_bulk_transfer(handle, bulkOut, &bytes, Int32(bytes.count), &transferred, timeoutMS)
            if sent == LIBUSB_ERROR_NO_DEVICE.rawValue, index > 0 { return nil }
            guard sent == 0, Int(transferred) == bytes.count else {
                return failure(.usbTransferFailed, sent,
                               "bulk OUT 0x\(String(bulkOut, radix: 16)) message \(index + 1) to \(plan.usbPath): \(transferred)/\(bytes.count) bytes")
            }
            guard message.readsResponse, let bulkIn else { continue }
            // Read the reply so the device is not left with a stalled pipe; a device that
            // switches without answering is fine.
            var reply = [UInt8](repeating: 0, count: message.responseLength)
            var received: Int32 = 0
            let read = libusb_bulk_transfer(handle, bulkIn, &reply, Int32(reply.count), &received, timeoutMS)
            logger.debug("mode switch reply read", metadata: [
                "usb.path": "\(plan.usbPath)", "message": "\(index + 1)", "libusb.status": "\(read)", "bytes": "\(received)",
            ])
            if read == LIBUSB_ERROR_NO_DEVICE.rawValue { return nil }
        }
        return nil
    }

    /// `SET_CONFIGURATION`; a device that re-enumerates at once (NO_DEVICE/NOT_FOUND) has switched.
    private static func setConfiguration(_ value: UInt8, _ handle: OpaquePointer, _ plan: ModeSwitchPlan)
        -> Result<USBModeSwitcher.Outcome, DiscoveryError>? {
        let status = libusb_set_configuration(handle, Int32(value))
        guard status == 0 || status == LIBUSB_ERROR_NO_DEVICE.rawValue || status == LIBUSB_ERROR_NOT_FOUND.rawValue else {
            return failure(.usbTransferFailed, status, "set configuration \(value) on \(plan.usbPath)")
        }
        return nil
    }

    private static func failure(_ code: DiscoveryError.Code, _ status: Int32, _ context: String)
        -> Result<USBModeSwitcher.Outcome, DiscoveryError> {
        .failure(DiscoveryError(code, errno: errnoFor(libusb: status), libusbStatus: status,
                                context: context + " (" + String(cString: libusb_error_name(status)) + ")"))
    }

    /// libusb folds errno into its own codes; map back the ones with a clear errno.
    private static func errnoFor(libusb status: Int32) -> Int32? {
        switch status {
        case LIBUSB_ERROR_IO.rawValue: return EIO
        case LIBUSB_ERROR_ACCESS.rawValue: return EACCES
        case LIBUSB_ERROR_NO_DEVICE.rawValue: return ENODEV
        case LIBUSB_ERROR_NOT_FOUND.rawValue: return ENOENT
        case LIBUSB_ERROR_BUSY.rawValue: return EBUSY
        case LIBUSB_ERROR_TIMEOUT.rawValue: return ETIMEDOUT
        case LIBUSB_ERROR_PIPE.rawValue: return EPIPE
        case LIBUSB_ERROR_NO_MEM.rawValue: return ENOMEM
        default: return nil
        }
    }
}

/// The mass-storage interface of the active configuration and its bulk endpoints.
private struct StorageEndpoints {
    var interfaceNumber: UInt8
    var bulkOut: UInt8
    var bulkIn: UInt8?

    /// Whether the active configuration has a mass-storage interface (unknown counts as yes).
    static func hasStorageInterface(_ device: OpaquePointer) -> Bool {
        var configPointer: UnsafeMutablePointer<libusb_config_descriptor>?
        guard libusb_get_active_config_descriptor(device, &configPointer) == 0, let config = configPointer else { return true }
        defer { libusb_free_config_descriptor(config) }
        for index in 0..<Int(config.pointee.bNumInterfaces) {
            let interface = config.pointee.interface[index]
            if interface.num_altsetting > 0, interface.altsetting?.pointee.bInterfaceClass == 0x08 { return true }
        }
        return false
    }

    static func find(_ device: OpaquePointer, interfaceNumber wanted: Int?) -> Result<StorageEndpoints, DiscoveryError> {
        var configPointer: UnsafeMutablePointer<libusb_config_descriptor>?
        let status = libusb_get_active_config_descriptor(device, &configPointer)
        guard status == 0, let config = configPointer else {
            return .failure(DiscoveryError(.usbNoStorageEndpoint, libusbStatus: status, context: "libusb_get_active_config_descriptor"))
        }
        defer { libusb_free_config_descriptor(config) }
        for interfaceIndex in 0..<Int(config.pointee.bNumInterfaces) {
            let interface = config.pointee.interface[interfaceIndex]
            guard interface.num_altsetting > 0, let setting = interface.altsetting?.pointee else { continue }
            guard setting.bInterfaceClass == 0x08,
                  wanted.map({ $0 == Int(setting.bInterfaceNumber) }) ?? true else { continue }
            var bulkOut: UInt8?
            var bulkIn: UInt8?
            for endpointIndex in 0..<Int(setting.bNumEndpoints) {
                guard let endpoint = setting.endpoint?[endpointIndex] else { continue }
                guard endpoint.bmAttributes & 0x03 == 0x02 else { continue }   // bulk
                if endpoint.bEndpointAddress & 0x80 == 0 {
                    bulkOut = bulkOut ?? endpoint.bEndpointAddress
                } else {
                    bulkIn = bulkIn ?? endpoint.bEndpointAddress
                }
            }
            if let bulkOut {
                return .success(StorageEndpoints(interfaceNumber: setting.bInterfaceNumber, bulkOut: bulkOut, bulkIn: bulkIn))
            }
        }
        return .failure(DiscoveryError(.usbNoStorageEndpoint,
                                       context: "no mass-storage interface\(wanted.map { " \($0)" } ?? "") with a bulk OUT endpoint"))
    }
}
