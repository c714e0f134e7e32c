import ArgumentParser
import Localization
import StationAPI

/// `hotspotctl plans`: the data plans sold at the counter and how many vouchers each has left.
struct PlansCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "plans",
        abstract: HelpLanguage.text(.plansAbstract))

    @OptionGroup var globals: GlobalOptions

    func execute(in context: CommandContext) async throws(HotspotctlError) {
        let plans = try await context.client.plans()
        if context.json {
            try context.emitJSON(plans)
        } else {
            context.output.write(Self.render(plans, messages: context.messages))
        }
    }

    /// The human table: `PLAN MB PRICE DEFAULT AVAILABLE`, or a sentence when empty.
    ///
    /// English keeps bare figures (`500`, `1.00`) under `MB` and `PRICE`; French writes them as people do (`500 Mo`,
    /// `1,00 €`).
    static func render(_ plans: [PlanInfo], messages m: Messages = Messages(language: .english)) -> String {
        guard !plans.isEmpty else { return m.text(.noPlans) + "\n" }
        let english = m.language == .english
        let table = TextTable(
            [TextTable.Column(title: m.text(.plan)), TextTable.Column(title: m.text(.megabytes), alignment: .right),
             TextTable.Column(title: m.text(.price), alignment: .right), TextTable.Column(title: m.text(.isDefault)),
             TextTable.Column(title: m.text(.available), alignment: .right)],
            rows: plans.map { plan in
                [plan.name, english ? String(plan.megabytes) : Units.megabytes(plan.megabytes, language: m.language),
                 plan.priceCents.map { english ? price($0) : Money.cents($0, language: m.language) } ?? "-",
                 plan.isDefault ? m.text(.yes) : "", String(plan.vouchersAvailable)]
            })
        return table.render()
    }

    /// Cents as `5.00` (the currency is the station's; the API does not carry it).
    static func price(_ cents: Int) -> String {
        let sign = cents < 0 ? "-" : ""
        let magnitude = abs(cents)
        let fraction = magnitude % 100
        return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
