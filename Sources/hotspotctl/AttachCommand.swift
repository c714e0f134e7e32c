import ArgumentParser
import StationAPI

/// `hotspotctl attach PATH`: asks the station to take a serial port that discovery did not pick up.
struct AttachCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "attach",
        abstract: "Attach a serial port by path (for devices discovery did not recognise, or a simulator's pty where the configuration allows pseudo-terminals).")

    @OptionGroup var globals: GlobalOptions

    @Argument(help: ArgumentHelp("The tty, such as /dev/ttyUSB2 or /dev/pts/5.", valueName: "path"))
    var path: String

    func validate() throws {
        guard path.hasPrefix("/") else { throw ValidationError("The port must be an absolute path, such as /dev/ttyUSB2.") }
    }

    func execute(in context: CommandContext) async throws(HotspotctlError) {
        let status = try await context.client.attach(AttachRequest(path: path))
        if context.json {
            try context.emitJSON(status)
        } else {
            context.output.write(StatusReport(timestamps: context.timestamps, showQRCode: false, messages: context.messages).render(status))
        }
    }
}
