/// The text of a Wi-Fi QR code (`WIFI:T:WPA;S:<ssid>;P:<key>;;`), as phones read it.
///
/// Shared by the daemon (which fills `WiFiInfo.qrPayload`) and the CLI (which draws it), so both escape alike.
public enum WiFiQRPayload {
    /// The payload for a WPA/WPA2 network; `\ ; , " :` in the SSID and key are backslash-escaped.
    public static func make(ssid: String, key: String) -> String {
        "WIFI:T:WPA;S:\(escape(ssid));P:\(escape(key));;"
    }

    /// Backslash-escapes the characters the `WIFI:` syntax reserves.
    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if "\\;,\":".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}
