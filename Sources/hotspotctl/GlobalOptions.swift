import ArgumentParser
import Foundation
import Localization

/// The options every daemon command shares: where the daemon listens, machine output, secrets.
struct GlobalOptions: ParsableArguments {
    /// The socket used when neither `--socket` nor `$HOTSPOTD_SOCKET` says otherwise.
    static let defaultSocketPath = "/run/hotspotd/api.sock"

    @Option(name: .long, help: HelpLanguage.argument(.socketOption, discussion: .socketDiscussion, valueName: "path"))
    var socket: String?

    @Flag(name: .long, help: HelpLanguage.argument(.jsonFlag))
    var json = false

    @Flag(name: .long, help: HelpLanguage.argument(.revealFlag))
    var reveal = false

    @Flag(name: .customLong("reveal-key"), help: HelpLanguage.argument(.revealKeyFlag))
    var revealKey = false

    @Flag(name: .customLong("reveal-ids"), help: HelpLanguage.argument(.revealIDsFlag))
    var revealIDs = false

    @Option(name: .long, help: HelpLanguage.argument(.langOption, discussion: .langDiscussion, valueName: "fr|en"))
    var lang: String?

    /// Whether any secret was asked for.
    var revealsAnything: Bool { reveal || revealKey || revealIDs }

    /// The daemon's `reveal` query value: `1` for `--reveal`, else `key`, `ids` or `key,ids`.
    var revealQuery: String {
        if reveal { return "1" }
        return [revealKey ? "key" : nil, revealIDs ? "ids" : nil].compactMap { $0 }.joined(separator: ",")
    }

    /// The language of the human output, after `--lang` and the environment.
    func language(environment: [String: String] = ProcessInfo.processInfo.environment) -> Language {
        Language.resolve(explicit: lang, environment: environment)
    }

    /// Refuses a `--lang` the station does not speak.
    func validate() throws {
        if let lang, Language(name: lang) == nil {
            throw ValidationError(HelpLanguage.usage(.langValue, values: [lang]))
        }
    }

    /// The socket to connect to, after the environment and the default.
    func socketPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let socket, !socket.isEmpty { return socket }
        if let fromEnvironment = environment["HOTSPOTD_SOCKET"], !fromEnvironment.isEmpty { return fromEnvironment }
        return Self.defaultSocketPath
    }
}
