import ATProtocol
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Ledger
import Logging
import PCSCReader
import SIMCard
import StationAPI

extension Station {
    /// Applies one reader or card event to the `sim-reader` rows: a card inserted is read (on a thread of its own,
    /// without waiting here) and, once read while it is still in the reader, registered in the ledger
    /// (`sim.registered`). Returns the read's task for a card insertion (tests wait on it), else nil.
    @discardableResult
    public nonisolated func handleReaderEvent(_ event: PCSCEvent) async -> Task<Void, Never>? {
        let board = simReaders
        switch event {
        case .readerAdded(let reader):
            let id = await board.readerAdded(reader)
            logger.info("card reader added", metadata: ["device.id": "\(id)", "reader": "\(reader)"])
            await publishReaderRow(reader, kind: "attached")
        case .readerRemoved(let reader):
            if let id = await board.readerRemoved(reader) {
                logger.info("card reader removed", metadata: ["device.id": "\(id)", "reader": "\(reader)"])
                await events.publish(StationEvent(kind: "gone", deviceID: id, state: .gone, message: "reader removed", at: Date()))
            }
        case .cardInserted(let reader, _):
            let (_, generation) = await board.cardInserted(reader)
            await publishReaderRow(reader, kind: "state")
            return Task { await self.readCard(in: reader, generation: generation, actor: nil) }
        case .cardRemoved(let reader):
            if await board.cardRemoved(reader) != nil { await publishReaderRow(reader, kind: "state") }
        case .serviceUnavailable(let why):
            logger.warning("pcscd unavailable: SIM readers are not watched", metadata: ["error": "\(why)"])
        }
        return nil
    }

    /// Reads the card in `reader` and, when it is still the card of `generation`, shows and registers it.
    nonisolated func readCard(in reader: String, generation: Int, actor: Int?) async {
        let board = simReaders
        let result = await board.access.read(reader: reader)
        guard await board.readFinished(reader, generation: generation, result: result) else {
            logger.info("a SIM read ended after its card left the reader", metadata: ["reader": "\(reader)"])
            return
        }
        await publishReaderRow(reader, kind: "state")
        switch result {
        case .success(let reading):
            let registration = SIMRegistration(iccid: reading.iccid.digits, luhnValid: reading.iccid.luhnValid,
                                               imsi: reading.imsi?.digits, reader: reader, cardType: reading.family.rawValue)
            do {
                _ = try await ledgerForRecording.writing { ledger in try ledger.registerSIM(registration, actor: actor) }
                logger.info("SIM registered", metadata: ["reader": "\(reader)", "sim.iccid": "\(reading.iccid.redacted)",
                                                         "sim.type": "\(reading.family.rawValue)"])
            } catch {
                logger.error("SIM read but not registered", metadata: ["reader": "\(reader)", "error": "\(error)"])
            }
        case .failure(let error):
            logger.notice("SIM not read", metadata: ["reader": "\(reader)", "error.code": "\(error.code)",
                                                     "error.message": "\(error.message)"])
        }
    }

    private nonisolated func publishReaderRow(_ reader: String, kind: String) async {
        guard let status = await simReaders.status(of: reader) else { return }
        await events.publish(StationEvent(kind: kind, deviceID: status.id, state: status.state, step: status.step,
                                          message: status.failure?.message, at: Date()))
    }

    /// The `sim-reader` rows, redacted like every device row.
    nonisolated func simReaderStatuses(reveal: Bool, identifiers: Bool) async -> [DeviceStatus] {
        await simReaders.statuses().map { Self.redact($0, reveal: reveal, identifiers: identifiers) }
    }

    /// Records an order for the SIM in a reader (a pre-order): no voucher is reserved and no money moves now. When
    /// the SIM later appears in a hotspot or modem, the plug-in policy resumes this open order (one per SIM).
    /// Returns nil when `reference` names no SIM reader (the caller then looks for a device session).
    public func preorder(_ reference: String, request: ProvisionRequest, actor: Int?) async throws(StationError) -> DeviceStatus? {
        guard let reader = await simReaders.resolve(reference) else { return nil }
        guard let reading = await simReaders.reading(in: reader), var status = await simReaders.status(of: reader) else {
            throw StationError(.conflict, code: .simUnknown,
                               message: "The SIM in reader \(reader) has not been read: insert it again and wait for its row.")
        }
        let planName = request.plan ?? config.defaultPlan
        guard let planName else {
            throw StationError(.malformedRequest, code: .planRequired, message: "Name a plan (--plan) for the pre-order.")
        }
        guard config.plan(named: planName) != nil else {
            throw StationError(.malformedRequest, code: .unknownPlan, message: "No plan \(planName) in the configuration.")
        }
        let intent = OrderIntent(origin: request.again == true ? .again : .provision, plan: planName,
                                 wifiSSID: request.ssid, wifiKey: request.key)
        let iccid = reading.iccid
        let imsi = reading.imsi?.digits
        let placement: OrderPlacement
        do {
            placement = try await ledger.writing { ledger in
                try ledger.recordSIM(iccid: iccid.digits, imsi: imsi, luhnValid: iccid.luhnValid, actor: actor)
                return try ledger.placeOrder(iccid: iccid.digits, intent: intent, actor: actor)
            }
        } catch let error as LedgerError {
            throw Self.stationError(error, file: nil, lines: [])
        } catch {
            throw StationError(.internalFailure, code: .ledgerIO, message: String(describing: error))
        }
        switch placement {
        case .run(let order):
            logger.info("order recorded for a SIM in a reader", metadata: [
                "order.id": "\(order.id)", "plan": "\(order.plan)", "sim.iccid": "\(iccid.redacted)"])
            status.plan = order.plan
            status.orderID = order.id
        case .alreadyServed:
            throw StationError(.conflict, code: .alreadyServed,
                               message: "This SIM was already served: use --again for credit and a new Wi-Fi key.")
        case .nothingToDo:
            throw StationError(.malformedRequest, code: .planRequired, message: "Name a plan (--plan) for the pre-order.")
        case .refused(let code, let message):
            throw StationError(.conflict, code: code, message: message)
        }
        return Self.redact(status, reveal: false)
    }

