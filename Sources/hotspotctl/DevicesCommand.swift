import ArgumentParser
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
            context.output.write(Self.render(devices, timestamps: context.timestamps))
        }
    }

    /// The human table: `ID SOCKET PORT STATE STEP ROLE MODEL IMEI ICCID PLAN UPDATED`, or a sentence when empty.
    static func render(_ devices: [DeviceStatus], timestamps: LocalTimestamp) -> String {
        guard !devices.isEmpty else { return "No devices attached.\n" }
        let table = TextTable(
            ["ID", "SOCKET", "PORT", "STATE", "STEP", "ROLE", "MODEL", "IMEI", "ICCID", "PLAN", "UPDATED"].map { TextTable.Column(title: $0) },
            rows: devices.map { device in
                [device.id, device.socket ?? "-", device.port, device.state.rawValue, device.step ?? "-", device.role.rawValue,
                 StatusReport.modelName(device) ?? "-", device.imei ?? "-", device.iccid ?? "-", device.plan ?? "-",
                 timestamps.dateTime(device.updatedAt)]
            })
        return table.render()
    }
}
