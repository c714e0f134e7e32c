import ArgumentParser
import Foundation
import StationAPI

/// `hotspotctl report [--day D] [--by-uid] [--hand-overs] [--csv]`: the end of the day at the counter.
struct ReportCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "The day's figures: per plan sold, total in euros, rejected, unknown, manual, vouchers left; the hand-overs.",
        discussion: """
            'sold', 'rejected' and 'manual' count vouchers that reached that state during the day; 'unknown' counts the \
            vouchers held for settlement now (whenever they were sent); 'left' is the stock now. Hand-overs are the \
            provisionings that succeeded during the day, with the uid of the technician who asked (none: the station's \
            policy). --csv prints one table for a spreadsheet: the plans, or the hand-overs with --hand-overs, or the \
            count per technician with --by-uid.
            """)

    @OptionGroup var globals: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("The day: today (default), yesterday or YYYY-MM-DD.", valueName: "day"))
    var day: String = "today"

    @Flag(name: .long, help: "Count the hand-overs per technician uid.")
    var byUID = false

    @Flag(name: .long, help: "With --csv: the hand-overs instead of the plans.")
    var handOvers = false

    @Flag(name: .long, help: "Print CSV (comma-separated, header line) instead of tables.")
    var csv = false

    func validate() throws {
        if DayArgument.day(day) == nil { throw ValidationError("--day takes today, yesterday or YYYY-MM-DD, not '\(day)'.") }
        if csv && globals.json { throw ValidationError("--csv and --json: choose one.") }
        if handOvers && byUID { throw ValidationError("--hand-overs and --by-uid: choose one.") }
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
            context.output.write(Self.render(report, title: day, byUID: byUID, timestamps: context.timestamps))
        }
    }

    /// `12,50 €` (French notation) for cents.
    static func euros(_ cents: Int?) -> String {
        guard let cents else { return "-" }
        let sign = cents < 0 ? "-" : ""
        let magnitude = abs(cents)
        let fraction = String(magnitude % 100)
        return "\(sign)\(magnitude / 100),\(fraction.count == 1 ? "0" + fraction : fraction) €"
    }

    /// `12.50` for CSV.
    static func decimalEuros(_ cents: Int?) -> String {
        guard let cents else { return "" }
        let fraction = String(abs(cents) % 100)
        return "\(cents < 0 ? "-" : "")\(abs(cents) / 100).\(fraction.count == 1 ? "0" + fraction : fraction)"
    }

    /// The report for people: the plans with a total line, then the hand-overs (or their count per uid).
    static func render(_ report: DayReportInfo, title: String, byUID: Bool, timestamps: LocalTimestamp) -> String {
        var text = "Report for \(timestamps.dateTime(report.from).prefix(10)) (\(title))\n\n"
        let total = report.plans.reduce(into: (sold: 0, cents: 0, priced: true, rejected: 0, unknown: 0, manual: 0, left: 0)) {
            $0.sold += $1.sold
            if let cents = $1.totalCents { $0.cents += cents } else if $1.sold > 0 { $0.priced = false }
            $0.rejected += $1.rejected
            $0.unknown += $1.unknown
            $0.manual += $1.manual
            $0.left += $1.vouchersLeft
        }
        var rows = report.plans.map { line in
            [line.plan, String(line.sold), euros(line.totalCents), String(line.rejected), String(line.unknown),
             String(line.manual), String(line.vouchersLeft)]
        }
        rows.append(["total", String(total.sold), total.priced ? euros(total.cents) : euros(total.cents) + " + ?",
                     String(total.rejected), String(total.unknown), String(total.manual), String(total.left)])
        text += TextTable([TextTable.Column(title: "PLAN"), TextTable.Column(title: "SOLD", alignment: .right),
                           TextTable.Column(title: "TOTAL", alignment: .right),
                           TextTable.Column(title: "REJECTED", alignment: .right),
                           TextTable.Column(title: "UNKNOWN", alignment: .right),
                           TextTable.Column(title: "MANUAL", alignment: .right),
                           TextTable.Column(title: "LEFT", alignment: .right)], rows: rows).render()
        if report.failedRuns > 0 { text += "\n\(report.failedRuns) run(s) failed during the day (hotspotctl ledger --since \(title)).\n" }
        if total.unknown > 0 { text += "\(total.unknown) voucher(s) wait for settlement: hotspotctl vouchers unknown.\n" }
        text += "\n"
        guard !report.handOvers.isEmpty else { return text + "No hand-overs.\n" }
        if byUID {
            text += TextTable([TextTable.Column(title: "TECHNICIAN"), TextTable.Column(title: "HAND-OVERS", alignment: .right),
                               TextTable.Column(title: "PLANS")], rows: perUID(report).map { row in
                [row.uid.map { "uid \($0)" } ?? "policy", String(row.count),
                 row.plans.map { "\($0.key) × \($0.value)" }.joined(separator: ", ")]
            }).render()
        } else {
            text += TextTable([TextTable.Column(title: "TIME"), TextTable.Column(title: "ICCID"), TextTable.Column(title: "PLAN"),
                               TextTable.Column(title: "UID", alignment: .right)], rows: report.handOvers.map { row in
                [timestamps.time(row.at), row.iccid ?? "-", row.plan ?? "-", row.technicianUID.map(String.init) ?? "policy"]
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
