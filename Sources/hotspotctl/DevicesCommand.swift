import ArgumentParser
import Localization
import StationAPI

/// `hotspotctl devices`: every device the station knows, one line each.
struct DevicesCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List the devices attached to the station.")

    @OptionGroup var globals: GlobalOptions

    func execute(in context: CommandContext) async throws(HotspotctlError) {
        let devices = try await context.client.devices()
        if context.json {
            try context.emitJSON(devices)
        } else {
            context.output.write(Self.render(devices, timestamps: context.timestamps, messages: context.messages))
        }
    }

    /// The human tables: devices (`ID SOCKET PORT STATE STEP ROLE MODEL IMEI ICCID PLAN UPDATED`), then SIM readers;
    /// a sentence when empty.
    static func render(_ listed: [DeviceStatus], timestamps: LocalTimestamp,
                       messages m: Messages = Messages(language: .english)) -> String {
        let readers = listed.filter { $0.role == .simReader }
        let devices = listed.filter { $0.role != .simReader }
        guard !readers.isEmpty else { return renderDevices(devices, timestamps: timestamps, messages: m) }
        let readerTable = renderSIMReaders(readers, timestamps: timestamps, messages: m)
        return devices.isEmpty ? readerTable : renderDevices(devices, timestamps: timestamps, messages: m) + "\n" + readerTable
    }

    /// The SIM readers' table: `ID READER STATE ICCID SIM PIN TRIES IMEI UPDATED`.
    static func renderSIMReaders(_ readers: [DeviceStatus], timestamps: LocalTimestamp,
                                 messages m: Messages = Messages(language: .english)) -> String {
        let titles = [m.text(.id), m.language.pick(fr: "LECTEUR", en: "READER"), m.text(.state), m.text(.iccid), "SIM",
                      "PIN", m.language.pick(fr: "ESSAIS", en: "TRIES"), "IMEI", m.text(.updated)]
        return TextTable(
            titles.map { TextTable.Column(title: $0) },
            rows: readers.map { row in
                [row.id, row.model ?? row.port, m.text(.state(row.state.rawValue)) + (row.failure.map { " (\($0.code))" } ?? ""),
                 row.iccid ?? "-", row.simType ?? "-", row.simState ?? "-", row.pinTriesLeft.map(String.init) ?? "-",
                 m.language.pick(fr: "sans IMEI", en: "no IMEI"), timestamps.dateTime(row.updatedAt)]
            }).render()
    }

    static func renderDevices(_ devices: [DeviceStatus], timestamps: LocalTimestamp,
                              messages m: Messages = Messages(language: .english)) -> String {
        guard !devices.isEmpty else { return m.text(.noDevices) + "\n" }
        let headers: [Label] = [.port, .state, .step, .role, .model, .imei, .iccid, .plan, .updated]
        let table = TextTable(
            [TextTable.Column(title: m.text(.id)), TextTable.Column(title: m.language.pick(fr: "PRISE", en: "SOCKET"))]
                + headers.map { TextTable.Column(title: m.text($0)) },
            rows: devices.map { device in
                [device.id, device.socket ?? "-", device.port, m.text(.state(device.state.rawValue)),
                 device.step.map { m.text(.step($0)) } ?? "-", m.text(.role(device.role.rawValue)),
                 StatusReport.modelName(device) ?? "-", device.imei ?? "-", device.iccid ?? "-", device.plan ?? "-",
                 timestamps.dateTime(device.updatedAt)]
            })
        return table.render()
    }
}
