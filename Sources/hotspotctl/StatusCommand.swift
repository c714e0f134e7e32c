import ArgumentParser
import Foundation
import StationAPI

/// `hotspotctl status DEVICE`: everything about one device, with its Wi-Fi QR code when revealed.
struct StatusCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: HelpLanguage.text(.statusAbstract),
        discussion: HelpLanguage.text(.statusDiscussion))

    @OptionGroup var globals: GlobalOptions

    @Argument(help: HelpLanguage.argument(.deviceArgument, valueName: "device"), completion: CompletionCandidatesCommand.devices)
    var device: String

    @Flag(name: .long, help: HelpLanguage.argument(.lightTerminal))
    var lightTerminal = false

    func execute(in context: CommandContext) async throws(HotspotctlError) {
        let status = try await context.client.device(device)
        if context.json {
            try context.emitJSON(status)
        } else {
            let report = StatusReport(timestamps: context.timestamps, showQRCode: context.reveal,
                                      qrRenderer: QRTerminalRenderer(lightOnDark: !lightTerminal), messages: context.messages,
                                      colour: context.colour,
                                      width: isatty(STDOUT_FILENO) == 1 ? TerminalScreen.size().columns : nil)
            context.output.write(report.render(status))
        }
    }
}
