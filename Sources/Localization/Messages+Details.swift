extension Messages {
    /// The facts of a failure (`FailureInfo.details`) said in this catalog's language, or `nil` when there are none
    /// this catalog knows how to word: the client then shows the daemon's own sentence.
    ///
    /// Known facts are those of an input a device cannot store: `field` (`ssid`, `key`, `pin`, `puk`, `ussd`) with
    /// `problem` `empty`, `too-long` (and `max`), `forbidden-character` (and `character`, one printable character or
    /// `U+XXXX`) or `invalid` (and `reason`, which stays as the daemon wrote it).
    public func detail(_ details: [String: String]?) -> String? {
        guard let details, let field = details["field"], let problem = details["problem"] else { return nil }
        let subject: String
        switch field {
        case "ssid": subject = language.pick(fr: "Le nom Wi-Fi", en: "The Wi-Fi name")
        case "key": subject = language.pick(fr: "La clé Wi-Fi", en: "The Wi-Fi key")
        case "pin": subject = language.pick(fr: "Le code PIN", en: "The PIN")
        case "puk": subject = language.pick(fr: "Le code PUK", en: "The PUK")
        case "ussd", "code": subject = language.pick(fr: "Le code USSD", en: "The USSD code")
        default: return nil
        }
        switch problem {
        case "empty":
            return subject + language.pick(fr: " est vide.", en: " is empty.")
        case "too-long":
            guard let max = details["max"] else { return nil }
            return subject + language.pick(fr: " dépasse \(max) caractères.", en: " is longer than \(max) characters.")
        case "forbidden-character":
            guard let character = details["character"] else { return nil }
            let shown = character.hasPrefix("U+") ? character : language.pick(fr: "« \(character) »", en: "“\(character)”")
            return subject + language.pick(fr: " contient \(shown), qu'un appareil ne peut pas enregistrer.",
                                           en: " contains \(shown), which a device cannot store.")
        case "invalid":
            guard let reason = details["reason"] else { return nil }
            return subject + language.pick(fr: " ne convient pas (\(reason)).", en: " is refused (\(reason)).")
        default:
            return nil
        }
    }
}
