import StationAPI

extension StationConfig {
    /// The longest text a card field may hold: the card is a small piece of paper.
    static let maxCardFieldLength = 200

    /// Problems with the `card` section: each field is printable text of at most `maxCardFieldLength` characters
    /// (the address may hold line breaks).
    func cardProblems() -> [(key: String, reason: String)] {
        guard let card else { return [] }
        var found: [(String, String)] = []
        let fields: [(String, String?, Bool)] = [
            ("organisation", card.organisation, false), ("address", card.address, true), ("hours", card.hours, true),
            ("phone", card.phone, false), ("whenCreditRunsOut", card.whenCreditRunsOut, false),
        ]
        for (name, value, multiline) in fields {
            guard let value else { continue }
            if value.count > Self.maxCardFieldLength {
                found.append(("card.\(name)", "must be at most \(Self.maxCardFieldLength) characters"))
            } else if value.unicodeScalars.contains(where: { ($0.value < 0x20 && !(multiline && $0 == "\n")) || (0x7F...0x9F).contains($0.value) }) {
                found.append(("card.\(name)", multiline ? "must be printable text (line breaks allowed)" : "must be printable text on one line"))
            }
        }
        return found
    }
}
