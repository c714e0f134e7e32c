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

    /// The human table: `ID SOCKET PORT STATE STEP ROLE MODEL IMEI ICCID PLAN UPDATED`, or a sentence when empty.
    static func render(_ devices: [DeviceStatus], timestamps: LocalTimestamp,
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
