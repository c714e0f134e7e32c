import ArgumentParser
import Foundation
import Localization
import StationAPI

/// `hotspotctl devices`: every device the station knows, one line each.
struct DevicesCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: HelpLanguage.text(.devicesAbstract))

    @OptionGroup var globals: GlobalOptions

    func execute(in context: CommandContext) async throws(HotspotctlError) {
        let devices = try await context.client.devices()
        if context.json {
            try context.emitJSON(devices)
        } else {
            context.output.write(Self.render(devices, timestamps: context.timestamps, messages: context.messages))
        }
    }

    /// The human tables: devices (`ID SOCKET STATE MODEL IMEI ICCID PLAN UPDATED`), then SIM readers;
    /// a sentence when empty.
    static func render(_ listed: [DeviceStatus], timestamps: LocalTimestamp, now: Date = Date(),
                       messages m: Messages = Messages(language: .english)) -> String {
        let readers = listed.filter { $0.role == .simReader }
        let devices = listed.filter { $0.role != .simReader }
        guard !readers.isEmpty else { return renderDevices(devices, timestamps: timestamps, now: now, messages: m) }
        let readerTable = renderSIMReaders(readers, timestamps: timestamps, now: now, messages: m)
        return devices.isEmpty ? readerTable
            : renderDevices(devices, timestamps: timestamps, now: now, messages: m) + "\n" + readerTable
    }

    /// The SIM readers' table: `ID READER STATE ICCID SIM PIN TRIES IMEI UPDATED`.
    static func renderSIMReaders(_ readers: [DeviceStatus], timestamps: LocalTimestamp, now: Date = Date(),
                                 messages m: Messages = Messages(language: .english)) -> String {
        let titles = [m.text(.id), m.text(.reader), m.text(.state), m.text(.iccid), m.text(.sim), "PIN", m.text(.tries),
                      m.text(.imei), m.text(.updatedShort)]
        let limits: [Int?] = [nil, 16, 24, 5, 6, 10, nil, nil, nil]
        return TextTable(
            zip(titles, limits).map { TextTable.Column(title: $0, maxWidth: $1) },
            rows: readers.map { row in
                [row.id, row.model ?? row.port, m.text(.state(row.state.rawValue)) + (row.failure.map { " (\($0.code))" } ?? ""),
                 BoardRenderer.lastFour(row.iccid), row.simType ?? "-", row.simState ?? "-",
                 row.pinTriesLeft.map(String.init) ?? "-", m.text(.noIMEI), shortTime(row.updatedAt, now: now, timestamps: timestamps, language: m.language)]
            }).render()
    }

    /// The devices' table, at most 80 columns wide with the widest states and steps of either language:
    /// `ID SOCKET STATE MODEL IMEI ICCID PLAN UPDATED`. The socket is the desk's label or the port's name; a device
    /// being provisioned shows its step in the state column; long models and plans are cut with `…`; the time of the
    /// last change is shown alone when it was today (`14:03:22`), the day otherwise. `hotspotctl status` has the rest.
    static func renderDevices(_ devices: [DeviceStatus], timestamps: LocalTimestamp, now: Date = Date(),
                              messages m: Messages = Messages(language: .english)) -> String {
        guard !devices.isEmpty else { return m.text(.noDevices) + "\n" }
        let columns = [TextTable.Column(title: m.text(.id)), TextTable.Column(title: m.text(.socket), maxWidth: 8),
                       TextTable.Column(title: m.text(.state), maxWidth: 17), TextTable.Column(title: m.text(.model), maxWidth: 12),
                       TextTable.Column(title: m.text(.imei), maxWidth: 5), TextTable.Column(title: m.text(.iccid), maxWidth: 5),
                       TextTable.Column(title: m.text(.plan), maxWidth: 7), TextTable.Column(title: m.text(.updatedShort))]
        let table = TextTable(
            columns,
            rows: devices.map { device in
                [device.id, device.socket ?? BoardRenderer.portName(device.port), stateCell(device, messages: m),
                 StatusReport.modelName(device) ?? "-", BoardRenderer.lastFour(device.imei),
                 BoardRenderer.lastFour(device.iccid), device.plan ?? "-",
                 shortTime(device.updatedAt, now: now, timestamps: timestamps, language: m.language)]
            })
        return table.render()
    }

    /// The state's name; while provisioning, the step under way instead (`appro. recharge`, `prov. recharge`).
    static func stateCell(_ device: DeviceStatus, messages m: Messages) -> String {
        guard device.state == .provisioning, let step = device.step else { return m.text(.state(device.state.rawValue)) }
        return m.text(.provisioningStep, m.shortStep(step))
    }

    /// `14:03:22` for a time on the day of `now`, else the day: `01/05` in French, `05-01` in English.
    static func shortTime(_ date: Date, now: Date, timestamps: LocalTimestamp, language: Language) -> String {
        let full = timestamps.dateTime(date)
        guard full.prefix(10) != timestamps.dateTime(now).prefix(10) else { return timestamps.time(date) }
        let month = full.dropFirst(5).prefix(2), day = full.dropFirst(8).prefix(2)
        return language.pick(fr: "\(day)/\(month)", en: "\(month)-\(day)")
    }
}
