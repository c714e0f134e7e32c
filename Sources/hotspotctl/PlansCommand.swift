import ArgumentParser
import StationAPI

/// `hotspotctl plans`: the data plans sold at the counter and how many vouchers each has left.
struct PlansCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "plans",
        abstract: "List the data plans and the vouchers available for each.")

    @OptionGroup var globals: GlobalOptions

    func execute(in context: CommandContext) async throws(HotspotctlError) {
        let plans = try await context.client.plans()
        if context.json {
            try context.emitJSON(plans)
        } else {
            context.output.write(Self.render(plans))
        }
    }

    /// The human table: `PLAN MB PRICE DEFAULT AVAILABLE`, or a sentence when empty.
    static func render(_ plans: [PlanInfo]) -> String {
        guard !plans.isEmpty else { return "No plans configured.\n" }
        let table = TextTable(
            [TextTable.Column(title: "PLAN"), TextTable.Column(title: "MB", alignment: .right),
             TextTable.Column(title: "PRICE", alignment: .right), TextTable.Column(title: "DEFAULT"),
             TextTable.Column(title: "AVAILABLE", alignment: .right)],
            rows: plans.map { plan in
                [plan.name, String(plan.megabytes), plan.priceCents.map(price) ?? "-", plan.isDefault ? "yes" : "",
                 String(plan.vouchersAvailable)]
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
