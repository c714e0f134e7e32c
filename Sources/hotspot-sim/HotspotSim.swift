import ArgumentParser

/// `hotspot-sim`: fake modems and hotspots on pseudo-terminals for tests, demos and benchmarks.
@main
struct HotspotSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hotspot-sim",
        abstract: "Fake Huawei hotspots and modem sticks on pseudo-terminals, over a fake operator.",
        discussion: """
        Each --device gets its own pseudo-terminal; the simulator prints one '<label>\\t<tty>' line \
        per device on standard output and answers AT commands on it as its personality file says. \
        A shared operator (--operator) answers USSD recharges and balance queries and keeps the \
        truth (balances, voucher redemptions) in --state. See docs/simulator.md for the file formats.
        """,
        subcommands: [RunCommand.self, StateCommand.self, HiLinkCommand.self],
        defaultSubcommand: RunCommand.self
    )
}
