import Foundation
#if canImport(Glibc)
import Glibc
#endif
import GRDB

/// The ledger's one writer: a thread that lives as long as the ledger, takes the write transactions queued for it and
/// commits the ones that arrived together in one transaction (group commit), so N devices recording at the same moment
/// cost one fsync instead of N.
///
/// Callers never run a transaction themselves: they queue a write and are told its outcome. Async callers wait on a
/// continuation (`write(_:) async`), so no thread of Swift's cooperative pool and no actor waits for a commit;
/// `submit(_:completion:)` does not wait at all; synchronous callers (tools, tests, start-up) wait on a semaphore of
/// their own. The queue is first in, first out: writes commit in the order they were queued.
///
/// Durability is unchanged: no outcome is reported before the transaction holding the change has committed (with the
/// ledger's `synchronous=FULL`, after the fsync). Isolation is unchanged: each write runs inside its own savepoint of
/// the batch, so a write that throws rolls back only its own changes and reports its own error, exactly as it would in
/// a transaction of its own. Writes run in queue order on one connection, so each sees the changes of the writes
/// before it (the event chain's head among them).
///
/// A batch that does not commit (the commit fails, or SQLite rolled the whole transaction back after an I/O error or a
/// full disk) is not reported as that failure to every member: each member is run again alone, in a transaction of its
/// own, and gets that transaction's outcome. Outcomes are therefore the same as without batching; only the number of
/// commits changes. The exception is a batch that could not even begin (another process held the write lock past the
/// busy timeout): every member gets that error at once, as each would have after its own wait.
final class LedgerWriter: Sendable {
    private let core: Core

    /// Starts the writer thread over `pool`; `.io` when no thread can be created (`TasksMax`, `RLIMIT_NPROC`).
    init(pool: DatabasePool) throws(LedgerError) {
        core = Core(pool: pool)
        if let failure = core.start() {
            throw LedgerError(.io, "cannot start the ledger's writer thread (errno \(failure))")
        }
    }

    deinit {
        // The thread commits what is still queued, then ends.
        core.stop()
    }

    /// Runs `body` in a write transaction, possibly shared with the writes queued with it, on the writer thread;
    /// returns once that transaction committed, or throws `body`'s error (its changes rolled back) or the
    /// transaction's failure. Blocks the calling thread meanwhile: for callers that own their thread.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        if core.isWriterThread {
            throw LedgerError(.io, "a ledger write was started from inside another ledger write")
        }
        return try withoutActuallyEscaping(body) { body in
            let waiter = Waiter<T>()
            core.enqueue(Ticket(work: { db in waiter.value = try body(db) }, finish: { waiter.finish($0) }))
            return try waiter.wait()
        }
    }

    /// Runs `body` as `write(_:)` does, suspending the caller (no thread waits) until the transaction committed.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let box = ValueBox<T>()
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            core.enqueue(Ticket(work: { db in box.value = try body(db) }, finish: { outcome in
                switch outcome {
                case .success:
                    if let value = box.value {
                        continuation.resume(returning: value)
                    } else {
                        continuation.resume(throwing: LedgerError(.io, "a ledger write completed without a result"))
                    }
                case .failure(let error):
                    continuation.resume(throwing: error)
                }
            }))
        }
    }

    /// Queues `body` and returns at once; `completion` is called on the writer thread with the outcome once the
    /// transaction committed (or failed). For records nobody waits for; they still commit in queue order.
    func submit(_ body: @escaping @Sendable (Database) throws -> Void,
                completion: @escaping @Sendable (Result<Void, any Error>) -> Void) {
        core.enqueue(Ticket(work: body, finish: completion))
    }

    /// (commits, writes committed) so far.
    var statistics: (commits: Int, writes: Int) { core.statistics }

    /// How many writes are queued and not yet taken into a batch (tests wait on it).
    var queuedCount: Int { core.queuedCount }

    /// True on the writer thread (while a write runs).
    var isWriterThread: Bool { core.isWriterThread }
}

