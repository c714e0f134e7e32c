/// What a device is for at the counter: decides which provisioning steps apply.
///
/// The catalog gives a best guess from USB ids and product strings; the session may refine it
/// once the device answers (for example a 1506 unit that supports `^SSID` is a hotspot).
public enum DeviceRole: String, Sendable, Equatable, Codable, CaseIterable {
    /// A MiFi router with Wi-Fi (Huawei E5 family): gets a Wi-Fi name and key.
    case hotspot
    /// A USB modem stick: SIM and credit only.
    case modem
    /// A USB-serial SIM reader: read-only identity.
    case simReader
}
