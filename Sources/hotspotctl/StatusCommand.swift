import ArgumentParser
import StationAPI

/// `hotspotctl status DEVICE`: everything about one device, with its Wi-Fi QR code when revealed.
struct StatusCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show one device: identity, SIM, plan, progress, Wi-Fi.",
        discussion: """
            With --reveal a configured hotspot also shows its Wi-Fi key and a QR code to scan with a phone. \
            The QR code is drawn for light-on-dark terminals; add --light-terminal on dark-on-light ones.
            """)

    @OptionGroup var globals: GlobalOptions

    @Argument(help: ArgumentHelp("The device: its id (d1), IMEI, ICCID (full or unique last digits) or port.",
                                 valueName: "device"), completion: CompletionCandidatesCommand.devices)
    var device: String

    @Flag(name: .long, help: "Draw the QR code for a terminal with dark text on a light background.")
    var lightTerminal = false

    func execute(in context: CommandContext) async throws(HotspotctlError) {
        let status = try await context.client.device(device)
        if context.json {
            try context.emitJSON(status)
        } else {
            let report = StatusReport(timestamps: context.timestamps, showQRCode: context.reveal,
                                      qrRenderer: QRTerminalRenderer(lightOnDark: !lightTerminal), messages: context.messages,
                                      colour: context.colour)
            context.output.write(report.render(status))
        }
    }
}
