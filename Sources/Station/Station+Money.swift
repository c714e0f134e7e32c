#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Ledger
import StationAPI

extension Station {
    // MARK: - Ledger integrity

    /// Walks the whole hash chain, checking it against `anchor` when given (proves no tail was cut).
    ///
    /// Off the actor: a long chain takes seconds to walk, and devices keep being served meanwhile.
    public nonisolated func verifyLedger(anchor: LedgerAnchorInfo?) async throws(StationError) -> LedgerVerifyInfo {
        let started = ContinuousClock.now
        let chainAnchor = anchor.map { ChainAnchor(seq: $0.seq, hash: $0.hash) }
        let result = try await readLedger { ledger in try ledger.verifyChain(anchor: chainAnchor) }
        let elapsed = started.duration(to: .now)
        return Self.verifyInfo(result, anchor: anchor, elapsed: elapsed)
    }

    /// The API shape of a chain verification.
    static func verifyInfo(_ result: ChainVerification, anchor: LedgerAnchorInfo?, elapsed: Duration) -> LedgerVerifyInfo {
        let milliseconds = Int(elapsed.components.seconds) * 1000 + Int(elapsed.components.attoseconds / 1_000_000_000_000_000)
        return LedgerVerifyInfo(
            ok: result.isValid, rowsChecked: result.rowsChecked,
            lastGood: LedgerAnchorInfo(seq: result.lastGood.seq, hash: result.lastGood.hash), anchor: anchor,
            failure: result.failure.map { .init(seq: $0.seq, reason: $0.reason.rawValue, message: $0.message) },
            elapsedMS: milliseconds)
    }

    /// The head of the chain, to keep elsewhere as an anchor.
    public func ledgerAnchor() async throws(StationError) -> LedgerAnchorInfo {
        let head = try await readLedger { ledger in try ledger.headHash() }
        return LedgerAnchorInfo(seq: head.seq, hash: head.hash)
    }

