import Foundation
import Localization
import StationAPI

/// Draws the counter's board: one line per device, read from a step away, fitting 80 columns.
///
/// Pure: devices, stock, time and the connection in, screen lines (with ANSI colours) out. Every text that came from
/// a device is sanitized and cut to its column, so a hostile model name cannot move the cursor or push a column.
/// Every word of its own (headers, verdicts, actions, step names, the summary and footer) comes from the message
/// catalog in `messages`' language: French at the counters, English with `LANG=en_*` or `--lang en`.
struct BoardRenderer: Sendable {
    /// Whether the board reaches the daemon.
    enum Connection: Sendable, Equatable {
        /// Not yet connected.
        case connecting
        /// Connected and following events.
        case live
        /// The daemon went away at this instant; the board keeps trying.
        case lost(since: Date)
    }

    /// How times are shown.
    var timestamps: LocalTimestamp
    /// Whether to colour (off for a terminal that says it cannot, and in some tests).
    var colour = true
    /// The catalog the board's words come from.
    var messages = Messages(language: .french)

    /// The columns' widths; `action` takes what is left (at least 21 at 80 columns).
    static let widths = (socket: 8, model: 9, imei: 5, iccid: 5, step: 9, elapsed: 5, verdict: 11)

    /// The whole screen, `height` lines at most, each at most `width` columns wide.
    func render(devices: [DeviceStatus], plans: [PlanInfo], now: Date, connection: Connection,
                width: Int = 80, height: Int = 24) -> [String] {
        let width = max(40, width)
        var lines: [String] = []
        let m = messages
        let summary = m.counterSummary(states: devices.map(\.state.rawValue),
                                       stock: plans.map { ($0.megabytes, $0.vouchersAvailable) })
        lines.append(bold(Self.fit("hotspot-station  \(timestamps.time(now))  \(summary)", width)))
        lines.append("")
        let w = Self.widths
        let actionWidth = max(0, width - (w.socket + w.model + w.imei + w.iccid + w.step + w.elapsed + w.verdict) - 7)
        let header = [Self.cell(m.text(.socket), w.socket), Self.cell(m.text(.model), w.model), Self.cell(m.text(.imei), w.imei),
                      Self.cell(m.text(.iccid), w.iccid), Self.cell(m.text(.step), w.step), Self.cell(m.text(.boardTime), w.elapsed),
                      Self.cell(m.text(.state), w.verdict), Self.cell(m.text(.boardToDo), actionWidth)].joined(separator: " ")
        lines.append(dim(Self.trimTrailing(header)))
        let sorted = devices.sorted { lhs, rhs in
            let left = lhs.socket ?? Self.portName(lhs.port)
            let right = rhs.socket ?? Self.portName(rhs.port)
            return left != right ? left < right : lhs.id < rhs.id
        }
        let room = max(1, height - lines.count - 2)
        if sorted.isEmpty {
            lines.append(m.text(.noDevices))
        }
        for device in sorted.prefix(sorted.count > room ? room - 1 : room) {
            lines.append(row(device, now: now, actionWidth: actionWidth))
        }
        if sorted.count > room {
            lines.append(dim(m.text(.boardMore, String(sorted.count - (room - 1)))))
        }
        while lines.count < height - 1 { lines.append("") }
        lines.append(footer(connection, now: now, width: width))
        return Array(lines.prefix(height))
    }

    /// One device's line.
    func row(_ device: DeviceStatus, now: Date, actionWidth: Int) -> String {
        let w = Self.widths
        let socket = device.socket ?? Self.portName(device.port)
        let model = device.model ?? device.manufacturer ?? "?"
        let verdict = messages.verdict(state: device.state.rawValue)
        let tone = CounterWords.tone(device.state)
        let action = messages.counterAction(state: device.state.rawValue, failureCode: device.failure?.code.rawValue)
        let cells = [Self.cell(socket, w.socket), Self.cell(model, w.model), Self.cell(Self.lastFour(device.imei), w.imei),
                     Self.cell(Self.lastFour(device.iccid), w.iccid), Self.cell(device.step.map(messages.shortStep) ?? "-", w.step),
                     Self.cell(Self.elapsed(device, now: now), w.elapsed, alignRight: true)]
        let badge = paint(Self.centred(verdict, w.verdict), tone: tone)
        let text = cells.joined(separator: " ") + " " + badge + " " + Self.trimTrailing(Self.cell(action, actionWidth))
        return tone == .absent && colour ? "\u{1B}[2m" + text + "\u{1B}[0m" : text
    }

