import Foundation
import Ledger
import Logging
import Provisioning
import SIMCard
@testable import Station
import StationAPI
import Synchronization
import Testing

/// Stands in for the station a session belongs to: records what the session tells it.
private actor RecordingHost: DeviceSessionHost {
    private(set) var identified: [(session: String, iccid: String?)] = []
    private(set) var takeOversAsked: [String] = []

    func identificationEnded(sessionID: String, identity: DeviceIdentity?) {
        identified.append((sessionID, identity?.iccid?.digits))
    }

    func takeOverGoneSession(newID: String, identity: DeviceIdentity) -> DeviceSession.Replug? {
        takeOversAsked.append(newID)
        return nil
    }
}

/// A session is built from one dependencies value and runs without a `Station`: it publishes on the hub it was given,
/// records in the ledger it was given, reads the configuration it was given, and goes back to its host for exactly
/// two things (an identification ended, a re-plug to take over).
@Suite struct DeviceSessionDependenciesTests {
    @Test func aSessionRunsOnItsDependenciesAloneAndTellsItsHostEachIdentification() async throws {
        let rig = try SettlementRig(startingBalanceMB: 100, defaultPlan: nil)
        let reading = SIMReaderStationTests.reading(imsi: SettlementRig.imsi, pin: SIMPINStatus(state: .ready, triesLeft: 3))
        let driver = SIMReaderDriver(reader: "reader", access: FakeCardAccess(.success(reading)))
        let host = RecordingHost()
        let events = EventHub()
        let stream = await events.subscribe()
        let closed = Mutex(false)
        let dependencies = DeviceSessionDependencies(
            driver: driver, closeDevice: { closed.withLock { $0 = true } }, ledger: rig.ledger, config: LiveConfig(rig.config),
            keys: WiFiKeyGenerator(), rememberedPINs: RememberedPINs(), events: events, logger: Logger(label: "session-test"),
            followsReplug: true, host: host)
        let session = DeviceSession(id: "d9", port: "pcsc:reader", dependencies: dependencies)

        await session.begin(intent: OrderIntent(origin: .policy, plan: nil, defaultPlan: nil), actor: nil)
        await session.waitUntilIdle()

        // No default plan configured: the SIM, never served, waits for a technician; nothing was bought.
        let status = await session.snapshot()
        #expect(status.state == .awaitingPlan, "\(status.failure?.message ?? "")")
        #expect(status.iccid == SettlementRig.iccid)
        let identified = await host.identified
        #expect(identified.count == 1)
        #expect(identified.first?.session == "d9" && identified.first?.iccid == SettlementRig.iccid)
        #expect(await host.takeOversAsked == ["d9"])
        #expect(try rig.ledger.vouchers(state: .reserved).isEmpty && rig.ledger.vouchers(state: .sending).isEmpty)
        // The ledger it was given holds the SIM it identified.
        #expect(try rig.ledger.simService(iccid: SettlementRig.iccid).lastFulfilled == nil)

        // The hub it was given saw it attach first, then its states.
        var kinds: [String] = []
        for await event in stream {
            kinds.append(event.kind)
            if event.state == .awaitingPlan { break }
        }
        #expect(kinds.first == "attached")

        // Gone: the device's connection is closed through the closure it was given.
        await session.markGone(reason: "test")
        #expect(closed.withLock { $0 })
        #expect(await session.snapshot().state == .gone)
    }

    @Test func aSessionWithoutReplugNeverAsksToTakeOverAndOutlivesItsHost() async throws {
        let rig = try SettlementRig(startingBalanceMB: 100, defaultPlan: nil)
        let reading = SIMReaderStationTests.reading(imsi: SettlementRig.imsi, pin: SIMPINStatus(state: .ready, triesLeft: 3))
        var host: RecordingHost? = RecordingHost()
        let dependencies = DeviceSessionDependencies(
            driver: SIMReaderDriver(reader: "reader", access: FakeCardAccess(.success(reading))), closeDevice: {},
            ledger: rig.ledger, config: LiveConfig(rig.config), keys: WiFiKeyGenerator(), rememberedPINs: RememberedPINs(),
            events: EventHub(), logger: Logger(label: "session-test"), followsReplug: false, host: host)
        let session = DeviceSession(id: "d1", port: "pcsc:reader", dependencies: dependencies)
        await session.begin(intent: OrderIntent(origin: .policy, plan: nil, defaultPlan: nil), actor: nil)
        await session.waitUntilIdle()
        #expect(await host?.takeOversAsked == [])
        // The session holds its host weakly: a stopped station is not kept alive, and the session still answers.
        host = nil
        #expect(await session.snapshot().state == .awaitingPlan)
    }
}
