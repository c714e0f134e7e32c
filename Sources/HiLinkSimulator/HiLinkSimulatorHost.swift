import ModemSimulator

/// Several simulated HiLink units over one operator network (the same truth as the AT personalities).
public final class HiLinkSimulatorHost: Sendable {
    /// The servers, in the order asked.
    public let servers: [HiLinkServer]

    private init(servers: [HiLinkServer]) {
        self.servers = servers
    }

    /// Starts one server per (personality, host, port).
    public static func start(_ units: [(personality: HiLinkPersonality, host: String, port: Int)], network: OperatorNetwork) async throws -> HiLinkSimulatorHost {
        var servers: [HiLinkServer] = []
        for unit in units {
            let simulated = try HiLinkUnit(personality: unit.personality, network: network)
            servers.append(try await HiLinkServer.start(unit: simulated, host: unit.host, port: unit.port))
        }
        return HiLinkSimulatorHost(servers: servers)
    }

    /// Stops every server.
    public func stop() async {
        for server in servers { await server.stop() }
    }
}
