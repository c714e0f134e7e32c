/// What happened to a device outside a provisioning, as `Ledger.recordDeviceEvent` writes it (the event's `kind`).
///
/// A closed set on purpose: the generic device-event call cannot be used to write a money event (`voucher.*`,
/// `provisioning.*`), whose kinds only the voucher and provisioning calls write, each with its row change.
public enum DeviceEventKind: String, Sendable, Codable, CaseIterable {
    /// The device left its USB socket (discovery saw the remove uevent); its session ended.
    case unplugged = "device.unplugged"
    /// A device with the same IMEI and ICCID as one that was unplugged came back and took over its gone session.
    case replugged = "device.replugged"
}
