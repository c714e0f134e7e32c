import Foundation
import Localization
import StationAPI

/// The beneficiary's hand-over card, laid out in words: what every format (text, PDF, PNG) shows, in one language.
///
/// Built from the daemon's `HandOverCardInfo`, which holds no IMEI, IMSI or ICCID; nothing here adds any.
public struct HandOverCard: Sendable, Equatable {
    /// One labelled piece of information (`Forfait` → `500 Mo — 5,00 €`).
    public struct Line: Sendable, Equatable {
        /// The label, such as `Forfait`.
        public var label: String
        /// The value; may hold line breaks (an address).
        public var value: String
    }

    /// The card's title.
    public var title: String
    /// The organisation, when configured.
    public var organisation: String?
    /// The Wi-Fi name's label.
    public var ssidLabel: String
    /// The Wi-Fi name.
    public var ssid: String?
    /// The key's label (says the spaces are not typed when the key is grouped).
    public var keyLabel: String
    /// The key in groups of four (`abcd efgh 1234`) for reading aloud and typing; as is when it already has
    /// separators (word keys) or spaces of its own.
    public var groupedKey: String?
    /// The QR code's payload (`WIFI:T:WPA;S:…;P:…;;`).
    public var qrPayload: String?
    /// The sentence under the QR code.
    public var scanHint: String
    /// Plan, price, date, balance, what to do, counter details.
    public var lines: [Line]
    /// The closing line (keep the password to yourself).
    public var footer: String
    /// The colon between a label and its value (` : ` in French, `: ` in English).
    public var colon: String

    /// The card for `info` in `language`; dates are read in `timeZone` (the counter's).
    public init(info: HandOverCardInfo, language: Language, timeZone: TimeZone = .current) {
        let messages = Messages(language: language)
        title = messages.text(.cardTitle)
        organisation = info.counter?.organisation
        ssidLabel = messages.text(.cardWiFiName)
        ssid = info.ssid
        let grouped = info.key.map(Self.grouped)
        groupedKey = grouped
        keyLabel = messages.text(.cardWiFiKey)
            + (grouped != nil && grouped != info.key ? " " + messages.text(.cardKeyWithoutSpaces) : "")
        qrPayload = info.qrPayload ?? info.ssid.flatMap { ssid in info.key.map { WiFiQRPayload.make(ssid: ssid, key: $0) } }
        scanHint = messages.text(.cardScan)
        var lines: [Line] = []
        if let plan = info.plan {
            var value = info.megabytes.map { Units.megabytes($0, language: language) } ?? plan
            if let cents = info.priceCents { value += " — " + Money.cents(cents, language: language) }
            lines.append(Line(label: messages.text(.cardPlan), value: value))
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let day = calendar.dateComponents([.year, .month, .day], from: info.date)
        lines.append(Line(label: messages.text(.cardDate),
                          value: CalendarDay.text(year: day.year ?? 1970, month: day.month ?? 1, day: day.day ?? 1,
                                                  language: language)))
        if let code = info.balanceCode {
            lines.append(Line(label: messages.text(.cardBalance), value: messages.text(.cardBalanceHow, code)))
        }
        lines.append(Line(label: messages.text(.cardWhenCreditRunsOut),
                          value: info.counter?.whenCreditRunsOut ?? messages.text(.cardWhenCreditRunsOutDefault)))
        if let address = info.counter?.address { lines.append(Line(label: messages.text(.cardCounter), value: address)) }
        if let hours = info.counter?.hours { lines.append(Line(label: messages.text(.cardHours), value: hours)) }
        if let phone = info.counter?.phone { lines.append(Line(label: messages.text(.cardPhone), value: phone)) }
        self.lines = lines
        footer = messages.text(.cardKeepSecret)
        colon = messages.text(.colon)
    }

    /// `abcdefgh1234` → `abcd efgh 1234`; a key with `-` or spaces of its own is left as it is.
    public static func grouped(_ key: String) -> String {
        guard !key.contains("-"), !key.contains(" "), key.count > 4 else { return key }
        var text = ""
        for (index, character) in key.enumerated() {
            if index > 0, index % 4 == 0 { text.append(" ") }
            text.append(character)
        }
        return text
    }

    /// The card as plain text (the QR code is drawn by the caller, who knows the terminal).
    public func text() -> String {
        var text = title + "\n"
        if let organisation { text += organisation + "\n" }
        text += "\n"
        if let ssid { text += ssidLabel + "\n    " + ssid + "\n" }
        if let groupedKey { text += keyLabel + "\n    " + groupedKey + "\n" }
        text += "\n"
        for line in lines {
            text += line.label + colon
                + line.value.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n    ") + "\n"
        }
        return text + "\n" + footer + "\n"
    }
}
