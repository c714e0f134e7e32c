import ArgumentParser
import StationAPI

/// `hotspotctl orders`: what was ordered for which SIM (pre-orders included), and cancelling an open one.
struct OrdersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orders",
        abstract: "List orders, or cancel an open one.",
        subcommands: [OrderListCommand.self, OrderCancelCommand.self],
        defaultSubcommand: OrderListCommand.self)
}

/// `hotspotctl orders [list] [--state S]`.
struct OrderListCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List orders, newest first.")

    @OptionGroup var globals: GlobalOptions

    @Option(help: ArgumentHelp("Only orders in this state: open, fulfilled, cancelled.", valueName: "state"))
    var state: String?

    func execute(in context: CommandContext) async throws(HotspotctlError) {
        let orders = try await context.client.orders(state: state)
        if context.json {
            try context.emitJSON(orders)
        } else {
            context.output.write(Self.render(orders, timestamps: context.timestamps))
        }
    }

    /// The human table `ID ICCID PLAN ORIGIN STATE CREDIT UID PLACED`, or a sentence when there are none.
    static func render(_ orders: [OrderInfo], timestamps: LocalTimestamp) -> String {
        guard !orders.isEmpty else { return "No orders.\n" }
        let table = TextTable(
            ["ID", "ICCID", "PLAN", "ORIGIN", "STATE", "CREDIT", "UID", "PLACED"].map { TextTable.Column(title: $0) },
            rows: orders.map { order in
                [String(order.id), order.iccid, order.plan, order.origin, order.state, order.credit,
                 order.actorUID.map(String.init) ?? "-", timestamps.dateTime(order.createdAt)]
            })
        return table.render()
    }
}

/// `hotspotctl orders cancel ID`.
struct OrderCancelCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel an open order whose credit was never applied (your uid is recorded).",
        discussion: """
            Refused when a voucher is reserved, being sent, of unknown outcome or applied for the order: settle \\
            that voucher first ('hotspotctl vouchers unknown').
            """)

    @OptionGroup var globals: GlobalOptions

    @Argument(help: ArgumentHelp("The order's id (see 'hotspotctl orders').", valueName: "id"))
    var id: Int64

    func execute(in context: CommandContext) async throws(HotspotctlError) {
        let order = try await context.client.cancelOrder(id)
        if context.json {
            try context.emitJSON(order)
        } else {
            context.output.write("Order \(order.id) (plan \(order.plan), SIM \(order.iccid)) is \(order.state).\n")
        }
    }
}
