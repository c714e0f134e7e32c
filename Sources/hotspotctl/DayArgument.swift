import Foundation

/// Days and times typed at the counter: `today`, `yesterday` (French `aujourdhui`, `hier` too), `YYYY-MM-DD`, or any
/// time `DateArgument` reads.
enum DayArgument {
    /// The local day `text` names, as `[start, end)`; nil when it names no day.
    static func day(_ text: String, now: Date = Date(), timeZone: TimeZone = .current) -> (start: Date, end: Date)? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let start: Date
        switch text.lowercased() {
        case "today", "aujourdhui", "aujourd'hui": start = calendar.startOfDay(for: now)
        case "yesterday", "hier":
            guard let earlier = calendar.date(byAdding: .day, value: -1, to: calendar.startOfDay(for: now)) else { return nil }
            start = earlier
        default:
            guard text.utf8.count == 10, let parsed = DateArgument.parse(text, timeZone: timeZone) else { return nil }
            start = parsed
        }
        guard let end = calendar.date(byAdding: .day, value: 1, to: start) else { return nil }
        return (start, end)
    }

    /// The instant `--since` means: the start of a named day, else a time `DateArgument` reads.
    static func since(_ text: String, now: Date = Date(), timeZone: TimeZone = .current) -> Date? {
        if let named = day(text, now: now, timeZone: timeZone) { return named.start }
        return DateArgument.parse(text, timeZone: timeZone)
    }
}
