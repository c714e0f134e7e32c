import Synchronization

/// Writes of one port waiting for room in its output queue, each until its deadline; woken by the port's reader
/// thread, the one thread that polls the tty.
///
/// A write that meets a full queue (EAGAIN) parks here as a continuation: no lock is held and no thread is blocked
/// while it waits. The reader thread asks for POLLOUT while anyone waits, wakes every waiter when the tty is writable,
/// and wakes each waiter whose deadline passed. Closing the port or losing the device ends all waits at once, and
/// every later wait ends at once the same way.
final class WritabilityWaiters: Sendable {
    /// Why a wait ended.
    enum Wake: Sendable, Equatable {
        /// The tty reported POLLOUT: try writing again.
        case writable
        /// The waiter's deadline passed first.
        case deadlinePassed
        /// The device went away (the reader thread saw a hangup or end of file).
        case hangup
        /// The port was closed by its owner.
        case closed
    }

    private struct Waiter {
        var deadline: ContinuousClock.Instant
        var continuation: CheckedContinuation<Wake, Never>
    }

    private struct State {
        var waiters: [Waiter] = []
        /// Set once the port is closed or the device gone: every wait, present and future, ends with it.
        var ended: Wake?
    }

    private let state = Mutex(State())

    /// Parks `continuation` until the tty is writable or `deadline`; when all waits have already ended (closed,
    /// hung up) it is resumed at once with that reason. Returns whether it was parked.
    func park(until deadline: ContinuousClock.Instant, _ continuation: CheckedContinuation<Wake, Never>) -> Bool {
        let ended = state.withLock { state -> Wake? in
            if let ended = state.ended { return ended }
            state.waiters.append(Waiter(deadline: deadline, continuation: continuation))
            return nil
        }
        guard let ended else { return true }
        continuation.resume(returning: ended)
        return false
    }

    /// The earliest deadline among the waiters; nil when nobody waits (the reader thread then does not ask for
    /// POLLOUT, which a writable tty would report at every poll).
    var earliestDeadline: ContinuousClock.Instant? {
        state.withLock { $0.waiters.map(\.deadline).min() }
    }

    /// Whether all waits have ended for good (the port closed or the device gone).
    var hasEnded: Bool {
        state.withLock { $0.ended != nil }
    }

    /// Wakes every waiter: the tty reported POLLOUT.
    func wakeAll() {
        let woken = state.withLock { state -> [Waiter] in
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in woken { waiter.continuation.resume(returning: .writable) }
    }

    /// Wakes the waiters whose deadline is `now` or earlier.
    func wakeExpired(now: ContinuousClock.Instant) {
        let expired = state.withLock { state -> [Waiter] in
            let expired = state.waiters.filter { $0.deadline <= now }
            state.waiters.removeAll { $0.deadline <= now }
            return expired
        }
        for waiter in expired { waiter.continuation.resume(returning: .deadlinePassed) }
    }

    /// Ends every wait, now and later, with `reason`; the first reason given stays.
    func end(_ reason: Wake) {
        let woken = state.withLock { state -> (Wake, [Waiter]) in
            if state.ended == nil { state.ended = reason }
            defer { state.waiters.removeAll() }
            return (state.ended ?? reason, state.waiters)
        }
        for waiter in woken.1 { waiter.continuation.resume(returning: woken.0) }
    }
}
