#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Station {
    /// What start-up found once it reported ready.
    public struct StartupReport: Sendable, Equatable {
        /// Devices attached at start whose identification and balance settlement finished in time.
        public var identified: Int
        /// Devices attached at start still being identified when the deadline passed.
        public var pending: Int
        /// Vouchers still `unknown`, waiting for a person (`hotspotctl vouchers unknown`).
        public var unknownVouchers: Int
    }

    /// Waits until every device attached so far has been identified and its SIM's unknown vouchers checked by
    /// balance, or until `deadline` passes, then reports ready.
    ///
    /// Call after `recoverAfterStart()` and after attaching the devices given at start. A device that is slow to
    /// answer does not hold the station back past the deadline: its check still runs when it is identified.
    /// `deadline` defaults to the configuration's `startupSettlementSeconds` (30 s when unset: below systemd's start timeout).
    public func finishStartup(deadline: Duration? = nil) async -> StartupReport {
        let deadline = deadline ?? .seconds(config.startupSettlementSeconds ?? 30)
        let waiting = Set(sessionIDs).subtracting(identifiedDevices)
        if !waiting.isEmpty {
            let (stream, continuation) = AsyncStream.makeStream(of: String.self)
            startupWaiter = continuation
            let timer = Task {
                try? await Task.sleep(for: deadline)
                continuation.finish()
            }
            var remaining = waiting
            for await id in stream {
                remaining.remove(id)
                if remaining.isEmpty { break }
            }
            timer.cancel()
            startupWaiter = nil
            continuation.finish()
        }
        let pending = Set(sessionIDs).subtracting(identifiedDevices).count
        let counts = try? await ledger.reading { ledger in try ledger.voucherCounts() }
        let unknown = counts?.values.reduce(0) { $0 + ($1[.unknown] ?? 0) } ?? 0
        ready = true
        if pending > 0 {
            logger.warning("ready before every device was identified", metadata: ["device.pending": "\(pending)"])
        }
        if unknown > 0 {
            logger.warning("vouchers wait for a person: hotspotctl vouchers unknown", metadata: ["voucher.count": "\(unknown)"])
        }
        return StartupReport(identified: sessionIDs.count - pending, pending: pending, unknownVouchers: unknown)
    }

    /// Called by a device's session after its identification attempt and balance settlement.
    func deviceIdentified(_ id: String) {
        if identifiedDevices.insert(id).inserted {
            startupWaiter?.yield(id)
        }
    }
}
