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
            throw ValidationError("Give an absolute port path, such as /dev/ttyUSB2, or a HiLink unit's address, such as http://192.168.8.1.")
        }
        guard interface == nil else { throw ValidationError("--interface goes with a HiLink unit's http:// address, not a serial port.") }
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
