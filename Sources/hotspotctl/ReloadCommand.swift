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
            let applied = result.applied.isEmpty ? m.language.pick(fr: "aucun changement", en: "no change") : result.applied.joined(separator: ", ")
            context.output.write(m.language.pick(fr: "Configuration relue : ", en: "Configuration reloaded: ") + applied + "\n")
            if !result.needRestart.isEmpty {
                context.output.write(m.language.pick(fr: "Au prochain redémarrage : ", en: "At the next restart: ")
                                     + result.needRestart.joined(separator: ", ") + "\n")
            }
        }
    }
}

/// An empty JSON object, for POSTs that carry nothing.
struct EmptyBody: Codable, Sendable {}
