import ArgumentParser
import Foundation
import HandOverCard
import Localization
import StationAPI

/// `hotspotctl card DEVICE`: the beneficiary's hand-over card — Wi-Fi name and key, QR code, plan and price, how to
/// check the data left, the counter's details — as text, an A6 PDF, a 62 mm PNG label, or sent to a printer.
struct CardCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "card",
        abstract: HelpLanguage.text(.cardAbstract),
        discussion: HelpLanguage.text(.cardDiscussion))

    @OptionGroup var globals: GlobalOptions

    @Argument(help: HelpLanguage.argument(.deviceArgument, valueName: "device"), completion: CompletionCandidatesCommand.devices)
    var device: String

    @Option(name: .long, help: HelpLanguage.argument(.cardPDF, valueName: "file"))
    var pdf: String?

    @Option(name: .long, help: HelpLanguage.argument(.cardPNG, valueName: "file"))
    var png: String?

    @Flag(name: .long, help: HelpLanguage.argument(.cardPrint))
    var print = false

    @Option(name: .long, help: HelpLanguage.argument(.cardPrinter, valueName: "name"))
    var printer: String?

    @Flag(name: .long, help: HelpLanguage.argument(.lightTerminal))
    var lightTerminal = false

    func validate() throws {
        if printer != nil, !print { throw ValidationError(HelpLanguage.usage(.printerWithoutPrint)) }
        if let printer, printer.isEmpty || printer.hasPrefix("-") || printer.contains(where: { $0.isWhitespace || $0.isNewline }) {
            throw ValidationError(HelpLanguage.usage(.printerName))
        }
        for (option, path) in [("--pdf", pdf), ("--png", png)] where path?.isEmpty == true {
            throw ValidationError(HelpLanguage.usage(.optionTakesFile, values: [option]))
        }
    }

    func execute(in context: CommandContext) async throws(HotspotctlError) {
        let info = try await context.client.card(device)
        if context.json {
            try context.emitJSON(info)
            return
        }
        let card = HandOverCard(info: info, language: context.language, timeZone: context.timestamps.timeZone)
        let messages = context.messages
        if pdf == nil, png == nil, !print {
            // Line by line: the card's own line ends stay, a control character in a field (a hostile SSID) does not.
            context.output.write(card.text().split(separator: "\n", omittingEmptySubsequences: false)
                .map { TerminalText.sanitize(String($0)) }.joined(separator: "\n"))
            if let payload = card.qrPayload {
                if let code = try? QRCode.encode(Array(payload.utf8)) {
                    context.output.write("\n" + QRTerminalRenderer(lightOnDark: !lightTerminal).render(code))
                } else {
                    context.output.write("\n" + messages.text(.qrTooLong) + "\n")
                }
            }
            return
        }
        do {
            if let pdf {
                try CardFiles.writePrivately(pdf) { path throws(CardDrawing.Failure) in try CardDrawing.writePDF(card, to: path) }
                context.output.write(messages.text(.cardWritten, pdf) + "\n")
            }
            if let png {
                try CardFiles.writePrivately(png) { path throws(CardDrawing.Failure) in try CardDrawing.writePNG(card, to: path) }
                context.output.write(messages.text(.cardWritten, png) + "\n")
            }
        } catch {
            throw .localInput(error.description)
        }
        if print {
            let job = try CardPrinter(printer: printer).print(card)
            context.output.write(messages.text(.cardSentToPrinter, job) + "\n")
        }
    }
}

extension StationClient {
    /// `GET /v1/devices/{ref}/card`: what the hand-over card shows (the key included).
    func card(_ ref: String) async throws(HotspotctlError) -> HandOverCardInfo {
        try await get(StationRoute.card(ref), as: HandOverCardInfo.self)
    }
}

/// Card files hold a Wi-Fi key: they are written readable by their owner only.
enum CardFiles {
    /// Runs `write` on `path` with a umask that leaves the file `0600`, then makes sure of the mode.
    static func writePrivately(_ path: String, _ write: (String) throws(CardDrawing.Failure) -> Void) throws(CardDrawing.Failure) {
        let previous = umask(0o077)
        defer { umask(previous) }
        try write(path)
        _ = chmod(path, 0o600)
    }
}
