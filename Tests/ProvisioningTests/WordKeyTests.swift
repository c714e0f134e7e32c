import Provisioning
import Testing

/// `wifi.keyStyle: "words"`: French words and digits a beneficiary types on a phone, with enough randomness.
@Suite struct WordKeyTests {
    @Test func theWordListIsLargeDistinctAndPlain() {
        let words = WiFiKeyGenerator.words
        #expect(words.count == 296)
        #expect(Set(words).count == words.count)
        #expect(words.allSatisfy { word in (2...8).contains(word.count) && word.allSatisfy { ("a"..."z").contains($0) } })
        #expect(WiFiKeyGenerator.wordKeyEntropyBits(words: WiFiKeyGenerator.minimumWords) >= 50)
    }

    @Test func aWordKeyIsFourWordsAndSixDigitsAtLeast() {
        let generator = WiFiKeyGenerator(style: .words)
        for _ in 0..<200 {
            let key = generator.makeKey(length: 12)
            let parts = key.split(separator: "-").map(String.init)
            #expect(parts.count == 5, "\(key)")
            #expect(parts.dropLast().allSatisfy { WiFiKeyGenerator.words.contains($0) }, "\(key)")
            #expect(parts.last?.count == 6 && parts.last?.allSatisfy(\.isNumber) == true, "\(key)")
            #expect((12...63).contains(key.count) && key.allSatisfy { $0.isASCII && !$0.isWhitespace })
        }
    }

    @Test func aLongerKeyLengthAddsWordsAndNeverPassesWPA2sLimit() {
        let longest = WiFiKeyGenerator.words.max { $0.count < $1.count } ?? ""
        let index = WiFiKeyGenerator.words.firstIndex(of: longest) ?? 0
        // Always the longest word: the key must still stop at 63 characters.
        let generator = WiFiKeyGenerator(style: .words) { upper in upper == 10 ? 7 : index }
        let key = generator.makeKey(length: 63)
        #expect(key.count <= 63 && key.count > 50)
        #expect(key.hasSuffix("-777777"))
        let short = WiFiKeyGenerator(style: .words) { upper in upper == 10 ? 1 : 0 }.makeKey(length: 30)
        #expect(short == "abri-abri-abri-abri-abri-111111")
    }

    @Test func twoKeysDiffer() {
        let generator = WiFiKeyGenerator(style: .words)
        #expect(generator.makeKey(length: 12) != generator.makeKey(length: 12))
        #expect(WiFiKeyGenerator().style == .characters)
    }
}
