import Foundation
import GRDB

/// Serializes the ledger's write transactions and commits the ones that arrive together in one transaction
/// (group commit), so N devices recording at the same moment cost one fsync instead of N.
///
/// Durability is unchanged: no caller returns before the transaction holding its change has committed (with the
/// ledger's `synchronous=FULL`, after the fsync). Isolation is unchanged: each write runs inside its own savepoint
/// of the batch, so a write that throws rolls back only its own changes and reports its own error, exactly as it
/// would in a transaction of its own. Writes run in arrival order on one connection, so each sees the changes of
/// the writes before it (the event chain's head among them).
///
/// A batch that does not commit (the commit fails, or SQLite rolled the whole transaction back after an I/O error
/// or a full disk) is not reported as that failure to every member: each member is run again alone, in a
/// transaction of its own, and gets that transaction's outcome. Outcomes are therefore the same as without
/// batching; only the number of commits changes. The exception is a batch that could not even begin (another
/// process held the write lock past the busy timeout): every member gets that error at once, as each would have
/// after its own wait, instead of waiting again one after the other.
///
/// Leader/follower, with no thread of its own: the first caller to find no batch running becomes the leader, runs
/// what is queued as one batch, and hands over once its own write has committed; the others wait on a condition.
/// Callers block, so async code should call the ledger off the cooperative pool (`Ledger.onOwnThread`), which is what
/// lets many writers be waiting, and therefore batched, at once.
final class GroupCommitWriter: @unchecked Sendable {
    // @unchecked: `queue`, `leaderActive` and every ticket's `outcome` are read and written only while `condition`
    // is locked; a ticket's `work` runs only on the current leader's thread while its caller waits for the outcome.

    /// One caller's write, waiting in the queue.
    private final class Ticket: @unchecked Sendable {
        // @unchecked: see the class comment above. `work` wraps the caller's non-escaping body
        // (`withoutActuallyEscaping`): the leader drops it, under the lock, before publishing the outcome, so no
        // reference to it is left when the caller's `write` returns.
        var work: ((Database) throws -> Void)?
        /// Set by the leader under the lock: nil while pending, then success or the write's error.
        var outcome: Result<Void, any Error>?

        init(work: @escaping (Database) throws -> Void) {
            self.work = work
        }
    }

    private let pool: DatabasePool
    private let condition = NSCondition()
    private var queue: [Ticket] = []
    private var leaderActive = false
    /// The thread running the current batch: a write started from inside a write would wait for itself forever.
    private var leaderThread: pthread_t?
    /// How many transactions this writer committed (a batch counts once); for tests and benchmarks.
    private var commits = 0
    /// How many writes reached a committed transaction.
    private var committedWrites = 0

    init(pool: DatabasePool) {
        self.pool = pool
    }

    /// Runs `body` in a write transaction, possibly shared with writes queued at the same moment; returns once that
    /// transaction committed, or throws `body`'s error (its changes rolled back) or the transaction's failure.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        try withoutActuallyEscaping(body) { body in
            var value: T?
            let ticket = Ticket { db in value = try body(db) }
            try run(ticket)
            guard let value else {
                // `run` only returns normally after `work` stored a value; this would be a broken invariant.
                throw LedgerError(.io, "a ledger write completed without a result")
            }
            return value
        }
    }

    /// (commits, writes committed) so far.
    var statistics: (commits: Int, writes: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (commits, committedWrites)
    }

    /// How many writes are queued and not yet taken into a batch (tests wait on it).
    var queuedCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return queue.count
    }

    private func run(_ ticket: Ticket) throws {
        condition.lock()
        if leaderActive, let leader = leaderThread, pthread_equal(leader, pthread_self()) != 0 {
            condition.unlock()
            throw LedgerError(.io, "a ledger write was started from inside another ledger write")
        }
        queue.append(ticket)
        while true {
            if let outcome = ticket.outcome {
                condition.unlock()
                return try outcome.get()
            }
            if !leaderActive { break }
            condition.wait()
        }
        // Leader: run batches until this caller's own write is done, then let a waiting caller take over.
        leaderActive = true
        leaderThread = pthread_self()
        while ticket.outcome == nil {
            let batch = queue
            queue.removeAll(keepingCapacity: true)
            condition.unlock()
            let outcomes = commit(batch)
            condition.lock()
            for (member, outcome) in zip(batch, outcomes) {
                member.work = nil
                member.outcome = outcome
            }
            condition.broadcast()
        }
        leaderActive = false
        leaderThread = nil
        // Whoever is still queued wakes up, and one of them leads the next batch.
        condition.broadcast()
        let outcome = ticket.outcome
        condition.unlock()
        try outcome?.get()
    }

    /// Runs `batch` in one transaction, each write in its own savepoint; returns each member's outcome.
    private func commit(_ batch: [Ticket]) -> [Result<Void, any Error>] {
        if batch.count == 1, let only = batch.first {
            return [alone(only)]
        }
        var outcomes = [Result<Void, any Error>?](repeating: nil, count: batch.count)
        var aborted = false
        var began = false
        do {
            try pool.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    began = true
                    for (index, member) in batch.enumerated() {
                        do {
                            try db.inSavepoint {
                                try member.work?(db)
                                return .commit
                            }
                            outcomes[index] = .success(())
                        } catch {
                            guard db.isInsideTransaction else {
                                // SQLite rolled the whole transaction back (I/O error, full disk, busy): nothing
                                // of this batch survives, so every member is run again alone below.
                                aborted = true
                                return .rollback
                            }
                            outcomes[index] = .failure(error)
                        }
                    }
                    return .commit
                }
            }
        } catch {
            guard began else {
                // BEGIN itself failed (busy past the timeout, or the database cannot be written at all): nothing ran.
                return batch.map { _ in .failure(error) }
            }
            aborted = true
        }
        if aborted {
            // Same outcome as without batching: each write, in a transaction of its own.
            return batch.map(alone)
        }
        let succeeded = outcomes.reduce(0) { count, outcome in
            if case .success = outcome { return count + 1 }
            return count
        }
        condition.lock()
        commits += 1
        committedWrites += succeeded
        condition.unlock()
        return outcomes.map { $0 ?? .failure(LedgerError(.io, "a ledger write was skipped by its batch")) }
    }

    /// One write in a transaction of its own.
    private func alone(_ member: Ticket) -> Result<Void, any Error> {
        do {
            try pool.write { db in try member.work?(db) }
            condition.lock()
            commits += 1
            committedWrites += 1
            condition.unlock()
            return .success(())
        } catch {
            return .failure(error)
        }
    }
}
