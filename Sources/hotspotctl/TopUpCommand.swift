import ArgumentParser
import StationAPI

/// `hotspotctl topup DEVICE --plan P`: buys more credit for the SIM in a device; its Wi-Fi is left as it is.
struct TopUpCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "topup",
        abstract: "Buy more credit for the SIM in a device (the Wi-Fi stays as it is).",
        discussion: """
            Places a new order for the SIM the device holds and applies one voucher of the plan, confirmed by a balance \\
            query. The Wi-Fi name and key are not touched: the card already handed over keeps working. Refused while the \\
            SIM has an unfinished order. Follow progress with 'hotspotctl watch'.
            """)

    @OptionGroup var globals: GlobalOptions

    @Argument(help: ArgumentHelp("The device: its id (d1), IMEI, ICCID (full or unique last digits) or port.",
                                 valueName: "device"), completion: CompletionCandidatesCommand.devices)
    var device: String

    @Option(name: .long, help: ArgumentHelp("The plan to buy (see 'hotspotctl plans').", valueName: "plan"), completion: CompletionCandidatesCommand.plans)
    var plan: String

    func execute(in context: CommandContext) async throws(HotspotctlError) {
        let status = try await context.client.topUp(device, TopUpRequest(plan: plan))
        if context.json {
            try context.emitJSON(status)
        } else {
            context.output.write(StatusReport(timestamps: context.timestamps, showQRCode: false, messages: context.messages).render(status))
        }
    }
}
