import ArgumentParser
import StationAPI

/// `hotspotctl attach PATH|URL`: asks the station to take a serial port, or a HiLink unit's web API, that discovery did
/// not pick up.
struct AttachCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "attach",
        abstract: HelpLanguage.text(.attachAbstract))

    @OptionGroup var globals: GlobalOptions

    @Argument(help: HelpLanguage.argument(.attachPath, valueName: "path-or-url"))
    var path: String

    @Option(name: .long, help: HelpLanguage.argument(.attachInterface, valueName: "interface"))
    var interface: String?

    func validate() throws {
        if path.hasPrefix("http://") { return }
        guard path.hasPrefix("/") else {
            throw ValidationError(HelpLanguage.usage(.attachPath))
        }
        guard interface == nil else { throw ValidationError(HelpLanguage.usage(.attachInterface)) }
    }

    func execute(in context: CommandContext) async throws(HotspotctlError) {
        let status = try await context.client.attach(AttachRequest(path: path, interface: interface))
        if context.json {
            try context.emitJSON(status)
        } else {
            context.output.write(StatusReport(timestamps: context.timestamps, showQRCode: false, messages: context.messages).render(status))
        }
    }
}
