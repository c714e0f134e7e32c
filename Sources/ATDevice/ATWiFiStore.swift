import ATProtocol
import DeviceCatalog
import Provisioning

/// A hotspot's Wi-Fi store over AT, driven by its dialect's `wifiStore` description (Huawei E5: `^SSID`, `^WIKEY`,
/// the data lock).
struct ATWiFiStore: WiFiStore {
    let channel: any DeviceChannel
    let spec: ATWiFiStoreSpec
    let timeout: Duration
    let unlockTimeout: Duration
    let dataLockCode: String?

    func problem(with settings: WiFiSettings) -> String? {
        do {
            _ = try commands(for: settings)
            return nil
        } catch {
            return String(describing: error)
        }
    }

    /// The two write commands, each value checked against the allowlist before it is put in its template.
    private func commands(for settings: WiFiSettings) throws(ATCommandError) -> (ssid: String, key: String) {
        let ssid = try ATCommand.wifiName(settings.ssid, maxBytes: spec.ssidMaxBytes)
        let key = try ATCommand.wifiKey(settings.key)
        return (fill(spec.setSSID, "{ssid}", ssid), fill(spec.setKey, "{key}", key))
    }

    private func fill(_ template: String, _ placeholder: String, _ value: String) -> String {
        template.replacingOccurrences(of: "{index}", with: String(spec.index))
            .replacingOccurrences(of: placeholder, with: value)
    }

    func write(_ settings: WiFiSettings) async throws(DriverFailure) {
        let built: (ssid: String, key: String)
        do {
            built = try commands(for: settings)
        } catch {
            throw DriverFailure(code: .wifiInvalid, message: "The Wi-Fi name or key is not allowed: \(String(describing: error)).")
        }
        try await write(built.ssid, redacted: nil)
        try await write(built.key, redacted: fill(spec.setKey, "{key}", "<key>"))
    }

    private func write(_ command: String, redacted: String?) async throws(DriverFailure) {
        var unlocked = false
        while true {
            let reply: ATResponse
            do {
                reply = try await channel.execute(command, timeout: timeout, redacted: redacted)
            } catch {
                throw DriverFailure(code: error.failureCode, message: error.sentence)
            }
            if reply.isOK { return }
            // E5 firmwares answer ERROR while the data lock is on; open it once with the configured code.
            guard !unlocked, let template = spec.unlock, let code = dataLockCode,
                  let checked = try? ATCommand.digitsField(code, field: "code", range: 1...16) else {
                throw DriverFailure(code: .wifiRefused, message: "The hotspot refused the Wi-Fi setting (\(reply.final.shownText)).")
            }
            unlocked = true
            _ = try? await channel.execute(fill(template, "{code}", checked), timeout: unlockTimeout,
                                           redacted: fill(template, "{code}", "<code>"))
        }
    }

    func readBack() async throws(DriverFailure) -> WiFiReadBack {
        let ssid = try await read(spec.readSSID, prefix: spec.ssidPrefix)
        guard let command = spec.readKey, let prefix = spec.keyPrefix else {
            return WiFiReadBack(ssid: ssid, key: nil, keyReadable: false)
        }
        return WiFiReadBack(ssid: ssid, key: try await read(command, prefix: prefix), keyReadable: true)
    }

    private func read(_ command: String, prefix: String) async throws(DriverFailure) -> String? {
        let reply: ATResponse
        do {
            reply = try await channel.execute(command, timeout: timeout, redacted: nil)
        } catch .deviceGone {
            throw .deviceGone("The hotspot went away while its Wi-Fi was read back.")
        } catch {
            return nil
        }
        guard reply.isOK else { return nil }
        return (try? ATParse.indexedValues(reply.lines, prefix: prefix))?[spec.index]
    }
}
