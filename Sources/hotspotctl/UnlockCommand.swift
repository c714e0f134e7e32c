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
        abstract: "Give the PIN of the SIM in a card reader, once (read from the terminal without echo, or stdin).",
        discussion: """
            The station never tries a PIN on its own: three wrong tries block a SIM. This makes exactly one attempt \\
            with the PIN you type, and shows the tries left before and after. A blocked SIM needs the operator's PUK.
            """)

    @OptionGroup var globals: GlobalOptions

    @Argument(help: ArgumentHelp("The device or SIM reader: its id (d1, r1), port, reader name or the SIM's ICCID (or last digits).",
                                 valueName: "device"))
    var device: String

    @Flag(name: .long, help: "Keep the PIN for this SIM's later identifications (a hotspot or modem; in the daemon's memory only).")
    var remember = false

    func execute(in context: CommandContext) async throws(HotspotctlError) {
        let before = try await context.client.device(device)
        let messages = StandardStream.standardError
        messages.write("SIM \(before.iccid ?? "?") in \(before.model ?? before.port): \(before.simState ?? "state unknown"), "
                       + "tries left: \(before.pinTriesLeft.map(String.init) ?? "unknown")\n")
        let pin = try PINReader.read(prompt: "PIN: ")
        let result = try await context.client.unlock(device, UnlockRequest(pin: pin, remember: remember ? true : nil))
        if context.json {
            try context.emitJSON(result)
        } else {
            let outcome = result.accepted ? "PIN accepted" : "PIN refused"
            context.output.write("\(outcome); tries left: before \(result.triesBefore.map(String.init) ?? "?"), "
                                 + "after \(result.triesAfter.map(String.init) ?? "?"); SIM \(result.simState ?? "state unknown").\n")
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
