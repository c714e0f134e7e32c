import ArgumentParser
import Localization
import StationAPI

/// `hotspotctl orders`: what was ordered for which SIM (pre-orders included), and cancelling an open one.
struct OrdersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orders",
        abstract: HelpLanguage.text(.ordersAbstract),
        subcommands: [OrderListCommand.self, OrderCancelCommand.self],
        defaultSubcommand: OrderListCommand.self)
}

/// `hotspotctl orders [list] [--state S]`.
struct OrderListCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: HelpLanguage.text(.orderListAbstract))

    @OptionGroup var globals: GlobalOptions

    @Option(help: HelpLanguage.argument(.orderListState, valueName: "state"))
    var state: String?

    func execute(in context: CommandContext) async throws(HotspotctlError) {
        let orders = try await context.client.orders(state: state)
        if context.json {
            try context.emitJSON(orders)
        } else {
            context.output.write(Self.render(orders, timestamps: context.timestamps, messages: context.messages))
        }
    }

    /// The human table `ID ICCID PLAN ORIGIN STATE CREDIT UID PLACED`, or a sentence when there are none.
    static func render(_ orders: [OrderInfo], timestamps: LocalTimestamp,
                       messages m: Messages = Messages(language: .english)) -> String {
        guard !orders.isEmpty else { return m.text(.noOrders) + "\n" }
        let titles: [Label] = [.id, .iccid, .plan, .origin, .state, .credit, .uid, .placed]
        let table = TextTable(
            titles.map { TextTable.Column(title: m.text($0)) },
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
        abstract: HelpLanguage.text(.orderCancelAbstract),
        discussion: HelpLanguage.text(.orderCancelDiscussion))

    @OptionGroup var globals: GlobalOptions

    @Argument(help: HelpLanguage.argument(.orderCancelID, valueName: "id"))
    var id: Int64

    func execute(in context: CommandContext) async throws(HotspotctlError) {
        let order = try await context.client.cancelOrder(id)
        if context.json {
            try context.emitJSON(order)
        } else {
            context.output.write(context.messages.text(.orderIs, values: [String(order.id), order.plan, order.iccid, order.state]) + "\n")
        }
    }
}
