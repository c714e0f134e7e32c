import ArgumentParser
import ATProtocol
import Foundation

/// `hotspotctl decode`: decodes a raw AT reply read on stdin, or one USSD payload given as an argument, offline,
/// with the daemon's own parsers.
struct DecodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: HelpLanguage.text(.decodeAbstract),
        discussion: HelpLanguage.text(.decodeDiscussion))

    @Argument(help: HelpLanguage.argument(.decodePayload, valueName: "PAYLOAD"))
    var payload: String?

    @Option(name: .long, help: HelpLanguage.argument(.decodeDCS, valueName: "N"))
    var dcs: Int?

    @Option(name: .long, help: HelpLanguage.argument(.decodeCommand, valueName: "AT+…"))
    var command: String?

    @Flag(name: .long, help: HelpLanguage.argument(.decodeEscaped))
    var escaped = false

    @Flag(name: .long, help: HelpLanguage.argument(.decodeCompact))
    var compact = false

    @Flag(name: .long, help: HelpLanguage.argument(.decodeJSON))
    var json = false

    func validate() throws {
        if let dcs, !(0...255).contains(dcs) { throw ValidationError(HelpLanguage.usage(.dcsRange)) }
        if dcs != nil, payload == nil { throw ValidationError(HelpLanguage.usage(.dcsWithoutPayload)) }
        if payload != nil, command != nil || escaped {
            throw ValidationError(HelpLanguage.usage(.payloadWithReplyOptions))
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
