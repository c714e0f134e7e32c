import HiLinkProtocol
import Provisioning

/// A HiLink unit's Wi-Fi: `basic-settings` + `security-settings` on single-SSID firmware, `multi-basic-settings`
/// where `module-switch` / `wifi-feature-switch` say multi-SSID. Keys are RSA-encrypted where `encrypt_enabled`
/// says so. The key is read back only where the firmware shows it (single-SSID, unencrypted).
public struct HiLinkWiFiStore: WiFiStore {
    let client: HiLinkClient

    /// Which settings endpoints a firmware uses.
    struct Variant {
        var multiSSID: Bool
        var encrypted: Bool
    }

    func variant() async throws(DriverFailure) -> Variant {
        let switches = HiLinkModuleSwitch(try await client.get("/api/global/module-switch"))
        var multi = switches.multiSSID
        if !multi, case .fields? = try? await client.request(.GET, "/api/wlan/wifi-feature-switch", body: nil) {
            multi = true
        }
        return Variant(multiSSID: multi, encrypted: switches.encryptEnabled)
    }

    /// An SSID of 1 to 32 bytes without control characters or `<>&"'`-free checks (escaped anyway) and a WPA2
    /// passphrase of 8 to 63 printable ASCII characters.
    public func problem(with settings: WiFiSettings) -> String? {
        let ssidBytes = settings.ssid.utf8.count
        guard (1...32).contains(ssidBytes) else { return "The Wi-Fi name must be 1 to 32 bytes (it is \(ssidBytes))." }
        guard settings.ssid.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
            return "The Wi-Fi name has control characters."
        }
        guard (8...63).contains(settings.key.count) else { return "A WPA2 key must be 8 to 63 characters." }
        guard settings.key.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) else {
            return "A WPA2 key must be printable ASCII."
        }
        return nil
    }

    /// Writes name and key (WPA2-PSK, AES) and restarts the unit's Wi-Fi.
    public func write(_ settings: WiFiSettings) async throws(DriverFailure) {
        if let problem = problem(with: settings) { throw DriverFailure(code: .wifiRefused, message: problem) }
        let variant = try await variant()
        if variant.multiSSID {
            var all = try await client.get("/api/wlan/multi-basic-settings")
            guard var list = all.child("Ssids"), let first = list.children.firstIndex(where: { $0.name == "Ssid" }) else {
                throw DriverFailure(code: .deviceMalformedReply, message: "The unit's multi-SSID settings have no <Ssid>.")
            }
            var ssid = list.children[first]
            ssid.set("WifiSsid", settings.ssid)
            ssid.set("WifiAuthmode", "WPA2-PSK")
            ssid.set("WifiWpaencryptionmodes", "AES")
            ssid.set("WifiWpapsk", variant.encrypted ? try await client.encrypt(settings.key) : settings.key)
            list.children = [ssid]
            all.children = [list, HiLinkElement(name: "WifiRestart", text: "1")]
            let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + HiLinkElement(name: "request", children: all.children).xml
            _ = try await client.post("/api/wlan/multi-basic-settings", body: body,
                                      extraHeaders: variant.encrypted ? [("part_encrypt_transmit", "WifiWpapsk,")] : [])
        } else {
            var basic = try await client.get("/api/wlan/basic-settings")
            basic.set("WifiSsid", settings.ssid)
            basic.set("WifiRestart", "1")
            _ = try await client.post("/api/wlan/basic-settings", body: HiLinkXML.request(basic.children))
            var security = try await client.get("/api/wlan/security-settings")
            security.set("WifiAuthmode", "WPA2-PSK")
            security.set("WifiWpaencryptionmodes", "AES")
            security.set("WifiWpapsk", settings.key)
            security.set("WifiRestart", "1")
            let body = HiLinkXML.request(security.children)
            if variant.encrypted {
                _ = try await client.post("/api/wlan/security-settings", body: try await client.encrypt(body),
                                          extraHeaders: [("encrypt_transmit", "encrypt_transmit")])
            } else {
                _ = try await client.post("/api/wlan/security-settings", body: body)
            }
        }
    }

    /// Reads back the name and, where the firmware shows it, the key; a unit that does not report WPA2-PSK fails
    /// with `wifi-refused`.
    public func readBack() async throws(DriverFailure) -> WiFiReadBack {
        let variant = try await variant()
        if variant.multiSSID {
            let all = try await client.get("/api/wlan/multi-basic-settings")
            guard let ssid = all.child("Ssids")?.children.first(where: { $0.name == "Ssid" }) else {
                throw DriverFailure(code: .deviceMalformedReply, message: "The unit's multi-SSID settings have no <Ssid>.")
            }
            try Self.checkAuthMode(ssid["WifiAuthmode"])
            return WiFiReadBack(ssid: ssid["WifiSsid"], key: nil, keyReadable: false)
        }
        let basic = try await client.get("/api/wlan/basic-settings")
        let security = try await client.get("/api/wlan/security-settings")
        try Self.checkAuthMode(security["WifiAuthmode"])
        let key = security["WifiWpapsk"]
        let readable = !variant.encrypted && key.map { !$0.isEmpty && !$0.allSatisfy { $0 == "*" } } == true
        return WiFiReadBack(ssid: basic["WifiSsid"], key: readable ? key : nil, keyReadable: readable)
    }

    static func checkAuthMode(_ mode: String?) throws(DriverFailure) {
        guard let mode, mode.uppercased().contains("WPA2") else {
            throw DriverFailure(code: .wifiRefused, message: "The unit reports Wi-Fi security \(mode ?? "none"), not WPA2-PSK.")
        }
    }
}
