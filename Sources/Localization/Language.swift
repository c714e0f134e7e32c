/// The languages the station's people read: French at the counter, English for everyone else.
///
/// Chosen once per process from, in order: an explicit choice (`--lang`, configuration), `HOTSPOT_LANG`,
/// then the POSIX locale variables `LC_ALL`, `LC_MESSAGES`, `LANG` (the first one set and not empty wins, as
/// `setlocale(3)` does). `fr*` gives French; `en*`, `C` and `POSIX` give English (the locale of scripts, ssh sessions
/// and service managers, read by administrators); no locale at all, or a language the station does not speak, gives
/// French, the language of the counters. Machine output (`--json`, codes) never depends on it.
public enum Language: String, Sendable, CaseIterable, Codable {
    /// Français: the default at the counters (`LANG=fr_FR.UTF-8`).
    case french = "fr"
    /// English: `LANG=en_*`, `C` or `POSIX`, or `--lang en`.
    case english = "en"

    /// The language when nothing says otherwise.
    public static let fallback = Language.french

    /// Reads a language name as people and locales write it: `fr`, `fr_FR.UTF-8`, `fr-CA`, `français`, `en`,
    /// `en_GB`, `english`, `C`, `POSIX` (case-insensitive). `nil` for anything else.
    public init?(name: String) {
        let lowered = String(name.lowercased().prefix { $0 != "." && $0 != "@" })
        let language = String(lowered.prefix { $0 != "_" && $0 != "-" })
        switch language {
        case "fr", "fra", "fre", "french", "français", "francais": self = .french
        case "en", "eng", "english", "anglais", "c", "posix": self = .english
        default: return nil
        }
    }

    /// The language for a process with this environment, after an explicit choice when one was made.
    ///
    /// `explicit` is `--lang` or a configured language; an unreadable explicit choice is ignored here (the caller
    /// validates it first). The first of `HOTSPOT_LANG`, `LC_ALL`, `LC_MESSAGES`, `LANG` that is set and not empty
    /// decides; a value naming a language the station does not speak gives French.
    public static func resolve(explicit: String? = nil, environment: [String: String]) -> Language {
        if let explicit, let language = Language(name: explicit) { return language }
        for variable in ["HOTSPOT_LANG", "LC_ALL", "LC_MESSAGES", "LANG"] {
            guard let value = environment[variable], !value.isEmpty else { continue }
            return Language(name: value) ?? fallback
        }
        return fallback
    }

    /// The French or the English text, whichever this language is: how catalog entries are written.
    public func pick(fr: String, en: String) -> String {
        switch self {
        case .french: fr
        case .english: en
        }
    }
}
