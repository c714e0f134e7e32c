import ArgumentParser
import ATProtocol
import Foundation

/// `hotspotctl decode`: decodes a raw AT reply read on stdin, offline, with the daemon's own parsers.
struct DecodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode a raw AT reply from stdin into JSON (offline; no daemon needed).",
        discussion: """
            Reads the reply as raw bytes (real CR/LF) from stdin and prints what the station's parsers make \
            of it, as JSON. With --escaped the reply is written out instead: \\r \\n \\t \\" \\\\ and \\xHH \
            stand for their bytes and real line ends are ignored. Exit status 1 when the reply is an error \
            (ERROR, +CME ERROR…) or could not be decoded.

            Example: printf 'AT+CSQ\\r\\r\\n+CSQ: 17,99\\r\\n\\r\\nOK\\r\\n' | hotspotctl decode --command AT+CSQ
            """)

    @Option(name: .long, help: ArgumentHelp("The command the reply answers, such as 'AT+CSQ' (otherwise taken from the echo).",
                                            valueName: "AT+…"))
    var command: String?

    @Flag(name: .long, help: "The reply on stdin is written out with escapes (\\r, \\n, \\xHH…).")
    var escaped = false

    @Flag(name: .long, help: "Print the JSON on one line.")
    var compact = false

    @Flag(name: .long, help: "Accepted for symmetry with the other commands; decode always prints JSON.")
    var json = false

    func run() async throws {
        let input = FileHandle.standardInput.readDataToEndOfFile()
        let decoded: (text: String, isError: Bool)
        do {
            decoded = try Self.decode(stdin: Array(input), command: command, escaped: escaped, compact: compact)
        } catch {
            StandardStream.standardError.write("hotspotctl: \(error.message)\n")
            throw Hotspotctl.usageExitCode
        }
        StandardStream.standardOutput.write(decoded.text)
        if decoded.isError { throw ExitCode(1) }
    }

    /// The JSON text for a reply and whether the reply was an error.
    static func decode(stdin: [UInt8], command: String?, escaped: Bool, compact: Bool) throws(EscapedInput.Failure) -> (text: String, isError: Bool) {
        let reply = escaped ? try EscapedInput.decode(stdin) : stdin
        let result = ATReplyDecoder.decode(command: command, reply: reply)
        return (result.value.encodedString(pretty: !compact) + "\n", result.isError)
    }
}
