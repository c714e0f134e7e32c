import Foundation

/// Reads a date typed on the command line: `YYYY-MM-DD` (local midnight) or ISO 8601 with a time.
///
/// Accepted: `2024-05-01`, `2024-05-01T14:03`, `2024-05-01T14:03:22`, `2024-05-01 14:03:22.5`, each
/// optionally followed by `Z`, `+02:00`, `+0200` or `+02`. Without a zone the time is the station's local time.
enum DateArgument {
    /// The date, or `nil` when the text is not one of the accepted forms or names no real day.
    static func parse(_ text: String, timeZone: TimeZone = .current) -> Date? {
        var scanner = DigitScanner(Array(text.utf8))
        guard let year = scanner.number(digits: 4), scanner.take(UInt8(ascii: "-")),
              let month = scanner.number(digits: 2), scanner.take(UInt8(ascii: "-")),
              let day = scanner.number(digits: 2) else { return nil }
        var parts = DateComponents(year: year, month: month, day: day, hour: 0, minute: 0, second: 0)
        var zone = timeZone
        if !scanner.atEnd {
            guard scanner.take(UInt8(ascii: "T")) || scanner.take(UInt8(ascii: "t")) || scanner.take(UInt8(ascii: " ")),
                  let hour = scanner.number(digits: 2), scanner.take(UInt8(ascii: ":")),
                  let minute = scanner.number(digits: 2) else { return nil }
            parts.hour = hour
            parts.minute = minute
            if scanner.take(UInt8(ascii: ":")) {
                guard let second = scanner.number(digits: 2) else { return nil }
                parts.second = second
                if scanner.take(UInt8(ascii: ".")) || scanner.take(UInt8(ascii: ",")) {
                    guard let fraction = scanner.fraction() else { return nil }
                    parts.nanosecond = Int(fraction * 1_000_000_000)
                }
            }
            if !scanner.atEnd {
                guard let offset = scanner.zoneOffset(), scanner.atEnd,
                      let fixed = TimeZone(secondsFromGMT: offset) else { return nil }
                zone = fixed
            }
        }
        guard (1...12).contains(month), (1...31).contains(day), let hour = parts.hour, hour < 24,
              let minute = parts.minute, minute < 60, let second = parts.second, second < 61 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        guard let date = calendar.date(from: parts),
              calendar.component(.day, from: date) == day else { return nil }  // 2024-02-30 rolls over: refuse it
        return date
    }

    /// A cursor over ASCII bytes.
    private struct DigitScanner {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { index == bytes.count }

        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func number(digits: Int) -> Int? {
            guard index + digits <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + digits] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            index += digits
            return value
        }

        mutating func fraction() -> Double? {
            var value = 0.0
            var scale = 0.1
            let start = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                value += Double(bytes[index] - UInt8(ascii: "0")) * scale
                scale /= 10
                index += 1
            }
            return index > start ? value : nil
        }

        /// `Z`, `±HH`, `±HHMM` or `±HH:MM`, in seconds east of UTC.
        mutating func zoneOffset() -> Int? {
            if take(UInt8(ascii: "Z")) || take(UInt8(ascii: "z")) { return 0 }
            let sign: Int
            if take(UInt8(ascii: "+")) { sign = 1 } else if take(UInt8(ascii: "-")) { sign = -1 } else { return nil }
            guard let hours = number(digits: 2), hours <= 14 else { return nil }
            var minutes = 0
            if !atEnd {
                _ = take(UInt8(ascii: ":"))
                guard let value = number(digits: 2), value < 60 else { return nil }
                minutes = value
            }
            return sign * (hours * 3600 + minutes * 60)
        }
    }
}
