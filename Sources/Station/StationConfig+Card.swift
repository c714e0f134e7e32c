#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Provisioning
import StationAPI

extension StationConfig {
    /// The longest text a card field may hold: the card is a small piece of paper.
    static let maxCardFieldLength = 200

    /// Problems with the `card` section: each field is printable text of at most `maxCardFieldLength` characters
    /// (the address may hold line breaks).
    func cardProblems() -> [(key: String, reason: String)] {
        guard let card else { return [] }
        var found: [(String, String)] = []
        let fields: [(String, String?, Bool)] = [
            ("organisation", card.organisation, false), ("address", card.address, true), ("hours", card.hours, true),
            ("phone", card.phone, false), ("whenCreditRunsOut", card.whenCreditRunsOut, false),
        ]
        for (name, value, multiline) in fields {
            guard let value else { continue }
            if value.count > Self.maxCardFieldLength {
                found.append(("card.\(name)", "must be at most \(Self.maxCardFieldLength) characters"))
            } else if value.unicodeScalars.contains(where: { ($0.value < 0x20 && !(multiline && $0 == "\n")) || (0x7F...0x9F).contains($0.value) }) {
                found.append(("card.\(name)", multiline ? "must be printable text (line breaks allowed)" : "must be printable text on one line"))
            }
        }
        return found
    }
}

extension StationConfig {
    /// `wifi.keyStyle` as the file gives it.
    private struct KeyStyleSetting: Decodable {
        struct WiFi: Decodable {
            var keyStyle: String?
        }
        var wifi: WiFi?
    }

    /// The key style in `data` (already known to be a valid configuration otherwise); a value other than
    /// `characters` or `words` is refused with its key path.
    static func wifiKeyStyle(in data: Data, file: String) throws(ConfigError) -> WiFiKeyGenerator.Style? {
        let setting: KeyStyleSetting
        do {
            setting = try JSONDecoder().decode(KeyStyleSetting.self, from: data)
        } catch {
            throw ConfigError(file: file, key: "wifi.keyStyle", reason: "must be \"characters\" or \"words\"")
        }
        guard let text = setting.wifi?.keyStyle else { return nil }
        guard let style = WiFiKeyGenerator.Style(rawValue: text) else {
            throw ConfigError(file: file, key: "wifi.keyStyle", reason: "must be \"characters\" or \"words\"")
        }
        return style
    }
}
