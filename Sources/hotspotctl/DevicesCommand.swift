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

    /// The human table: `ID PORT STATE STEP ROLE MODEL ICCID PLAN UPDATED`, or a sentence when empty.
    static func render(_ listed: [DeviceStatus], timestamps: LocalTimestamp) -> String {
        let readers = listed.filter { $0.role == .simReader }
        let devices = listed.filter { $0.role != .simReader }
        guard !readers.isEmpty else { return renderDevices(devices, timestamps: timestamps) }
        let readerTable = renderSIMReaders(readers, timestamps: timestamps)
        return devices.isEmpty ? readerTable : renderDevices(devices, timestamps: timestamps) + "\n" + readerTable
    }

    /// The SIM readers' table: `ID READER STATE ICCID SIM PIN TRIES IMEI UPDATED`.
    static func renderSIMReaders(_ readers: [DeviceStatus], timestamps: LocalTimestamp) -> String {
        TextTable(
            ["ID", "READER", "STATE", "ICCID", "SIM", "PIN", "TRIES", "IMEI", "UPDATED"].map { TextTable.Column(title: $0) },
            rows: readers.map { row in
                [row.id, row.model ?? row.port, row.state.rawValue + (row.failure.map { " (\($0.code))" } ?? ""),
                 row.iccid ?? "-", row.simType ?? "-", row.simState ?? "-", row.pinTriesLeft.map(String.init) ?? "-",
                 "no IMEI", timestamps.dateTime(row.updatedAt)]
            }).render()
    }

    static func renderDevices(_ devices: [DeviceStatus], timestamps: LocalTimestamp) -> String {
        guard !devices.isEmpty else { return "No devices attached.\n" }
        let table = TextTable(
            ["ID", "PORT", "STATE", "STEP", "ROLE", "MODEL", "ICCID", "PLAN", "UPDATED"].map { TextTable.Column(title: $0) },
            rows: devices.map { device in
                [device.id, device.port, device.state.rawValue, device.step ?? "-", device.role.rawValue,
                 StatusReport.modelName(device) ?? "-", device.iccid ?? "-", device.plan ?? "-",
                 timestamps.dateTime(device.updatedAt)]
            })
        return table.render()
    }
}
