import ATProtocol
import DeviceCatalog
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Ledger
import Logging
import Provisioning

/// Settles a SIM's `unknown` vouchers by comparing its data balance now with the balance recorded before the recharge.
///
/// Runs on the device's own session, after identification and before any provisioning, whenever a device is
/// identified (at start-up and on every later attach), so recovery does not depend on timing. It only ever sends
/// the operator profile's balance USSD, never a voucher: if the balance rose by at least the plan's megabytes
/// the voucher is settled `applied` (actor nil: the daemon) with both balances in its note; otherwise it stays
/// `unknown` for a person and the check is recorded as a `voucher.checked` event.
///
/// Its ledger calls go through `Ledger.reading` and `Ledger.writing`: identification is frequent, and a read or a
/// commit must not hold a thread of the cooperative pool.
struct VoucherSettler: Sendable {
    let ledger: Ledger
    let config: StationConfig
    let logger: Logger

    /// Checks the SIM of `identity` through its `driver`; returns how many of its vouchers were settled `applied` (their
    /// orders then hold the credit: no run buys it again). Never throws: every result is recorded or logged.
    @discardableResult
    func settle(identity: DeviceIdentity?, driver: any DeviceDriver) async -> Int {
        guard let identity, let iccid = identity.iccid?.digits else { return 0 }
        let waiting: [UnsettledVoucher]
        do {
            waiting = try await ledger.reading { ledger in try ledger.vouchersNeedingSettlement(unknownOfSIM: iccid) }
        } catch {
            logger.error("could not read vouchers needing settlement", metadata: ["error": "\(error)"])
            return 0
        }
        guard !waiting.isEmpty else { return 0 }
        let after: Int
        switch await queryBalance(identity: identity, driver: driver) {
        case .failure(let reason):
            await record(waiting, after: nil, result: "balance not checked: \(reason)")
            return 0
        case .success(let figure):
            after = figure
        }
        var applied = 0
        for item in waiting {
            let voucher = item.voucher
            guard let plan = config.plan(named: voucher.plan) else {
                await record([item], after: after, result: "balance \(after) MB; plan \(voucher.plan) is not configured, so its size is unknown")
                continue
            }
            guard let before = item.balanceBeforeMB else {
                await record([item], after: after, result: "balance \(after) MB; no balance was recorded before the recharge")
                continue
            }
            guard Int64(after) >= before.addingReportingOverflow(Int64(plan.megabytes)).partialValue else {
                await record([item], after: after, result: "balance went from \(before) to \(after) MB, less than the plan's \(plan.megabytes) MB")
                continue
            }
            let note = "settled by the daemon's balance check: balance \(before) MB before the recharge, \(after) MB now, "
                + "plan \(plan.name) adds \(plan.megabytes) MB"
            do {
                try await ledger.writing { ledger in
                    try ledger.settle(id: voucher.id, outcome: .applied, note: note, balanceBeforeMB: before,
                                      balanceAfterMB: Int64(after), actor: nil)
                }
                applied += 1
                logger.notice("unknown voucher settled as applied by balance", metadata: ["voucher.id": "\(voucher.id)"])
            } catch {
                // A person settled it meanwhile, or the disk is full: either way it is not ours to force.
                logger.warning("could not settle voucher", metadata: ["voucher.id": "\(voucher.id)", "error": "\(error)"])
            }
        }
        return applied
    }

    private func record(_ items: [UnsettledVoucher], after: Int?, result: String) async {
        for item in items {
            let id = item.voucher.id
            let before = item.balanceBeforeMB
            do {
                try await ledger.writing { ledger in
                    try ledger.recordSettlementCheck(id: id, balanceBeforeMB: before, balanceAfterMB: after.map(Int64.init),
                                                     result: result, actor: nil)
                }
            } catch {
                logger.warning("could not record a settlement check", metadata: ["voucher.id": "\(id)", "error": "\(error)"])
            }
        }
        logger.warning("unknown voucher left for a person", metadata: ["voucher.count": "\(items.count)", "reason": "\(result)"])
    }

    private enum BalanceResult {
        case success(Int)
        case failure(String)
    }

    /// One balance USSD with the operator profile's code (the workflow's own exchange), parsed by the profile's pattern.
    private func queryBalance(identity: DeviceIdentity, driver: any DeviceDriver) async -> BalanceResult {
        guard identity.pinState == .ready, let imsi = identity.imsi else {
            return .failure("the SIM is not ready (PIN or no IMSI)")
        }
        guard let profile = config.policy.operatorProfile(for: imsi.digits) else {
            return .failure("no operator profile serves MCC \(imsi.mcc) MNC \(imsi.mnc)")
        }
        let reply: USSDReply
        do {
            // A recharge verdict owed to an earlier request is not this balance.
            reply = try await driver.ussd(profile.balanceCode, replyTimeout: .seconds(profile.replyTimeoutSeconds),
                                          redacted: nil, accepting: { profile.couldAnswerBalance($0.text ?? "") })
        } catch {
            switch error.code {
            case .ussdInvalid: return .failure("the balance code cannot be sent as USSD")
            case .ussdRefusedByDevice: return .failure("the device refused the balance request")
            case .ussdMalformed: return .failure("the balance reply could not be parsed")
            default: return .failure("no balance reply (\(error.message))")
            }
        }
        do {
            return .success(try profile.readBalance(in: reply.text ?? ""))
        } catch {
            return .failure("the balance reply could not be read: \(error)")
        }
    }
}
