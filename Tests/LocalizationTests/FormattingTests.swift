import Localization
import Testing

@Suite struct FormattingTests {
    @Test func languageFromTheEnvironment() {
        #expect(Language.resolve(environment: ["LANG": "fr_FR.UTF-8"]) == .french)
        #expect(Language.resolve(environment: ["LANG": "en_GB.UTF-8"]) == .english)
        #expect(Language.resolve(environment: ["LANG": "C.UTF-8"]) == .english)
        #expect(Language.resolve(environment: ["LANG": "POSIX"]) == .english)
        #expect(Language.resolve(environment: [:]) == .french)
        #expect(Language.resolve(environment: ["LANG": "de_DE.UTF-8"]) == .french)
        // LC_ALL beats LC_MESSAGES beats LANG; empty values are skipped, as setlocale does.
        #expect(Language.resolve(environment: ["LANG": "fr_FR.UTF-8", "LC_MESSAGES": "en_US.UTF-8"]) == .english)
        #expect(Language.resolve(environment: ["LANG": "en_US.UTF-8", "LC_ALL": "fr_CA.UTF-8", "LC_MESSAGES": "en_US"]) == .french)
        #expect(Language.resolve(environment: ["LANG": "en_US.UTF-8", "LC_ALL": ""]) == .english)
        // HOTSPOT_LANG and an explicit choice (--lang) come first.
        #expect(Language.resolve(environment: ["LANG": "fr_FR.UTF-8", "HOTSPOT_LANG": "en"]) == .english)
        #expect(Language.resolve(explicit: "fr", environment: ["LC_ALL": "C"]) == .french)
        #expect(Language(name: "français") == .french)
        #expect(Language(name: "klingon") == nil)
    }

    @Test func volumesAsPeopleWriteThem() {
        #expect(Units.megabytes(500, language: .french) == "500 Mo")
        #expect(Units.megabytes(500, language: .english) == "500 MB")
        #expect(Units.megabytes(2048, language: .french) == "2 Go")
        #expect(Units.megabytes(2048, language: .english) == "2 GB")
        #expect(Units.megabytes(1536, language: .french) == "1,5 Go")
        #expect(Units.megabytes(1536, language: .english) == "1.5 GB")
        #expect(Units.megabytes(1023, language: .french) == "1\u{00A0}023 Mo")
        #expect(Units.megabytes(0, language: .french) == "0 Mo")
        #expect(Units.megabytes(-20, language: .english) == "-20 MB")
    }

    @Test func moneyAsPeopleWriteIt() {
        #expect(Money.cents(100, language: .french) == "1,00 €")
        #expect(Money.cents(100, language: .english) == "€1.00")
        #expect(Money.cents(5, language: .french) == "0,05 €")
        #expect(Money.cents(123_450, language: .french) == "1\u{00A0}234,50 €")
        #expect(Money.cents(123_450, language: .english) == "€1,234.50")
        #expect(Money.cents(-250, language: .english) == "-€2.50")
        #expect(Money.cents(Int.min, language: .english).hasPrefix("-€"))  // no overflow on the magnitude
    }

    @Test func daysAsPeopleWriteThem() {
        #expect(CalendarDay.text(year: 2026, month: 12, day: 6, language: .french) == "6 décembre 2026")
        #expect(CalendarDay.text(year: 2026, month: 12, day: 1, language: .french) == "1er décembre 2026")
        #expect(CalendarDay.text(year: 2026, month: 12, day: 6, language: .english) == "6 December 2026")
        #expect(CalendarDay.text(year: 2026, month: 13, day: 6, language: .english) == "2026-13-06")
    }

    @Test func labelsHaveBothLanguages() {
        for label in Label.allCases {
            #expect(!Messages(language: .french).text(label).isEmpty && !Messages(language: .english).text(label).isEmpty)
        }
        #expect(Messages(language: .french).text(.cardBalanceHow, "*123#").contains("composez *123#"))
    }
}