    /// Copies the ledger with SQLite's online backup to `path` and verifies the copy.
    ///
    /// The copy goes into the backup directory (`backupDirectory`, default `backups/` beside the ledger, created 0700):
    /// a bare name is taken there; an absolute path must be inside it. It is created 0600 and never replaces an
    /// existing file, the live ledger least of all. Off the actor and the cooperative pool: copying and checking a
    /// large ledger takes seconds.
    public nonisolated func backupLedger(to requested: String) async throws(StationError) -> LedgerBackupInfo {
        let paths = StatePaths(databasePath: ledgerForRecording.path, backupDirectory: config.backupDirectory)
        guard !requested.isEmpty, !requested.contains("\0"), requested.utf8.count <= 4096 else {
            throw StationError(.unprocessable, code: .invalidPath, message: "The backup path is empty or not a path.")
        }
        let path = requested.hasPrefix("/") ? requested : paths.backupDirectory + "/" + requested
        guard !paths.isLedgerFile(path) else {
            throw StationError(.unprocessable, code: .invalidPath, message: "\(requested) is the live ledger or one of its files.")
        }
        guard StatePaths.isInside(path, paths.backupDirectory) else {
            throw StationError(.unprocessable, code: .invalidPath,
                               message: "Backups go into \(paths.backupDirectory): give a file name, or a path inside it.")
        }
        do {
            try FileManager.default.createDirectory(atPath: paths.backupDirectory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw StationError(.internalFailure, code: .backupDirectory, message: "The backup directory \(paths.backupDirectory) cannot be created.")
        }
        do {
            let result = try await ledger.backingUp(to: path)
            logger.info("ledger backed up", metadata: ["backup.rows": "\(result.rowsChecked)"])
            return LedgerBackupInfo(path: path, rowsChecked: result.rowsChecked,
                                    head: LedgerAnchorInfo(seq: result.lastGood.seq, hash: result.lastGood.hash), integrityOK: true)
        } catch {
            let kind: StationError.Kind
            switch error.code {
            case .invalidArgument: kind = .conflict
            case .readOnly: kind = .unprocessable
            case .diskFull: kind = .storageFull
            default: kind = .internalFailure
            }
            throw StationError(kind, code: error.code == .invalidArgument ? .backupExists : LedgerRecorder.code(error.code),
                               message: error.message)
        }
    }

    // MARK: - Settlement by a person

    /// What the station's own balance checks say against settling voucher `id` as `outcome`, or nil when they agree.
    ///
    /// `rejected` needs a check that read the balance and saw it not rise by half the plan (a person's "rejected" with
    /// no check at all is how a redeemed voucher got lost); `applied` is refused only when the latest check saw no rise.
    func balanceContradiction(voucherID id: Int64, outcome: VoucherSettlement) async throws(StationError) -> String? {
        guard outcome != .manual, let voucher = try await readLedger({ ledger in try ledger.voucher(id: id) }), voucher.state == .unknown else {
            return nil
        }
        let half = Int64((config.plan(named: voucher.plan)?.megabytes ?? 0) / 2)
        let checks = try await readLedger { ledger in try ledger.events(voucherID: id) }.filter { $0.kind == "voucher.checked" }
            .compactMap { event -> (before: Int64, after: Int64)? in
                guard let before = event.detail["balance_before_mb"].flatMap(Int64.init) ?? voucher.balanceBeforeMB,
                      let after = event.detail["balance_after_mb"].flatMap(Int64.init) else { return nil }
                return (before, after)
            }
        switch outcome {
        case .rejected:
            guard !checks.isEmpty else {
                return "No balance check supports 'rejected': plug the device in so the station reads the balance first."
            }
            if let rose = checks.first(where: { $0.after >= $0.before.addingReportingOverflow(max(1, half)).partialValue }) {
                return "A balance check saw the balance rise from \(rose.before) to \(rose.after) MB: the voucher looks applied."
            }
            return nil
        case .applied:
            if let last = checks.last, last.after < last.before.addingReportingOverflow(max(1, half)).partialValue {
                return "The last balance check saw \(last.before) → \(last.after) MB: the credit does not show."
            }
            return nil
        case .manual:
            return nil
        }
    }

    /// Vouchers whose outcome is unknown, oldest first, code and ICCID redacted unless `reveal`.
    public func unknownVouchers(reveal: Bool) async throws(StationError) -> [UnknownVoucherInfo] {
        let list = try await readLedger { ledger in try ledger.vouchersNeedingSettlement() }
        return list.map { item in
            let voucher = item.voucher
            return UnknownVoucherInfo(id: voucher.id, plan: voucher.plan, code: Redaction.voucherCode(voucher.code, reveal: reveal),
                                      state: voucher.state.rawValue, iccid: Redaction.identifier(voucher.iccid, reveal: reveal),
                                      provisioningID: voucher.provisioningID, since: item.since, reason: item.reason,
                                      balanceBeforeMB: item.balanceBeforeMB.map(Int.init), checks: item.checks)
        }
    }

    /// Settles an unknown voucher on a person's word; the ledger event records `actor` (the caller's uid) and the note.
    ///
    /// Settled `applied`, the devices holding its SIM skip the money steps on their next run: no second top-up.
    public func settleVoucher(id: Int64, request: VoucherSettleRequest, actor: Int?) async throws(StationError) -> VoucherInfo {
        guard let outcome = VoucherSettlement(rawValue: request.outcome) else {
            throw StationError(.unprocessable, code: .invalidOutcome, message: "outcome must be applied, rejected or manual.")
        }
        var note = request.note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !note.isEmpty else {
            throw StationError(.unprocessable, code: .noteRequired, message: "Say what you checked: a note is required to settle a voucher.")
        }
        if let contradiction = try await balanceContradiction(voucherID: id, outcome: outcome) {
            guard request.force == true else {
                throw StationError(.conflict, code: .settlementContradictsBalance, message: contradiction + " Use --force if you know better.")
            }
            note = "[forced: \(contradiction)] " + note
            logger.warning("voucher settled against the balance checks", metadata: ["voucher.id": "\(id)", "outcome": "\(outcome.rawValue)"])
        }
        // Queued to the ledger's writer: a settle waiting behind a long import suspends, it never holds the actor, so
        // devices and every other call keep being served meanwhile.
        let settledNote = note
        do {
            try await ledger.writing { ledger in try ledger.settle(id: id, outcome: outcome, note: settledNote, actor: actor) }
        } catch let error as LedgerError {
            switch error.code {
            case .illegalTransition:
                throw StationError(.conflict, code: .voucherNotUnknown,
                                   message: "Voucher \(id) is not unknown; only an unknown voucher is settled. (\(error.message))")
            case .notFound:
                throw StationError(.notFound, code: .voucherNotFound, message: "No voucher \(id).")
            case .invalidArgument:
                throw StationError(.unprocessable, code: .invalidNote, message: error.message)
            default:
                throw StationError(error.code == .diskFull ? .storageFull : .internalFailure, code: LedgerRecorder.code(error.code),
                                   message: error.message)
            }
        } catch {
            throw StationError(.internalFailure, code: .ledgerIO, message: String(describing: error))
        }
        logger.notice("voucher settled by a person", metadata: ["voucher.id": "\(id)", "outcome": "\(outcome.rawValue)",
                                                              "actor.uid": "\(actor.map(String.init) ?? "none")"])
        guard let voucher = try await readLedger({ ledger in try ledger.voucher(id: id) }) else {
            throw StationError(.notFound, code: .voucherNotFound, message: "No voucher \(id).")
        }
        return Self.voucherInfo(voucher, reveal: false)
    }
}
