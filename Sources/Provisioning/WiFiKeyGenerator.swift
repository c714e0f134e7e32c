import Foundation

/// Makes WPA2 passphrases a person can read aloud and type: no look-alike characters (0/O, 1/l/I, 2/Z, 5/S, 8/B).
public struct WiFiKeyGenerator: Sendable {
    /// The alphabet keys are drawn from.
    public static let alphabet: [Character] = Array("abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY34679")

    private let randomIndex: @Sendable (Int) -> Int

    /// A generator backed by the system's cryptographic random source (`getrandom` on Linux).
    public init() {
        self.randomIndex = { upperBound in
            var rng = SystemRandomNumberGenerator()
            return Int.random(in: 0..<upperBound, using: &rng)
        }
    }

    /// A generator with an injected index source, for tests.
    public init(randomIndex: @escaping @Sendable (Int) -> Int) {
        self.randomIndex = randomIndex
    }

    /// A key of `length` characters (at least 12 and at most 63, the WPA2 limit).
    public func makeKey(length: Int) -> String {
        let count = min(max(length, 12), 63)
        var key = ""
        for _ in 0..<count {
            key.append(Self.alphabet[randomIndex(Self.alphabet.count)])
        }
        return key
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
