import ArgumentParser
import Foundation
import Localization

/// The language of the help texts, chosen once when the process starts, before the arguments are parsed.
///
/// argument-parser reads abstracts and option help when it builds a command's description, before any option has a
/// value; so the language comes from the command line's own `--lang` (looked for by hand, before a `--`) and the
/// environment, by the rules of `Language.resolve`: `hotspotctl --help` is French at a counter (`LANG=fr_FR.UTF-8`)
/// and English for `LANG=en_US.UTF-8`, `C` or `--lang en`.
enum HelpLanguage {
    /// The language of this process's help texts.
    static let current = Language.resolve(explicit: langArgument(in: Array(CommandLine.arguments.dropFirst())),
                                          environment: ProcessInfo.processInfo.environment)

    /// The value of the last `--lang X` or `--lang=X` before a `--`, if any.
    static func langArgument(in arguments: [String]) -> String? {
        var found: String?
        var index = 0
        while index < arguments.count, arguments[index] != "--" {
            let argument = arguments[index]
            if argument == "--lang", index + 1 < arguments.count {
                found = arguments[index + 1]
                index += 1
            } else if argument.hasPrefix("--lang=") {
                found = String(argument.dropFirst("--lang=".count))
            }
            index += 1
        }
        return found
    }

    /// A help text in the process's language.
    static func text(_ key: HelpText) -> String { Messages(language: current).text(key) }

    /// A usage error of the command line's own, in the process's language.
    static func usage(_ key: UsageMessage, values: [String] = []) -> String { Messages(language: current).text(key, values: values) }

    /// A help text for an option or argument, with its value name.
    static func argument(_ key: HelpText, discussion: HelpText? = nil, valueName: String? = nil) -> ArgumentHelp {
        ArgumentHelp(text(key), discussion: discussion.map(text) ?? "", valueName: valueName)
    }

    /// argument-parser's own fixed words in a help screen (`USAGE:`, `OPTIONS:`, `Show help information.`…), in French
    /// for a French process; English text is returned unchanged.
    static func translatingLibraryWords(_ help: String, language: Language = current) -> String {
        guard language == .french else { return help }
        var lines = help.components(separatedBy: "\n")
        for index in lines.indices {
            var line = lines[index]
            for (english, french) in libraryHeadings where line.hasPrefix(english) {
                line = french + line.dropFirst(english.count)
            }
            for (english, french) in libraryPhrases { line = line.replacingOccurrences(of: english, with: french) }
            lines[index] = line
        }
        return lines.joined(separator: "\n")
    }

    /// argument-parser's own words in a usage error (`Error:`, `Usage:`, `Missing expected argument`…), in French for a
    /// French process. The option names, value names and the command's own message are left as they are.
    static func translatingUsageWords(_ message: String, language: Language = current) -> String {
        guard language == .french else { return message }
        var lines = message.components(separatedBy: "\n")
        for index in lines.indices {
            var line = lines[index]
            for (english, french) in usagePhrases { line = line.replacingOccurrences(of: english, with: french) }
            if let see = line.range(of: "See '"), let end = line.range(of: "' for more information.") {
                line = line[..<see.lowerBound] + "Voir « " + line[see.upperBound..<end.lowerBound] + " » pour en savoir plus."
                    + line[end.upperBound...]
            }
            lines[index] = line
        }
        return lines.joined(separator: "\n")
    }

    /// Phrases of argument-parser's usage errors.
    static let usagePhrases: [(String, String)] = [
        ("Error: ", "Erreur : "), ("Usage: ", "Utilisation : "), ("Help: ", "Aide : "),
        ("Missing expected argument ", "Argument attendu manquant : "), ("Unknown option ", "Option inconnue : "),
        ("Unexpected argument ", "Argument inattendu : "), ("Missing value for ", "Valeur manquante pour "),
        ("The value ", "La valeur "), (" is invalid for ", " n'est pas valable pour "),
        ("<subcommand>", "<sous-commande>"),
    ]

    /// Section headings argument-parser prints at the start of a line.
    static let libraryHeadings: [(String, String)] = [
        ("OVERVIEW:", "RÉSUMÉ :"), ("USAGE:", "UTILISATION :"), ("ARGUMENTS:", "ARGUMENTS :"),
        ("OPTIONS:", "OPTIONS :"), ("SUBCOMMANDS:", "SOUS-COMMANDES :"), ("OUTCOME:", "ISSUE :"),
    ]

    /// Phrases argument-parser writes inside a help screen.
    static let libraryPhrases: [(String, String)] = [
        ("Show help information.", "Affiche cette aide."),
        ("Show the version.", "Affiche la version."),
        ("See 'hotspotctl help <subcommand>' for detailed help.",
         "Voir « hotspotctl help <sous-commande> » pour l'aide détaillée."),
        ("(default: ", "(par défaut : "),
        ("(values: ", "(valeurs : "),
        (" (default)", " (par défaut)"),
        ("<subcommand>", "<sous-commande>"),
    ]
}
