/// A numbered table of error texts (27.007 `+CME ERROR`, 27.005 `+CMS ERROR`) with the reverse lookup by text.
///
/// One mechanism for both error families: a numeric detail gets the table text (or "<fallback> <n>"), a verbose
/// detail gets the table code when the text is known, compared with `ATText.errorKey` (case, spaces, dashes and
/// quotes ignored), else no code.
struct ATErrorCatalogue: Sendable {
    /// Code → text, as the specification writes it.
    let texts: [Int: String]
    /// What an unknown code is called: "<fallback> <n>".
    let fallback: String
    private let codes: [String: Int]

    /// Builds the reverse lookup from `texts`, then `aliases` (spellings firmwares use that differ from the table).
    init(texts: [Int: String], aliases: [String: Int] = [:], fallback: String) {
        self.texts = texts
        self.fallback = fallback
        var codes: [String: Int] = [:]
        for (code, text) in texts { codes[ATText.errorKey(text)] = code }
        for (text, code) in aliases { codes[ATText.errorKey(text)] = code }
        self.codes = codes
    }

    /// The table's text for `code`, or "<fallback> <code>".
    func message(for code: Int) -> String {
        texts[code] ?? "\(fallback) \(code)"
    }

    /// The code of a verbose text, or nil when the text is not in the table.
    func code(forMessage message: String) -> Int? {
        codes[ATText.errorKey(message)]
    }

    /// What followed `+CME ERROR:` / `+CMS ERROR:`: a number (with the table text) or a verbose text (with its
    /// code when known).
    func parse(detail: String) -> (code: Int?, message: String) {
        if let number = Int(detail) { return (number, message(for: number)) }
        return (code(forMessage: detail), detail)
    }
}
