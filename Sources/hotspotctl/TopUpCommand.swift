import ArgumentParser
import StationAPI

/// `hotspotctl topup DEVICE --plan P`: buys more credit for the SIM in a device; its Wi-Fi is left as it is.
struct TopUpCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "topup",
        abstract: HelpLanguage.text(.topUpAbstract),
        discussion: HelpLanguage.text(.topUpDiscussion))

    @OptionGroup var globals: GlobalOptions

    @Argument(help: HelpLanguage.argument(.deviceArgument, valueName: "device"), completion: CompletionCandidatesCommand.devices)
    var device: String

    @Option(name: .long, help: HelpLanguage.argument(.topUpPlan, valueName: "plan"), completion: CompletionCandidatesCommand.plans)
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
