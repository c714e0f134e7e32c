import Localization
import Testing

/// The facts of a refused input (`FailureInfo.details`) said in the technician's language, never the daemon's English.
@Suite struct FailureDetailTests {
    @Test func aForbiddenCharacterInTheWiFiNameIsSaidInFrenchAndInEnglish() {
        let details = ["field": "ssid", "problem": "forbidden-character", "character": "é"]
        #expect(Messages(language: .french).detail(details) == "Le nom Wi-Fi contient « é », qu'un appareil ne peut pas enregistrer.")
        #expect(Messages(language: .english).detail(details) == "The Wi-Fi name contains “é”, which a device cannot store.")
        let invisible = ["field": "key", "problem": "forbidden-character", "character": "U+00A0"]
        #expect(Messages(language: .french).detail(invisible) == "La clé Wi-Fi contient U+00A0, qu'un appareil ne peut pas enregistrer.")
    }

    @Test func eachProblemHasItsSentence() {
        let french = Messages(language: .french)
        #expect(french.detail(["field": "ssid", "problem": "empty"]) == "Le nom Wi-Fi est vide.")
        #expect(french.detail(["field": "ssid", "problem": "too-long", "max": "32"]) == "Le nom Wi-Fi dépasse 32 caractères.")
        #expect(french.detail(["field": "key", "problem": "invalid", "reason": "shorter than 8 characters"])
                == "La clé Wi-Fi ne convient pas (shorter than 8 characters).")
    }

    @Test func factsTheCatalogDoesNotKnowGiveNoSentence() {
        let french = Messages(language: .french)
        #expect(french.detail(nil) == nil)
        #expect(french.detail([:]) == nil)
        #expect(french.detail(["field": "apn", "problem": "empty"]) == nil)
        #expect(french.detail(["field": "ssid", "problem": "melted"]) == nil)
        #expect(french.detail(["field": "ssid", "problem": "too-long"]) == nil)   // no limit given: nothing invented
    }
}
