import ArgumentParser
import StationAPI

/// `hotspotctl reload`: the daemon reads its configuration file again (as SIGHUP does), without dropping any device.
struct ReloadCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: HelpLanguage.text(.reloadAbstract),
        discussion: HelpLanguage.text(.reloadDiscussion))

    @OptionGroup var globals: GlobalOptions

    func execute(in context: CommandContext) async throws(HotspotctlError) {
        let result = try await context.client.reloadConfiguration()
        if context.json {
            try context.emitJSON(result)
        } else {
            let m = context.messages
            let applied = result.applied.isEmpty ? m.text(.noChange) : result.applied.joined(separator: ", ")
            context.output.write(m.text(.reloaded, applied) + "\n")
            if !result.needRestart.isEmpty {
                context.output.write(m.text(.atNextRestart, result.needRestart.joined(separator: ", ")) + "\n")
            }
        }
    }
}

/// An empty JSON object, for POSTs that carry nothing.
struct EmptyBody: Codable, Sendable {}
