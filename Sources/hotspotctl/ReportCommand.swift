import ArgumentParser
import Foundation
import Localization
import StationAPI

/// `hotspotctl report [--day D] [--by-uid] [--hand-overs] [--csv]`: the end of the day at the counter.
struct ReportCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: HelpLanguage.text(.reportAbstract),
        discussion: HelpLanguage.text(.reportDiscussion))

    @OptionGroup var globals: GlobalOptions

    @Option(name: .long, help: HelpLanguage.argument(.reportDay, valueName: "day"))
    var day: String = "today"

    @Flag(name: .long, help: HelpLanguage.argument(.reportByUID))
    var byUID = false

    @Flag(name: .long, help: HelpLanguage.argument(.reportHandOvers))
    var handOvers = false

    @Flag(name: .long, help: HelpLanguage.argument(.reportCSV))
    var csv = false

    func validate() throws {
        if DayArgument.day(day) == nil { throw ValidationError(HelpLanguage.usage(.dayValue, values: [day])) }
        if csv && globals.json { throw ValidationError(HelpLanguage.usage(.csvOrJSON)) }
        if handOvers && byUID { throw ValidationError(HelpLanguage.usage(.handOversOrByUID)) }
    }

    func execute(in context: CommandContext) async throws(HotspotctlError) {
        guard let range = DayArgument.day(day, timeZone: context.timestamps.timeZone) else {
            throw .localInput("--day \(day) names no day")
        }
        let report = try await context.client.report(from: range.start, to: range.end)
        if context.json {
            try context.emitJSON(report)
        } else if csv {
            context.output.write(byUID ? Self.csvByUID(report) : handOvers ? Self.csvHandOvers(report, timestamps: context.timestamps)
                                 : Self.csvPlans(report))
        } else {
            context.output.write(Self.render(report, title: day, byUID: byUID, timestamps: context.timestamps, messages: context.messages))
        }
    }

    /// `12,50 €` in French, `€12.50` in English, for cents; `-` when the plan has no price.
    static func euros(_ cents: Int?, language: Language = .french) -> String {
        guard let cents else { return "-" }
        return Money.cents(cents, language: language)
    }

    /// `12.50` for CSV.
    static func decimalEuros(_ cents: Int?) -> String {
        guard let cents else { return "" }
        let fraction = String(abs(cents) % 100)
        return "\(cents < 0 ? "-" : "")\(abs(cents) / 100).\(fraction.count == 1 ? "0" + fraction : fraction)"
    }

    /// The report for people: the plans with a total line, then the hand-overs (or their count per uid).
    static func render(_ report: DayReportInfo, title: String, byUID: Bool, timestamps: LocalTimestamp,
                       messages m: Messages = Messages(language: .english)) -> String {
        let language = m.language
        var text = m.text(.reportTitle, values: [String(timestamps.dateTime(report.from).prefix(10)), title]) + "\n\n"
        let total = report.plans.reduce(into: (sold: 0, cents: 0, priced: true, rejected: 0, unknown: 0, manual: 0, left: 0)) {
            $0.sold += $1.sold
            if let cents = $1.totalCents { $0.cents += cents } else if $1.sold > 0 { $0.priced = false }
            $0.rejected += $1.rejected
            $0.unknown += $1.unknown
            $0.manual += $1.manual
            $0.left += $1.vouchersLeft
        }
        var rows = report.plans.map { line in
            [line.plan, String(line.sold), euros(line.totalCents, language: language), String(line.rejected), String(line.unknown),
             String(line.manual), String(line.vouchersLeft)]
        }
        rows.append([m.text(.totalRow), String(total.sold),
                     euros(total.cents, language: language) + (total.priced ? "" : " + ?"),
                     String(total.rejected), String(total.unknown), String(total.manual), String(total.left)])
        let figures: [Label] = [.sold, .total, .rejected, .unknown, .manual, .left]
        text += TextTable([TextTable.Column(title: m.text(.plan))] + figures.map { TextTable.Column(title: m.text($0), alignment: .right) },
                          rows: rows).render()
        if report.failedRuns > 0 { text += "\n" + m.text(.reportFailedRuns, values: [String(report.failedRuns), title]) + "\n" }
        if total.unknown > 0 { text += m.text(.reportUnknownWaiting, values: [String(total.unknown)]) + "\n" }
        text += "\n"
        guard !report.handOvers.isEmpty else { return text + m.text(.noHandOvers) + "\n" }
        if byUID {
            text += TextTable([TextTable.Column(title: m.text(.technician)), TextTable.Column(title: m.text(.handOvers), alignment: .right),
                               TextTable.Column(title: m.text(.plans))], rows: perUID(report).map { row in
                [row.uid.map { "uid \($0)" } ?? m.text(.policy), String(row.count),
                 row.plans.map { "\($0.key) × \($0.value)" }.joined(separator: ", ")]
            }).render()
        } else {
            text += TextTable([TextTable.Column(title: m.text(.time)), TextTable.Column(title: m.text(.iccid)),
                               TextTable.Column(title: m.text(.plan)), TextTable.Column(title: m.text(.uid), alignment: .right)],
                              rows: report.handOvers.map { row in
                [timestamps.time(row.at), row.iccid ?? "-", row.plan ?? "-", row.technicianUID.map(String.init) ?? m.text(.policy)]
            }).render()
        }
        return text
    }

    /// Hand-overs counted per technician uid (nil: the station's policy), by uid, with the plans each sold.
    static func perUID(_ report: DayReportInfo) -> [(uid: Int?, count: Int, plans: [(key: String, value: Int)])] {
        var groups: [Int?: [String: Int]] = [:]
        for row in report.handOvers { groups[row.technicianUID, default: [:]][row.plan ?? "-", default: 0] += 1 }
        return groups.map { uid, plans in
            (uid, plans.values.reduce(0, +), plans.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) })
        }.sorted { ($0.uid ?? -1) < ($1.uid ?? -1) }
    }

    static func csvPlans(_ report: DayReportInfo) -> String {
        var text = "plan,sold,total_eur,rejected,unknown,manual,vouchers_left\r\n"
        for line in report.plans {
            text += [CSVField.escape(line.plan), String(line.sold), decimalEuros(line.totalCents), String(line.rejected),
                     String(line.unknown), String(line.manual), String(line.vouchersLeft)].joined(separator: ",") + "\r\n"
        }
        return text
    }

    static func csvHandOvers(_ report: DayReportInfo, timestamps: LocalTimestamp) -> String {
        var text = "time,provisioning,iccid,plan,technician_uid\r\n"
        for row in report.handOvers {
            text += [timestamps.dateTime(row.at), String(row.provisioningID), CSVField.escape(row.iccid ?? ""),
                     CSVField.escape(row.plan ?? ""), row.technicianUID.map(String.init) ?? ""].joined(separator: ",") + "\r\n"
        }
        return text
    }

    static func csvByUID(_ report: DayReportInfo) -> String {
        var text = "technician_uid,plan,hand_overs\r\n"
        for group in perUID(report) {
            for plan in group.plans {
                text += [group.uid.map(String.init) ?? "", CSVField.escape(plan.key), String(plan.value)].joined(separator: ",") + "\r\n"
            }
        }
        return text
    }
}

/// RFC 4180 fields: quoted when they hold a comma, a quote or a line break; a leading `=`, `+`, `-` or `@` is
/// prefixed with `'` so a spreadsheet does not run it as a formula.
enum CSVField {
    static func escape(_ text: String) -> String {
        var value = TerminalText.sanitize(text)
        if let first = value.first, "=+-@".contains(first) { value = "'" + value }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
