import Foundation
import Testing
@testable import hotspotctl

@Suite struct DateArgumentTests {
    let paris = TimeZone(identifier: "Europe/Paris") ?? TimeZone(secondsFromGMT: 7200) ?? .current

    @Test func readsADayAsLocalMidnight() throws {
        let date = try #require(DateArgument.parse("2024-05-01", timeZone: paris))
        #expect(date == Date(timeIntervalSince1970: 1_714_514_400))  // 2024-04-30T22:00:00Z, Paris is UTC+2 in May
    }

    @Test func readsISO8601WithZoneOrOffset() throws {
        #expect(DateArgument.parse("2024-05-01T14:03:22Z", timeZone: paris) == Sample.date)
        #expect(DateArgument.parse("2024-05-01T16:03:22+02:00", timeZone: paris) == Sample.date)
        #expect(DateArgument.parse("2024-05-01T09:03:22-0500", timeZone: paris) == Sample.date)
        #expect(DateArgument.parse("2024-05-01 16:03:22", timeZone: paris) == Sample.date)
        #expect(DateArgument.parse("2024-05-01T14:03Z", timeZone: paris) == Sample.date.addingTimeInterval(-22))
        let fractional = try #require(DateArgument.parse("2024-05-01T14:03:22.5Z", timeZone: paris))
        #expect(abs(fractional.timeIntervalSince(Sample.date) - 0.5) < 0.001)
    }

    @Test func refusesMalformedOrImpossibleDates() {
        for text in ["", "2024-5-1", "2024-13-01", "2024-02-30", "2024-05-01T25:00", "2024-05-01T14:03:22+2",
                     "yesterday", "2024-05-01T14:03:22Zjunk", "2024-05-01T"] {
            #expect(DateArgument.parse(text, timeZone: paris) == nil, "accepted \(text)")
        }
    }
}

@Suite struct LocalTimestampTests {
    @Test func showsLocalDateAndTimeZeroPadded() {
        let paris = LocalTimestamp(timeZone: TimeZone(identifier: "Europe/Paris") ?? .current)
        #expect(paris.dateTime(Sample.date) == "2024-05-01 16:03:22")
        #expect(paris.time(Date(timeIntervalSince1970: 1_704_070_861)) == "02:01:01")  // 2024-01-01T01:01:01Z
        #expect(LocalTimestamp(timeZone: Sample.utc).dateTime(Date(timeIntervalSince1970: 1_704_070_861)) == "2024-01-01 01:01:01")
    }
}