/// One queued write.
private final class Ticket: @unchecked Sendable {
    // @unchecked: `work` is read, run and dropped only on the writer thread, after the queue's lock handed the ticket
    // over; `finish` is called once, on the writer thread. `work` may wrap a synchronous caller's non-escaping body
    // (`withoutActuallyEscaping`): it is dropped before `finish` lets that caller return.
    var work: ((Database) throws -> Void)?
    let finish: (Result<Void, any Error>) -> Void

    init(work: @escaping (Database) throws -> Void, finish: @escaping (Result<Void, any Error>) -> Void) {
        self.work = work
        self.finish = finish
    }
}

/// A synchronous caller's wait for its ticket.
private final class Waiter<T>: @unchecked Sendable {
    // @unchecked: `value` and `outcome` are written on the writer thread before `done` is signalled, and read by the
    // caller only after `done.wait()` returned (the semaphore orders the accesses).
    var value: T?
    private var outcome: Result<Void, any Error>?
    private let done = DispatchSemaphore(value: 0)

    func finish(_ outcome: Result<Void, any Error>) {
        self.outcome = outcome
        done.signal()
    }

    func wait() throws -> T {
        done.wait()
        try outcome?.get()
        guard let value else { throw LedgerError(.io, "a ledger write completed without a result") }
        return value
    }
}

/// An async caller's result, set on the writer thread before the continuation resumes.
private final class ValueBox<T>: @unchecked Sendable {
    // @unchecked: written by the ticket's work on the writer thread, read in its `finish` on the same thread.
    var value: T?
}

/// The queue and the thread that drains it.
private final class Core: @unchecked Sendable {
    // @unchecked: `queue`, `stopping`, `commits`, `committedWrites` and `thread` are read and written only while
    // `condition` is locked; `pool` is only used on the writer thread.
    private let pool: DatabasePool
    private let condition = NSCondition()
    private var queue: [Ticket] = []
    private var stopping = false
    private var thread: pthread_t?
    private var commits = 0
    private var committedWrites = 0

    init(pool: DatabasePool) {
        self.pool = pool
    }

    /// Starts the thread; pthread_create's error when it could not.
    func start() -> Int32? {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        var created = pthread_t()
        // The thread holds the core until it ends; if no thread starts, the retain is taken back here.
        let context = Unmanaged.passRetained(self).toOpaque()
        let result = pthread_create(&created, &attributes, { raw in
            guard let raw else { return nil }
            Unmanaged<Core>.fromOpaque(raw).takeRetainedValue().run()
            return nil
        }, context)
        guard result == 0 else {
            Unmanaged<Core>.fromOpaque(context).release()
            return result
        }
        return nil
    }

    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    func enqueue(_ ticket: Ticket) {
        condition.lock()
        queue.append(ticket)
        condition.signal()
        condition.unlock()
    }

    var statistics: (commits: Int, writes: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (commits, committedWrites)
    }

    var queuedCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return queue.count
    }

    var isWriterThread: Bool {
        condition.lock()
        defer { condition.unlock() }
        guard let thread else { return false }
        return pthread_equal(thread, pthread_self()) != 0
    }

    /// The writer thread: takes everything queued as one batch, commits it, reports each outcome; until stopped and
    /// nothing is left.
    private func run() {
        condition.lock()
        thread = pthread_self()
        while true {
            while queue.isEmpty && !stopping { condition.wait() }
            if queue.isEmpty { break }
            let batch = queue
            queue.removeAll(keepingCapacity: true)
            condition.unlock()
            let outcomes = commit(batch)
            for (member, outcome) in zip(batch, outcomes) {
                member.work = nil
                member.finish(outcome)
            }
            condition.lock()
        }
        thread = nil
        condition.unlock()
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
                                // SQLite rolled the whole transaction back (I/O error, full disk, busy): nothing of
                                // this batch survives, so every member is run again alone below.
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
