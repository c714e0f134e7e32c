/// One bulk message of a mode switch and whether a reply is read after it.
///
/// usb_modeswitch 2.6 reads the 13-byte command status wrapper (CSW) after every message that is
/// a mass-storage command block wrapper (starts with `USBC`); a catalog entry's `needResponse`
/// also asks for a reply after other messages, as long as the message itself.
public struct ModeSwitchBulkMessage: Sendable, Equatable {
    /// The bytes sent to the bulk OUT endpoint.
    public var bytes: [UInt8]
    /// Whether a reply is read from the bulk IN endpoint after the message.
    public var readsResponse: Bool

    /// Creates a message; `needResponse` forces a reply read for a message that is not a CBW.
    public init(_ bytes: [UInt8], needResponse: Bool = false) {
        self.bytes = bytes
        self.readsResponse = needResponse || Self.isCommandBlockWrapper(bytes)
    }

    /// The length of the reply to read: 13 (a CSW) after a CBW, else the message's own length.
    public var responseLength: Int { Self.isCommandBlockWrapper(bytes) ? 13 : bytes.count }

    /// Whether the bytes start with the mass-storage CBW signature `55 53 42 43` ("USBC").
    public static func isCommandBlockWrapper(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 4 && bytes[0] == 0x55 && bytes[1] == 0x53 && bytes[2] == 0x42 && bytes[3] == 0x43
    }
}

/// A USB control request on endpoint 0: the 8-byte setup packet fields and, for a host-to-device
/// request, its data stage; for a device-to-host request, how many bytes are read back.
public struct USBControlRequest: Sendable, Equatable {
    /// bmRequestType: bit 7 direction (1 = device-to-host), bits 6-5 type, bits 4-0 recipient.
    public var requestType: UInt8
    /// bRequest.
    public var request: UInt8
    /// wValue.
    public var value: UInt16
    /// wIndex.
    public var index: UInt16
    /// The data stage of a host-to-device request (empty for none).
    public var data: [UInt8]
    /// For a device-to-host request: the bytes read back (wLength).
    public var readLength: UInt16

    /// Creates a request.
    public init(requestType: UInt8, request: UInt8, value: UInt16, index: UInt16, data: [UInt8] = [], readLength: UInt16 = 0) {
        self.requestType = requestType
        self.request = request
        self.value = value
        self.index = index
        self.data = data
        self.readLength = readLength
    }

    /// Whether the data stage goes from the device to the host.
    public var isDeviceToHost: Bool { requestType & 0x80 != 0 }

    /// wLength: the data stage's length in either direction.
    public var length: UInt16 { isDeviceToHost ? readLength : UInt16(truncatingIfNeeded: data.count) }

    /// The setup packet as it goes on the wire (little-endian words), for logs and tests.
    public var setupPacket: [UInt8] {
        [requestType, request, UInt8(value & 0xff), UInt8(value >> 8), UInt8(index & 0xff), UInt8(index >> 8),
         UInt8(length & 0xff), UInt8(length >> 8)]
    }
}

/// The personality a switched device shows, when usb_modeswitch-data names it by interface class
/// instead of (or besides) ids: the device keeps its ids and changes its interfaces.
public enum ModeSwitchTargetClass: Sendable, Equatable {
    /// Some interface has this class and none is mass storage.
    case interfaceClass(UInt8)
    /// Anything without a mass-storage interface (the data names no target at all).
    case anyWithoutStorage
}

extension ModeSwitchMethod {
    /// usb_modeswitch's standard eject: SCSI PREVENT ALLOW MEDIUM REMOVAL (0x1e, allow) then
    /// START STOP UNIT (0x1b, eject: LoEj set, Start clear), to LUN 0 and then LUN 1, as the
    /// 2.6 tool sends them (the catalog's `message`, if any, follows).
    public static let standardEjectMessages: [[UInt8]] = [
        cbw(tag: [0x87, 0x65, 0x43, 0x21], lun: 0, command: [0x1e]),
        cbw(tag: [0x97, 0x65, 0x43, 0x21], lun: 0, command: [0x1b, 0x00, 0x00, 0x00, 0x02]),
        cbw(tag: [0x87, 0x65, 0x43, 0x21], lun: 1, command: [0x1e]),
        cbw(tag: [0x97, 0x65, 0x43, 0x21], lun: 1, command: [0x1b, 0x00, 0x00, 0x00, 0x02]),
    ]