    /// Makes one PIN attempt, given by a technician, on the SIM in a reader; records it (never the PIN) and reads
    /// the card again so its row shows the IMSI once unlocked. Nil when `reference` names no SIM reader.
    public func unlock(_ reference: String, pin: String, actor: Int?) async throws(StationError) -> UnlockResult? {
        guard let reader = await simReaders.resolve(reference) else { return nil }
        guard let generation = await simReaders.currentGeneration(reader) else {
            throw StationError(.conflict, code: .noCard, message: "Reader \(reader) holds no card.")
        }
        let before = await simReaders.reading(in: reader)
        let attempt: SIMPINAttempt
        switch await simReaders.access.attemptPIN(pin, reader: reader) {
        case .success(let result): attempt = result
        case .failure(let error):
            throw StationError(error == .pinFormat ? .malformedRequest : .conflict, code: error.code, message: error.message)
        }
        // Read the card again: once unlocked its IMSI is readable, and a GSM SIM says its tries left after a success.
        await readCard(in: reader, generation: generation, actor: actor)
        let current = await simReaders.status(of: reader)
        let triesAfter = attempt.after.triesLeft ?? (attempt.accepted ? current?.pinTriesLeft : nil)
        if let iccid = before?.iccid.digits {
            let accepted = attempt.accepted
            let triesBefore = attempt.triesBefore
            _ = try? await ledger.writing { ledger in
                try ledger.recordPINAttempt(iccid: iccid, reader: reader, accepted: accepted, triesBefore: triesBefore,
                                            triesAfter: triesAfter, actor: actor)
            }
        }
        logger.notice("SIM PIN attempt", metadata: ["reader": "\(reader)", "accepted": "\(attempt.accepted)",
                                                    "tries.after": "\(triesAfter.map(String.init) ?? "?")"])
        guard let status = current else {
            throw StationError(.gone, code: .deviceGone, message: "Reader \(reader) went away after the PIN attempt.")
        }
        return UnlockResult(accepted: attempt.accepted, triesBefore: attempt.triesBefore, triesAfter: triesAfter,
                            simState: attempt.after.state?.code, device: Self.redact(status, reveal: false))
    }

    /// Orders, newest first, optionally only those in `state`; ICCIDs redacted unless `reveal`.
    public func orders(state: String?, limit: Int, reveal: Bool) async throws(StationError) -> [OrderInfo] {
        var wanted: OrderState?
        if let state {
            guard let parsed = OrderState(rawValue: state) else {
                throw StationError(.malformedRequest, code: .invalidState, message: "state must be open, fulfilled or cancelled.")
            }
            wanted = parsed
        }
        let filter = wanted
        do {
            let records = try await ledger.reading { ledger in try ledger.orders(state: filter, limit: limit) }
            return records.map { Self.orderInfo($0, reveal: reveal) }
        } catch let error as LedgerError {
            throw Self.stationError(error, file: nil, lines: [])
        } catch {
            throw StationError(.internalFailure, code: .ledgerIO, message: String(describing: error))
        }
    }

    /// Cancels an open order whose credit was never applied, recording who asked.
    public func cancelOrder(id: Int64, actor: Int?) async throws(StationError) -> OrderInfo {
        do {
            let order = try await ledger.writing { ledger in try ledger.cancelOrder(id: id, actor: actor) }
            logger.notice("order cancelled", metadata: ["order.id": "\(id)", "actor.uid": "\(actor.map(String.init) ?? "-")"])
            return Self.orderInfo(order, reveal: false)
        } catch let error as LedgerError {
            switch error.code {
            case .notFound: throw StationError(.notFound, code: .orderNotFound, message: "No order \(id).")
            case .illegalTransition: throw StationError(.conflict, code: .orderClosed, message: error.message)
            case .orderHasCredit: throw StationError(.conflict, code: .orderHasCredit, message: error.message)
            default: throw Self.stationError(error, file: nil, lines: [])
            }
        } catch {
            throw StationError(.internalFailure, code: .ledgerIO, message: String(describing: error))
        }
    }

    static func orderInfo(_ order: OrderRecord, reveal: Bool) -> OrderInfo {
        let credit: String
        switch order.credit {
        case .notApplied: credit = "none"
        case .pending: credit = "pending"
        case .applied: credit = "applied"
        }
        return OrderInfo(id: order.id, iccid: Redaction.identifier(order.iccid, reveal: reveal) ?? "", plan: order.plan,
                         origin: order.origin.rawValue, state: order.state.rawValue, credit: credit,
                         actorUID: order.actorUID, createdAt: order.createdAt, closedAt: order.closedAt)
    }
}

extension Station {
    /// The `sim-reader` row a reference names (row id, reader name, ICCID), redacted; nil when none.
    public nonisolated func simReaderStatus(_ reference: String, reveal: Bool, identifiers: Bool) async -> DeviceStatus? {
        guard let reader = await simReaders.resolve(reference), let status = await simReaders.status(of: reader) else {
            return nil
        }
        return Self.redact(status, reveal: reveal, identifiers: identifiers)
    }
}
