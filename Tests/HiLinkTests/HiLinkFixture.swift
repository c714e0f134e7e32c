import HiLink
import HiLinkSimulator
import ModemSimulator
import Provisioning

/// A simulated HiLink unit on 127.0.0.1 over a fresh operator with two vouchers, and a driver configuration for it.
struct HiLinkFixture {
    static let voucher = "1234567890123"
    static let otherVoucher = "5550001112223"

    let unit: HiLinkUnit
    let server: HiLinkServer
    let ledger: OperatorLedger

    static func start(_ personality: HiLinkPersonality, replyDelayMs: Int = 200) async throws -> HiLinkFixture {
        var profile = OperatorProfile()
        profile.vouchers = [voucher: 1024, otherVoucher: 500]
        profile.replyDelayMs = replyDelayMs
        profile.startingBalanceMB = 10
        let ledger = try OperatorLedger(profile: profile, path: nil)
        let unit = try HiLinkUnit(personality: personality, network: OperatorNetwork(profile: profile, ledger: ledger))
        let server = try await HiLinkServer.start(unit: unit)
        return HiLinkFixture(unit: unit, server: server, ledger: ledger)
    }

    func configuration(password: String? = nil, requestTimeout: Duration = .seconds(5), maxLoginAttempts: Int = 3,
                       clock: any Clock<Duration> = ContinuousClock()) -> HiLinkConfiguration {
        HiLinkConfiguration(endpoint: HiLinkEndpoint(host: "127.0.0.1", port: server.port),
                            password: password ?? unit.personality.password, maxLoginAttempts: maxLoginAttempts,
                            requestTimeout: requestTimeout, ussdPollInterval: .milliseconds(100), clock: clock)
    }

    func driver(password: String? = nil, requestTimeout: Duration = .seconds(5), maxLoginAttempts: Int = 3,
                clock: any Clock<Duration> = ContinuousClock()) async throws -> HiLinkDriver {
        try await HiLinkDriver.open(configuration(password: password, requestTimeout: requestTimeout, maxLoginAttempts: maxLoginAttempts,
                                                  clock: clock))
    }

    func stop() async {
        await server.stop()
    }
}

/// Runs `body` and returns the `DriverFailure` it threw (nil when it did not throw one).
func failure<T>(_ body: () async throws -> T) async -> DriverFailure? {
    do {
        _ = try await body()
        return nil
    } catch let failure as DriverFailure {
        return failure
    } catch {
        return DriverFailure(code: "unexpected", message: "\(error)")
    }
}
