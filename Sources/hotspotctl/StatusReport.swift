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
    /// The terminal's width: long values (a failure, its action) wrap at spaces under their column. `nil` (a pipe,
    /// a file): one line per field, as scripts read it.
    var width: Int? = nil

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
        if let socket = status.socket { fields.append((m.text(.fieldSocket), socket)) }
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
            add(.imei, m.text(.imeiNoneReader))
        }
        add(.imsi, status.imsi)
        add(.iccid, status.iccid.map { iccid in
            status.iccidLuhnValid == false ? iccid + " (\(m.text(.luhnWrong)))" : iccid
        })
        add(.sim, status.simState.map { state in
            status.pinTriesLeft.map { "\(state) (\(m.text(.triesLeft, String($0))))" } ?? state
        })
        if let simType = status.simType { fields.append((m.text(.simType), simType)) }
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
            let indent = labelWidth + 2
            let lines = width.map { TerminalText.wrap(TerminalText.sanitize(value), width: max(20, $0 - indent)) }
                ?? [TerminalText.sanitize(value)]
            for (index, line) in lines.enumerated() {
                let shown = painted[label].map { colour.paint(line, $0) } ?? line
                text += (index == 0 ? label + padding + "  " : String(repeating: " ", count: indent)) + shown + "\n"
            }
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
