import Foundation

/// Shows dates to people in the station's local time: `YYYY-MM-DD HH:MM:SS` and `HH:MM:SS`.
struct LocalTimestamp: Sendable {
    /// The zone the station's clock shows (injected so tests do not depend on the machine's).
    var timeZone: TimeZone

    private var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    /// `2024-05-01 14:03:22`.
    func dateTime(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return "\(Self.pad(parts.year, 4))-\(Self.pad(parts.month, 2))-\(Self.pad(parts.day, 2)) " + time(parts)
    }

    /// `14:03:22`.
    func time(_ date: Date) -> String {
        time(calendar.dateComponents([.hour, .minute, .second], from: date))
    }

    private func time(_ parts: DateComponents) -> String {
        "\(Self.pad(parts.hour, 2)):\(Self.pad(parts.minute, 2)):\(Self.pad(parts.second, 2))"
    }

    private static func pad(_ value: Int?, _ width: Int) -> String {
        let digits = String(value ?? 0)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
