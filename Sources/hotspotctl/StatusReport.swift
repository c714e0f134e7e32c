import StationAPI

/// Renders one `DeviceStatus` for people: labelled lines, then the Wi-Fi QR code when asked and available.
struct StatusReport: Sendable {
    /// How dates are shown.
    var timestamps: LocalTimestamp
    /// Whether to draw the QR code (only `--reveal` gets a key, and without the key there is nothing to draw).
    var showQRCode: Bool
    /// How the QR code is drawn.
    var qrRenderer = QRTerminalRenderer(lightOnDark: true)

    /// The report, one `Label  value` line per known field.
    func render(_ status: DeviceStatus) -> String {
        var fields: [(String, String)] = [
            ("Device", status.id),
            ("Port", status.port),
        ]
        if let socket = status.socket { fields.append(("Socket", socket)) }
        fields += [
            ("State", status.state.rawValue + (status.step.map { " (step \($0))" } ?? "")),
            ("Role", status.role.rawValue),
        ]
        func add(_ label: String, _ value: String?) {
            if let value { fields.append((label, value)) }
        }
        add("Model", Self.modelName(status))
        add("Firmware", status.firmware)
        add("IMEI", status.imei)
        add("IMSI", status.imsi)
        add("ICCID", status.iccid.map { iccid in
            status.iccidLuhnValid == false ? iccid + " (Luhn check digit wrong)" : iccid
        })
        add("SIM", status.simState)
        add("Operator", status.operatorName)
        add("Plan", status.plan)
        add("Order", status.orderID.map { "#\($0)" })
        add("Provisioning", status.provisioningID.map { "#\($0)" })
        add("Balance", status.balanceMB.map { "\($0) MB" })
        add("Wi-Fi name", status.wifi?.ssid)
        add("Wi-Fi key", status.wifi?.key)
        add("Failure", status.failure.map { "\($0.message) [\($0.code)]" })
        add("Updated", timestamps.dateTime(status.updatedAt))

        let labelWidth = fields.map { TerminalText.displayWidth($0.0) }.max() ?? 0
        var text = ""
        for (label, value) in fields {
            let padding = String(repeating: " ", count: labelWidth - TerminalText.displayWidth(label))
            text += label + padding + "  " + TerminalText.sanitize(value) + "\n"
        }
        if showQRCode, let payload = Self.qrPayload(status.wifi) {
            do {
                let code = try QRCode.encode(Array(payload.utf8))
                text += "\n" + qrRenderer.render(code)
            } catch {
                text += "\n(no QR code: the Wi-Fi name and key are too long for one)\n"
            }
        }
        return text
    }

    /// "Maker Model", or whichever of the two is known.
    static func modelName(_ status: DeviceStatus) -> String? {
        let parts = [status.manufacturer, status.model].compactMap { $0 }.filter { !$0.isEmpty }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }

    /// The daemon's QR payload, or one made here from the SSID and key; `nil` while the key is redacted.
    static func qrPayload(_ wifi: WiFiInfo?) -> String? {
        guard let wifi else { return nil }
        if let payload = wifi.qrPayload, !payload.isEmpty { return payload }
        guard let key = wifi.key else { return nil }
        return WiFiQRPayload.make(ssid: wifi.ssid, key: key)
    }
}
