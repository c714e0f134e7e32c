import Localization
import StationAPI

/// Renders one `DeviceStatus` for people: labelled lines, then the Wi-Fi QR code when asked and available.
struct StatusReport: Sendable {
    /// How dates are shown.
    var timestamps: LocalTimestamp
    /// Whether to draw the QR code (only `--reveal` gets a key, and without the key there is nothing to draw).
    var showQRCode: Bool
    /// How the QR code is drawn.
    var qrRenderer = QRTerminalRenderer(lightOnDark: true)
    /// The language of labels, state names and failures.
    var messages = Messages(language: .english)
    /// The state and the failure in colour, on a terminal.
    var colour = Colour.off

    /// The report, one `Label  value` line per known field.
    func render(_ status: DeviceStatus) -> String {
        let m = messages
        let stepText = status.step.map { " (\(m.text(.stepWord)) \(m.text(.step($0))))" } ?? ""
        var fields: [(String, String)] = [
            (m.text(.device), status.id),
            (m.text(.fieldPort), status.port),
            (m.text(.fieldState), m.text(.state(status.state.rawValue)) + stepText),
            (m.text(.fieldRole), m.text(.role(status.role.rawValue))),
        ]
        if let socket = status.socket { fields.append((m.language.pick(fr: "Prise", en: "Socket"), socket)) }
        func add(_ label: Label, _ value: String?) {
            if let value { fields.append((m.text(label), value)) }
        }
        add(.fieldModel, Self.modelName(status))
        add(.firmware, status.firmware)
        if let imei = status.imei {
            add(.imei, status.imeiLuhnValid == false ? imei + " (\(m.text(.checkDigitWrong)))" : imei)
        } else if status.identifiedBy != nil {
            add(.imei, m.text(status.identifiedBy == "iccid" ? .imeiNoneICCID : .imeiNoneHardware))
        } else if status.role == .simReader {
            add(.imei, m.language.pick(fr: "aucun (un lecteur de SIM)", en: "none (a SIM reader)"))
        }
        add(.imsi, status.imsi)
        add(.iccid, status.iccid.map { iccid in
            status.iccidLuhnValid == false ? iccid + " (\(m.text(.luhnWrong)))" : iccid
        })
        add(.sim, status.simState.map { state in
            status.pinTriesLeft.map { "\(state) (\(m.text(.triesLeft, String($0))))" } ?? state
        })
        if let simType = status.simType { fields.append((m.language.pick(fr: "Type de SIM", en: "SIM type"), simType)) }
        for (field, why) in (status.unreadable ?? [:]).sorted(by: { $0.key < $1.key }) {
            add(.unreadable, "\(field.uppercased()): \(why)")
        }
        add(.operatorName, status.operatorName)
        add(.fieldPlan, status.plan)
        add(.order, status.orderID.map { "#\($0)" })
        add(.provisioning, status.provisioningID.map { "#\($0)" })
        add(.balance, status.balanceMB.map { Units.megabytes($0, language: m.language) })
        add(.wifiName, status.wifi?.ssid)
        add(.wifiKey, status.wifi?.key)
        // English keeps the daemon's own sentence (it names the voucher or device); French has the catalog's.
        add(.failure, status.failure.map { failure in
            (m.language == .english ? failure.message : m.text(.failure(failure.code.rawValue))) + " [\(failure.code)]"
        })
        add(.action, status.failure.flatMap { m.action($0.code) })
        add(.fieldUpdated, timestamps.dateTime(status.updatedAt))

        let labelWidth = fields.map { TerminalText.displayWidth($0.0) }.max() ?? 0
        let painted: [String: Colour.Meaning] = [m.text(.fieldState): Colour.meaning(of: status.state), m.text(.failure): .bad]
        var text = ""
        for (label, value) in fields {
            let padding = String(repeating: " ", count: labelWidth - TerminalText.displayWidth(label))
            let shown = TerminalText.sanitize(value)
            text += label + padding + "  " + (painted[label].map { colour.paint(shown, $0) } ?? shown) + "\n"
        }
        if showQRCode, let payload = Self.qrPayload(status.wifi) {
            do {
                let code = try QRCode.encode(Array(payload.utf8))
                text += "\n" + qrRenderer.render(code)
            } catch {
                text += "\n" + m.text(.qrTooLong) + "\n"
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
