import Foundation
import HandOverCard
import Localization
import StationAPI
import Testing

/// Sample card information: a configured hotspot with every counter detail.
enum CardSample {
    static let info = HandOverCardInfo(
        deviceID: "d1", ssid: "Connexion-0121", key: "abcdefgh1234", qrPayload: nil, plan: "500MB", megabytes: 500,
        priceCents: 500, date: Date(timeIntervalSince1970: 1_796_553_600), // 2026-12-06T12:00:00Z
        operatorName: "Orange", balanceCode: "*123#",
        counter: CounterDetails(organisation: "Association Lien Numérique", address: "12 rue des Lilas\n75020 Paris",
                                hours: "Mardi et jeudi, 14 h – 18 h", phone: "01 23 45 67 89", whenCreditRunsOut: nil))
}

@Suite struct HandOverCardTextTests {
    @Test func theFrenchCardSaysWhatTheBeneficiaryNeeds() {
        let card = HandOverCard(info: CardSample.info, language: .french, timeZone: TimeZone(identifier: "UTC") ?? .current)
        let text = card.text()
        #expect(text.contains("Votre accès Internet"))
        #expect(text.contains("Connexion-0121"))
        #expect(text.contains("abcd efgh 1234"))
        #expect(text.contains("Mot de passe Wi-Fi (sans les espaces)"))
        #expect(text.contains("Forfait : 500 Mo — 5,00 €"))
        #expect(text.contains("Date : 6 décembre 2026"))
        #expect(text.contains("composez *123#"))
        #expect(text.contains("Revenez au comptoir"))
        #expect(text.contains("12 rue des Lilas\n    75020 Paris"))
        #expect(card.qrPayload == "WIFI:T:WPA;S:Connexion-0121;P:abcdefgh1234;;")
    }

    @Test func theEnglishCardWritesMoneyAndVolumesTheEnglishWay() {
        let text = HandOverCard(info: CardSample.info, language: .english, timeZone: TimeZone(identifier: "UTC") ?? .current).text()
        #expect(text.contains("Plan: 500 MB — €5.00"))
        #expect(text.contains("6 December 2026"))
    }

    @Test func keysAreGroupedByFourUnlessTheyHaveSeparators() {
        #expect(HandOverCard.grouped("abcdefgh1234") == "abcd efgh 1234")
        #expect(HandOverCard.grouped("abcdefghi") == "abcd efgh i")
        #expect(HandOverCard.grouped("lune-vert-4821") == "lune-vert-4821")
        #expect(HandOverCard.grouped("has space in") == "has space in")
    }

    @Test func theConfiguredSentenceReplacesTheDefaultOne() {
        var info = CardSample.info
        info.counter?.whenCreditRunsOut = "Appelez-nous avant de revenir."
        let text = HandOverCard(info: info, language: .french).text()
        #expect(text.contains("Appelez-nous avant de revenir."))
        #expect(!text.contains("Revenez au comptoir"))
    }

    @Test func hostileCharactersInTheNameAreEscapedInTheQRPayload() {
        var info = CardSample.info
        info.ssid = #"Café;Wi,Fi:"x"\"#
        info.key = "k;e,y:1\\\"2"
        let card = HandOverCard(info: info, language: .french)
        #expect(card.qrPayload == #"WIFI:T:WPA;S:Café\;Wi\,Fi\:\"x\"\\;P:k\;e\,y\:1\\\"2;;"#)
    }
}