    /// The last line: the connection, and how to leave.
    func footer(_ connection: Connection, now: Date, width: Int) -> String {
        switch connection {
        case .connecting:
            return dim(Self.fit(messages.text(.boardConnecting) + "   " + messages.text(.boardQuit), width))
        case .live:
            return dim(Self.fit(messages.text(.boardLive) + "   " + messages.text(.boardQuit), width))
        case .lost(let since):
            let seconds = max(0, Int(now.timeIntervalSince(since)))
            let text = Self.fit(messages.text(.boardLost, String(seconds)) + "   " + messages.text(.boardQuit), width)
            return colour ? "\u{1B}[1;97;41m" + text + "\u{1B}[0m" : text
        }
    }

    /// `…6782` from a redacted or full identifier; `-` when unknown.
    static func lastFour(_ identifier: String?) -> String {
        guard let identifier else { return "-" }
        let digits = identifier.filter { $0.isASCII && ($0.isNumber || $0 == "F" || $0 == "f") }
        return digits.isEmpty ? "…" : "…" + digits.suffix(4)
    }

    /// How long the device has been at the station, or how long its run took once it ended: `4:07`, `1h05`.
    static func elapsed(_ device: DeviceStatus, now: Date) -> String {
        guard let start = device.attachedAt else { return "-" }
        let ended = device.state == .done || device.state == .failed || device.state == .gone
        let seconds = max(0, Int((ended ? device.updatedAt : now).timeIntervalSince(start)))
        if seconds < 3600 { return "\(seconds / 60):" + (seconds % 60 < 10 ? "0" : "") + "\(seconds % 60)" }
        let minutes = (seconds % 3600) / 60
        return "\(seconds / 3600)h" + (minutes < 10 ? "0" : "") + "\(minutes)"
    }

    /// `ttyUSB2` from `/dev/ttyUSB2`.
    static func portName(_ port: String) -> String {
        port.split(separator: "/").last.map(String.init) ?? port
    }

    /// Text cut or padded to exactly `width` columns (cut text ends in `…`).
    static func cell(_ text: String, _ width: Int, alignRight: Bool = false) -> String {
        guard width > 0 else { return "" }
        let clean = TerminalText.sanitize(text)
        var shown = clean
        if TerminalText.displayWidth(clean) > width {
            shown = ""
            for character in clean {
                if TerminalText.displayWidth(shown) + TerminalText.displayWidth(of: character) > width - 1 { break }
                shown.append(character)
            }
            shown += "…"
        }
        let padding = String(repeating: " ", count: max(0, width - TerminalText.displayWidth(shown)))
        return alignRight ? padding + shown : shown + padding
    }

    /// A line cut to `width` columns.
    static func fit(_ text: String, _ width: Int) -> String { trimTrailing(cell(text, width)) }

    /// `text` centred in `width` columns.
    static func centred(_ text: String, _ width: Int) -> String {
        let used = TerminalText.displayWidth(text)
        guard used < width else { return cell(text, width) }
        let left = (width - used) / 2
        return String(repeating: " ", count: left) + text + String(repeating: " ", count: width - used - left)
    }

    static func trimTrailing(_ text: String) -> String {
        var copy = text
        while copy.last == " " { copy.removeLast() }
        return copy
    }

    /// The verdict badge: bold on a coloured background, so it reads from across the room.
    func paint(_ text: String, tone: CounterWords.Tone) -> String {
        guard colour else { return text }
        let style: String
        switch tone {
        case .good: style = "1;30;42"
        case .bad: style = "1;97;41"
        case .attention: style = "1;97;44"
        case .working: style = "1;30;43"
        case .absent: style = "2;7"
        }
        return "\u{1B}[\(style)m" + text + "\u{1B}[0m"
    }

    func bold(_ text: String) -> String { colour ? "\u{1B}[1m" + text + "\u{1B}[0m" : text }
    func dim(_ text: String) -> String { colour ? "\u{1B}[2m" + text + "\u{1B}[0m" : text }
}
