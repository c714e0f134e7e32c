import ArgumentParser
import StationAPI

/// `hotspotctl detach DEVICE`: asks the station to give a device's port back (the session ends, the port is closed and
/// its locks released), so that another program can use it or it can be attached again.
struct DetachCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "detach",
        abstract: HelpLanguage.text(.detachAbstract))

    @OptionGroup var globals: GlobalOptions

    @Argument(help: HelpLanguage.argument(.deviceArgument, valueName: "device"), completion: CompletionCandidatesCommand.devices)
    var device: String

    func execute(in context: CommandContext) async throws(HotspotctlError) {
        let status = try await context.client.detach(device)
        if context.json {
            try context.emitJSON(status)
        } else {
            context.output.write(context.messages.text(.detached, "\(status.id) (\(status.port))") + "\n")
        }
    }
}
