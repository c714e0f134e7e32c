import Foundation
import ModemSimulator
import PCSCReader
import SIMCard
import Testing

/// The PC/SC path end to end: pcscd with vsmartcard's virtual reader, the simulator's SIM as the card, the
/// station's monitor and card reads. Skipped (with the reason printed) where pcscd or vpcd is not installed.
@Suite(.serialized, .enabled(if: PCSCDaemonHarness.available, "pcscd and vsmartcard-vpcd are needed (scripts/install-deps.sh)"))
final class PCSCIntegrationTests {
    let daemon = PCSCDaemonHarness()

    init() throws {
        try daemon.start()
    }

    deinit {
        daemon.stop()
    }

    static let reader = PCSCDaemonHarness.firstReader
    static let uicc = SIMCardPersonality(family: .uicc, iccid: "8944101234567890128", imsi: "234150123456789")
    static let gsmWithPIN = SIMCardPersonality(family: .gsm, iccid: "8931440400001234567", imsi: "20404123456789", pin: "4321")

    private static func inserted(_ event: PCSCEvent) -> Bool {
        if case .cardInserted(let reader, _) = event { return reader == Self.reader }
        return false
    }

    private static func removed(_ event: PCSCEvent) -> Bool {
        if case .cardRemoved(let reader) = event { return reader == Self.reader }
        return false
    }

    @Test func cardIsListedWithinFiveSecondsAndSwapAndRemovalFollow() async throws {
        let monitor = PCSCMonitor()
        let events = EventWaiter(monitor.events())
        defer { monitor.stop() }
        let added = await events.next(within: .seconds(5)) { $0 == .readerAdded(Self.reader) }
        #expect(added != nil, "vpcd's reader should be listed")

        // Insert: the ICCID is read within 5 s of the card going in.
        let first = VirtualCardSlot(personality: Self.uicc, port: PCSCDaemonHarness.vpcdPort)
        let start = ContinuousClock.now
        try first.insert()
        let insertion = await events.next(within: .seconds(5), Self.inserted)
        guard case .cardInserted(_, let atr)? = insertion else {
            Issue.record("no card-inserted event within 5 s; saw \(await events.all)")
            return
        }
        #expect(atr == SIMCardPersonality.uiccATR)
        let reading = try await PCSCCardAccess().read(reader: Self.reader).get()
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(reading.family == .uicc)
        #expect(reading.iccid.digits == "8944101234567890128")
        #expect(reading.imsi?.digits == "234150123456789")
        #expect(reading.pin.state == .ready)

        // Swap for a GSM card with a PIN: removed, then inserted, then read as the new card.
        await first.remove()
        let second = VirtualCardSlot(personality: Self.gsmWithPIN, port: PCSCDaemonHarness.vpcdPort)
        try second.insert()
        #expect(await events.next(within: .seconds(5), Self.removed) != nil, "the swap shows the first card removed")
        #expect(await events.next(within: .seconds(5), Self.inserted) != nil, "and the second inserted")
        let swapped = try await PCSCCardAccess().read(reader: Self.reader).get()
        #expect(swapped.family == .gsm)
        #expect(swapped.iccid.digits == "8931440400001234567")
        #expect(!swapped.iccid.luhnValid)
        #expect(swapped.imsi == nil)
        #expect(swapped.imsiUnreadable == SIMCardReading.imsiNeedsPIN)
        #expect(swapped.pin == SIMPINStatus(state: .simPIN, triesLeft: 3))
        #expect(second.pinPresentations == 0, "reading never presents a PIN")

        // One wrong PIN, given by a person: one try spent, nothing retried.
        let wrong = try await PCSCCardAccess().attemptPIN("1111", reader: Self.reader).get()
        #expect(!wrong.accepted)
        #expect(wrong.triesBefore == 3)
        #expect(wrong.after.triesLeft == 2)
        #expect(second.pinPresentations == 1)
        let right = try await PCSCCardAccess().attemptPIN("4321", reader: Self.reader).get()
        #expect(right.accepted)
        let unlocked = try await PCSCCardAccess().read(reader: Self.reader).get()
        #expect(unlocked.imsi?.digits == "20404123456789")

        // Removal.
        await second.remove()
        #expect(await events.next(within: .seconds(5), Self.removed) != nil)
        let empty = await PCSCCardAccess().read(reader: Self.reader)
        #expect(throws: SIMCardError.self) { try empty.get() }
    }

    @Test func pcscdStoppingAndComingBackIsFollowed() async throws {
        guard daemon.startedHere else {
            FileHandle.standardError.write(Data("pcscdStoppingAndComingBackIsFollowed: not run, pcscd is not this test's own\n".utf8))
            return
        }
        let monitor = PCSCMonitor(serviceRetry: .milliseconds(200))
        let events = EventWaiter(monitor.events())
        defer { monitor.stop() }
        #expect(await events.next(within: .seconds(5)) { $0 == .readerAdded(Self.reader) } != nil)
        let slot = VirtualCardSlot(personality: Self.uicc, port: PCSCDaemonHarness.vpcdPort)
        try slot.insert()
        #expect(await events.next(within: .seconds(5), Self.inserted) != nil)
        // pcscd stops: what the monitor knew is reported gone, card first, and the service unavailable.
        daemon.stop()
        #expect(await events.next(within: .seconds(5), Self.removed) != nil)
        #expect(await events.next(within: .seconds(5)) { $0 == .readerRemoved(Self.reader) } != nil)
        #expect(await events.next(within: .seconds(5)) { if case .serviceUnavailable = $0 { true } else { false } } != nil)
        await slot.remove()
        // It comes back: the readers are found again without restarting the monitor.
        try daemon.start()
        #expect(await events.next(within: .seconds(10)) { $0 == .readerAdded(Self.reader) } != nil)
    }

    @Test func cardPulledMidReadEndsThatReadCleanly() async throws {
        let monitor = PCSCMonitor()
        let events = EventWaiter(monitor.events())
        defer { monitor.stop() }
        // The card answers three commands, then leaves the reader in the middle of the read.
        let slot = VirtualCardSlot(personality: Self.uicc, port: PCSCDaemonHarness.vpcdPort, dropAfterCommands: 3)
        try slot.insert()
        #expect(await events.next(within: .seconds(5), Self.inserted) != nil)
        let started = ContinuousClock.now
        let result = await PCSCCardAccess().read(reader: Self.reader)
        #expect(ContinuousClock.now - started < .seconds(10), "the read ends, it does not hang")
        switch result {
        case .success(let reading):
            Issue.record("a card pulled mid-read gave a reading: \(reading.iccid.redacted)")
        case .failure(let error):
            #expect(error == .cardRemoved, "failed as \(error)")
        }
        #expect(await events.next(within: .seconds(5), Self.removed) != nil, "the removal is reported")
        await slot.remove()
    }
}
