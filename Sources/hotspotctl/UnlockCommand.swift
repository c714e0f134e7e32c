import ArgumentParser
import Foundation
import StationAPI
#if canImport(Glibc)
import Glibc
#endif

/// `hotspotctl unlock DEVICE`: one SIM PIN attempt on the SIM in a card reader, a hotspot or a modem, the PIN read
/// without echo; a device goes on once its SIM is unlocked.
struct UnlockCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlock",
        abstract: HelpLanguage.text(.unlockAbstract),
        discussion: HelpLanguage.text(.unlockDiscussion))

    @OptionGroup var globals: GlobalOptions

    @Argument(help: HelpLanguage.argument(.unlockDevice, valueName: "device"))
    var device: String

    @Flag(name: .long, help: HelpLanguage.argument(.unlockRemember))
    var remember = false

    func execute(in context: CommandContext) async throws(HotspotctlError) {
        let before = try await context.client.device(device)
        let m = context.messages
        StandardStream.standardError.write(m.text(.unlockBefore, values: [
            before.iccid ?? "?", before.model ?? before.port, before.simState ?? m.text(.simStateUnknown),
            before.pinTriesLeft.map(String.init) ?? "?"]) + "\n")
        let pin = try PINReader.read(prompt: "PIN: ")
        let result = try await context.client.unlock(device, UnlockRequest(pin: pin, remember: remember ? true : nil))
        if context.json {
            try context.emitJSON(result)
        } else {
            context.output.write(m.text(result.accepted ? .unlockAccepted : .unlockRefused, values: [
                result.triesBefore.map(String.init) ?? "?", result.triesAfter.map(String.init) ?? "?",
                result.simState ?? m.text(.simStateUnknown)]) + "\n")
        }
    }
}

/// Reads a PIN: from the terminal with echo off when stdin is one, else the first line of stdin.
enum PINReader {
    /// The most bytes read (a PIN is 4–8 digits; the rest is refused by the daemon without reaching the card).
    static let limit = 64

    /// Reads one line from `descriptor` (stdin), echo off on a terminal; the prompt goes to stderr.
    static func read(prompt: String, from descriptor: Int32 = STDIN_FILENO) throws(HotspotctlError) -> String {
        let isTerminal = isatty(descriptor) == 1
        var saved = termios()
        if isTerminal {
            StandardStream.standardError.write(prompt)
            tcgetattr(descriptor, &saved)
            var silent = saved
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(descriptor, TCSAFLUSH, &silent)
        }
        defer {
            if isTerminal {
                tcsetattr(descriptor, TCSAFLUSH, &saved)
                StandardStream.standardError.write("\n")
            }
        }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while bytes.count <= limit {
            let got = Glibc.read(descriptor, &byte, 1)
            if got < 0, errno == EINTR { continue }
            guard got == 1, byte != 0x0A else { break }
            if byte != 0x0D { bytes.append(byte) }
        }
        guard !bytes.isEmpty, bytes.count <= limit else { throw .localInput("no PIN was given") }
        return String(decoding: bytes, as: UTF8.self)
    }
}
