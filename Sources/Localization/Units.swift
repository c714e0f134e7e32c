/// Data volumes as people write them: `500 Mo`, `1,5 Go` in French; `500 MB`, `1.5 GB` in English.
///
/// Plans and balances are counted in megabytes; from 1024 MB on a volume is shown in gigabytes (1 GB = 1024 MB, the
/// operators' own reckoning), with at most one decimal, dropped when it is zero (`2 Go`, not `2,0 Go`).
public enum Units {
    /// A volume given in megabytes.
    public static func megabytes(_ megabytes: Int, language: Language) -> String {
        let sign = megabytes < 0 ? "-" : ""
        let magnitude = megabytes.magnitude
        guard magnitude >= 1024 else {
            return sign + Digits.grouped(magnitude, language: language) + " " + language.pick(fr: "Mo", en: "MB")
        }
        // Tenths of a gigabyte, rounded half up.
        let tenths = (magnitude * 10 + 512) / 1024
        var text = Digits.grouped(tenths / 10, language: language)
        if tenths % 10 != 0 { text += language.pick(fr: ",", en: ".") + String(tenths % 10) }
        return sign + text + " " + language.pick(fr: "Go", en: "GB")
    }
}

/// Sums of money in euros, from cents: `1,00 €` and `1 234,50 €` in French; `€1.00` and `€1,234.50` in English.
public enum Money {
    /// An amount in euro cents.
    public static func cents(_ cents: Int, language: Language) -> String {
        let sign = cents < 0 ? "-" : ""
        let magnitude = cents.magnitude
        let fraction = magnitude % 100
        let units = Digits.grouped(magnitude / 100, language: language)
        let decimals = (fraction < 10 ? "0" : "") + String(fraction)
        switch language {
        case .french: return sign + units + "," + decimals + " €"
        case .english: return sign + "€" + units + "." + decimals
        }
    }
}

/// Calendar days as people write them: `6 décembre 2026`, `6 December 2026` (`1er` for the first in French).
public enum CalendarDay {
    /// The day, or the numbers as `YYYY-MM-DD` when the month is not 1–12.
    public static func text(year: Int, month: Int, day: Int, language: Language) -> String {
        let french = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
                      "novembre", "décembre"]
        let english = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                       "November", "December"]
        guard (1...12).contains(month) else {
            return "\(year)-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)"
        }
        switch language {
        case .french: return (day == 1 ? "1er" : String(day)) + " " + french[month - 1] + " " + String(year)
        case .english: return String(day) + " " + english[month - 1] + " " + String(year)
        }
    }
}

/// Whole numbers with thousands grouped: `12 345` (French, with a no-break space) or `12,345` (English).
enum Digits {
    static func grouped(_ value: UInt, language: Language) -> String {
        let digits = Array(String(value))
        let separator: Character = language == .french ? "\u{00A0}" : ","
        var text = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { text.append(separator) }
            text.append(digit)
        }
        return text
    }
}
