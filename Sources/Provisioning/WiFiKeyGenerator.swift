#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Makes WPA2 passphrases a person can read aloud and type: no look-alike characters (0/O, 1/l/I, 2/Z, 5/S, 8/B).
///
/// Two styles (`wifi.keyStyle` in the configuration): `characters` (the default), letters and digits from
/// `alphabet`; `words`, lowercase French words and one group of digits joined by hyphens, such as
/// `lune-vert-pain-rose-482193`, typed on a phone without switching keyboards more than once.
public struct WiFiKeyGenerator: Sendable {
    /// How keys look.
    public enum Style: String, Codable, Sendable, CaseIterable {
        /// `length` characters from `alphabet` (about 5.6 bits each: 12 characters ≈ 67.7 bits).
        case characters
        /// At least four words of `words` and six digits, hyphenated: log2(296) ≈ 8.21 bits a word and log2(10⁶)
        /// ≈ 19.93 bits for the digits, so ≥ 52.8 bits; more words are added until the key has `length` characters.
        case words
    }

    /// The alphabet keys are drawn from.
    public static let alphabet: [Character] = Array("abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY34679")

    /// The French words of the `words` style: common, concrete, lowercase a–z without accents (phones add them
    /// awkwardly), 2–8 letters, all different.
    public static let words: [String] = [
        "abri", "acier", "agent", "aigle", "aile", "aimer", "algue", "alpe", "ambre", "ami", "ancre", "ange", "anis",
        "arbre", "arc", "arche", "argent", "arome", "astre", "atlas", "aube", "audace", "avion", "avril", "bague",
        "baie", "balle", "banc", "barbe", "barque", "bassin", "bateau", "baton", "bazar", "bec", "belle", "berge",
        "beurre", "biche", "bijou", "bille", "blanc", "blason", "bleu", "bloc", "bois", "bol", "bonbon", "bord",
        "bouche", "boule", "bourg", "bras", "brin", "brise", "brume", "bulle", "but", "cabane", "cactus", "cadre",
        "cafe", "cage", "caille", "calme", "camp", "canal", "canard", "canne", "cape", "carte", "cerf", "cerise",
        "chaise", "champ", "chant", "chat", "chene", "cheval", "chien", "ciel", "cigale", "cinq", "cirque", "citron",
        "clair", "cle", "cloche", "clou", "coeur", "coin", "col", "colline", "comte", "conte", "coq", "corde", "corne",
        "cote", "coton", "court", "crabe", "craie", "creme", "crete", "cube", "cuivre", "cygne", "dame", "danse",
        "dauphin", "degre", "dent", "desert", "dimanche", "disque", "doigt", "dune", "eau", "ecole", "ecran", "ecu",
        "eglise", "elan", "encre", "epee", "epi", "etang", "ete", "etoile", "fable", "facile", "farine", "faucon",
        "fee", "fer", "ferme", "feu", "feuille", "fil", "flamme", "fleur", "flute", "foin", "fond", "force", "foret",
        "forme", "fort", "fraise", "frene", "fruit", "fumee", "gare", "gazon", "gel", "genou", "givre", "gland",
        "globe", "gomme", "goutte", "grain", "grange", "grive", "gros", "guide", "harpe", "herbe", "heron", "hibou",
        "hiver", "houx", "ile", "image", "indigo", "iris", "jade", "jardin", "jaune", "jeudi", "joie", "jonc", "jour",
        "juin", "jupe", "lac", "laine", "lampe", "lande", "lapin", "large", "laurier", "lettre", "lierre", "lilas",
        "lime", "lin", "lion", "lit", "livre", "loup", "lumiere", "lundi", "lune", "lynx", "madame", "main", "maison",
        "manteau", "marche", "mardi", "marin", "merle", "miel", "mille", "moulin", "mouton", "mur", "neige", "nid",
        "noix", "nord", "nuage", "ocean", "oie", "olive", "ombre", "onde", "orage", "orange", "orge", "ours", "paille",
        "pain", "palme", "panier", "papier", "parc", "pepin", "perle", "phare", "piano", "pierre", "pin", "plage",
        "plume", "poire", "pomme", "pont", "porte", "poule", "prairie", "pre", "prune", "puits", "quai", "quatre",
        "rayon", "reine", "renard", "riviere", "robe", "roche", "rose", "roue", "rue", "sable", "sapin", "saule",
        "sel", "semaine", "serre", "sirop", "soleil", "sommet", "source", "sucre", "sud", "table", "terre", "tigre",
        "toile", "tour", "train", "trefle", "tulipe", "vache", "vague", "valse", "vent", "verger", "vert", "violet",
        "voile", "zebre"
    ]

    /// Words in every `words` key, at least.
    public static let minimumWords = 4
    /// Digits in the digit group of a `words` key.
    public static let digitCount = 6

    /// The bits of randomness in a `words` key with this many words.
    public static func wordKeyEntropyBits(words count: Int) -> Double {
        Double(count) * log2(Double(words.count)) + Double(digitCount) * log2(10)
    }

    /// The style of the keys made.
    public let style: Style
    private let randomIndex: @Sendable (Int) -> Int

    /// A generator backed by the system's cryptographic random source (`getrandom` on Linux).
    public init(style: Style = .characters) {
        self.style = style
        self.randomIndex = { upperBound in
            var rng = SystemRandomNumberGenerator()
            return Int.random(in: 0..<upperBound, using: &rng)
        }
    }

    /// A generator with an injected index source, for tests.
    public init(style: Style = .characters, randomIndex: @escaping @Sendable (Int) -> Int) {
        self.style = style
        self.randomIndex = randomIndex
    }

    /// A key of `length` characters (at least 12 and at most 63, the WPA2 limit); a `words` key is at least that
    /// long and at most 63.
    public func makeKey(length: Int) -> String {
        if style == .words { return makeWordKey(length: length) }
        let count = min(max(length, 12), 63)
        var key = ""
        for _ in 0..<count {
            key.append(Self.alphabet[randomIndex(Self.alphabet.count)])
        }
        return key
    }
}

extension WiFiKeyGenerator {
    /// Four or more words then six digits, hyphenated; words are added while the key is shorter than `length` and
    /// another word still fits in 63 characters.
    private func makeWordKey(length: Int) -> String {
        let target = min(max(length, 12), 63)
        var digits = ""
        for _ in 0..<Self.digitCount { digits.append(Character(String(randomIndex(10)))) }
        var chosen: [String] = []
        func key() -> String { (chosen + [digits]).joined(separator: "-") }
        while chosen.count < Self.minimumWords {
            chosen.append(Self.words[randomIndex(Self.words.count)])
        }
        while key().count < target {
            let word = Self.words[randomIndex(Self.words.count)]
            guard key().count + word.count + 1 <= 63 else { break }
            chosen.append(word)
        }
        return key()
    }
}

/// Fills the Wi-Fi name template.
public enum SSIDTemplate {
    /// Replaces `{iccid4}`, `{imei4}` and `{model}`; missing values become `0000` or an empty string.
    public static func render(_ template: String, iccid: String?, imei: String?, model: String?) -> String {
        template
            .replacingOccurrences(of: "{iccid4}", with: String((iccid ?? "0000").suffix(4)))
            .replacingOccurrences(of: "{imei4}", with: String((imei ?? "0000").suffix(4)))
            .replacingOccurrences(of: "{model}", with: model ?? "")
    }
}