    /// usb_modeswitch's "Huawei alt mode" message: the new-mode command `11 06` with `30` for `20`
    /// (both have a zero command length byte, as the tool sends them).
    public static let huaweiAltModeMessage: [UInt8] = {
        var bytes = huaweiNewModeMessage
        bytes[17] = 0x30
        bytes[20] = 0x00
        bytes[21] = 0x00
        bytes[22] = 0x01
        bytes[23] = 0x00
        return bytes
    }()

    /// usb_modeswitch's Option message: vendor SCSI command 0x01 with no data stage.
    public static let optionModeMessage: [UInt8] = cbw(tag: [0x12, 0x34, 0x56, 0x78], lun: 0, command: [0x01])

    /// usb_modeswitch's Cisco sequence: eleven vendor (0xfd) commands, a CSW read after each.
    public static let ciscoMessages: [[UInt8]] = [
        "55534243f83bcd810002000080000afd000000030000000100000000000000",
        "55534243984300820002000080000afd000000070000000100000000000000",
        "55534243984300820000000000000afd000100071000000000000000000000",
        "55534243984300820002000080000afd000200230000000100000000000000",
        "55534243984300820000000000000afd000300238200000000000000000000",
        "55534243984300820002000080000afd000200260000000100000000000000",
        "55534243984300820000000000000afd00030026c800000000000000000000",
        "55534243d84c04820002000080000afd000010730000000100000000000000",
        "55534243d84c04820002000080000afd000200240000000100000000000000",
        "55534243d84c04820000000000000afd000300241300000000000000000000",
        "55534243d84c04820000000000000afd000110732400000000000000000000",
    ].map { CatalogObjectReader.parseHexString($0) ?? [] }

    /// Sierra Wireless: vendor request 0x0b (SWIMS SetSwocMode) to the device, wValue 1 (modem).
    public static let sierraRequest = USBControlRequest(requestType: 0x40, request: 0x0b, value: 1, index: 0)
    /// Older Huawei sticks: standard SET_FEATURE to the device, wValue 1.
    public static let huaweiSetFeatureRequest = USBControlRequest(requestType: 0x00, request: 0x03, value: 1, index: 0)
    /// Quanta: vendor request 0xff read from the device, no data.
    public static let quantaRequest = USBControlRequest(requestType: 0xc0, request: 0xff, value: 0, index: 0)
    /// Kobil: vendor request 0x88 read from the device, 8 bytes.
    public static let kobilRequest = USBControlRequest(requestType: 0xc0, request: 0x88, value: 0, index: 0, readLength: 8)
    /// Sequans: vendor request 0x0b (set device mode) to the device, wValue 2 (custom mode).
    public static let sequansRequest = USBControlRequest(requestType: 0x40, request: 0x0b, value: 2, index: 0)
    /// Qisda: vendor request 0x04 to the device with usb_modeswitch's 16-byte payload.
    public static let qisdaRequest = USBControlRequest(
        requestType: 0x40, request: 0x04, value: 0, index: 0,
        data: [0x05, 0x8c, 0x04, 0x08, 0xa0, 0xee, 0x20, 0x00, 0x5c, 0x01, 0x04, 0x08, 0x98, 0xcd, 0xea, 0xbf])
    /// BlackBerry: vendor requests 0xb1 (8 bytes back) then 0xa9 wValue 0x0e (2 bytes back).
    public static let blackberryRequests = [
        USBControlRequest(requestType: 0xc0, request: 0xb1, value: 0, index: 0, readLength: 8),
        USBControlRequest(requestType: 0xc0, request: 0xa9, value: 0x0e, index: 0, readLength: 2),
    ]

    /// Pantech: vendor request 0x70 to the device with the catalog's value; values 0 and 1 mean
    /// the device switches by itself once usb-storage lets go, so nothing is sent.
    public static func pantechRequests(value: UInt16) -> [USBControlRequest] {
        value > 1 ? [USBControlRequest(requestType: 0x40, request: 0x70, value: value, index: 0)] : []
    }

    /// A 31-byte command block wrapper: signature, tag, no data stage, the LUN and a 6-byte CDB.
    static func cbw(tag: [UInt8], lun: UInt8, command: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0x55, 0x53, 0x42, 0x43] + tag + [0, 0, 0, 0, 0x00, lun, 0x06]
        var block = command
        block += [UInt8](repeating: 0, count: max(0, 16 - block.count))
        bytes += block.prefix(16)
        return bytes
    }
}
