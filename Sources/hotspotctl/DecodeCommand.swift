import ArgumentParser
import ATProtocol
import Foundation

/// `hotspotctl decode`: decodes a raw AT reply read on stdin, or one USSD payload given as an argument, offline,
/// with the daemon's own parsers.
struct DecodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode a raw AT reply from stdin into JSON, or a USSD payload into text (offline; no daemon needed).",
        discussion: """
            Reads the reply as raw bytes (real CR/LF) from stdin and prints what the station's parsers make \
            of it, as JSON. With --escaped the reply is written out instead: \\r \\n \\t \\" \\\\ and \\xHH \
            stand for their bytes and real line ends are ignored. Exit status 1 when the reply is an error \
            (ERROR, +CME ERROR…) or could not be decoded.

            Given a PAYLOAD (what a +CUSD report carries between its quotes) it prints that payload's text \
            instead, found as the station finds it: UCS2 hex, 8-bit hex, packed GSM 7-bit hex or plain text, \
            with --dcs as a hint; --json also says which encoding was found.

            Example: printf 'AT+CSQ\\r\\r\\n+CSQ: 17,99\\r\\n\\r\\nOK\\r\\n' | hotspotctl decode --command AT+CSQ
            Example: hotspotctl decode 3037373935 --dcs 15
            """)

    @Argument(help: ArgumentHelp("A USSD payload to decode instead of reading a reply from stdin.", valueName: "PAYLOAD"))
    var payload: String?

    @Option(name: .long, help: ArgumentHelp("The data coding scheme the +CUSD report gave with PAYLOAD (0-255).", valueName: "N"))
    var dcs: Int?

    @Option(name: .long, help: ArgumentHelp("The command the reply answers, such as 'AT+CSQ' (otherwise taken from the echo).",
                                            valueName: "AT+…"))
    var command: String?

    @Flag(name: .long, help: "The reply on stdin is written out with escapes (\\r, \\n, \\xHH…).")
    var escaped = false

    @Flag(name: .long, help: "Print the JSON on one line.")
    var compact = false

    @Flag(name: .long, help: "Print JSON (a reply from stdin is always printed as JSON).")
    var json = false

    func validate() throws {
        if let dcs, !(0...255).contains(dcs) { throw ValidationError("--dcs must be 0 to 255") }
        if dcs != nil, payload == nil { throw ValidationError("--dcs goes with a PAYLOAD argument") }
        if payload != nil, command != nil || escaped {
            throw ValidationError("--command and --escaped are for a reply read from stdin, not a PAYLOAD")
        }
    }

    func run() async throws {
        if let payload {
            StandardStream.standardOutput.write(Self.decode(payload: payload, dcs: dcs, json: json, compact: compact))
            return
        }
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

    /// The text of one USSD payload (a line), or its JSON: `text`, `encoding`, `dcs`, `alphabet` (what the DCS says).
    static func decode(payload: String, dcs: Int?, json: Bool, compact: Bool) -> String {
        let decoding = USSDTextDecoder.decoding(payload, dcs: dcs)
        guard json else { return decoding.text + "\n" }
        let alphabet: String = switch USSDTextDecoder.alphabet(forDCS: dcs) {
        case .gsm7: "gsm7"
        case .eightBit: "8bit"
        case .ucs2: "ucs2"
        case .unknown: "unknown"
        }
        let object = JSONObject([
            ("text", .string(decoding.text)),
            ("encoding", .string(decoding.encoding.rawValue)),
            ("dcs", dcs.map { JSONValue.int($0) } ?? .null),
            ("alphabet", .string(alphabet)),
        ])
        return JSONValue.object(object).encodedString(pretty: !compact) + "\n"
    }
}
