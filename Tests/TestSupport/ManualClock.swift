import Synchronization

/// A clock that moves only when the test says so: code under test that takes a `Clock` sleeps on it, and the test
/// `advance`s it past the deadline it wants to see fire, without waiting real time.
///
/// Sleepers whose deadline is reached by an advance resume in deadline order; a sleeper whose task is cancelled
/// resumes at once with `CancellationError`. `sleepers` lets a test wait until the code under test is parked on the
/// clock before advancing it (see `advance(by:whenSleepers:)`).
public final class ManualClock: Clock, Sendable {
    /// A point on the manual clock: the time advanced since it was created.
    public typealias Instant = OffsetInstant

    private struct Sleeper {
        let id: Int
        let deadline: Instant
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now = Instant(offset: .zero)
        var nextID = 0
        var sleepers: [Sleeper] = []
        var cancelled: Set<Int> = []
    }

    private let state = Mutex(State())

    /// A clock at offset zero with nobody asleep.
    public init() {}

    public var now: Instant { state.withLock { $0.now } }

    /// The manual clock has no granularity of its own.
    public var minimumResolution: Duration { .nanoseconds(1) }

    /// How many tasks are asleep on the clock now.
    public var sleepers: Int { state.withLock { $0.sleepers.count } }

    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        let id = state.withLock { state -> Int in
            defer { state.nextID += 1 }
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resume = state.withLock { state -> Result<Void, any Error>? in
                    if state.cancelled.remove(id) != nil { return .failure(CancellationError()) }
                    if deadline <= state.now { return .success(()) }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return nil
                }
                if let resume { continuation.resume(with: resume) }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else {
                    state.cancelled.insert(id)
                    return nil
                }
                return state.sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves the clock forward by `duration` and wakes every sleeper whose deadline is reached, earliest first.
    public func advance(by duration: Duration) {
        let due = state.withLock { state -> [Sleeper] in
            state.now = state.now.advanced(by: duration)
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }.sorted { $0.deadline < $1.deadline }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Waits (real time, bounded by `timeout`) until at least `count` tasks sleep on the clock, then advances it by
    /// `duration`; returns false, without advancing, when they did not come to sleep in time.
    @discardableResult
    public func advance(by duration: Duration, whenSleepers count: Int, timeout: Duration = .seconds(10)) async -> Bool {
        guard await eventually(timeout: timeout, every: .milliseconds(1), { self.sleepers >= count }) else { return false }
        advance(by: duration)
        return true
    }
}
