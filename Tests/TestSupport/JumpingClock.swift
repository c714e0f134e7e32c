import Synchronization

/// The continuous clock plus jumps a test makes: time runs as usual (so a simulator that answers after real delays
/// is waited for as usual), and `jump(by:)` moves it forward at once, so a bound the test wants to see expire
/// expires now instead of after its real duration.
///
/// Sleepers wake within a few milliseconds of a jump that reaches their deadline (they sleep in short real slices).
/// For code under test that is driven entirely by the test (fake channels), `ManualClock` is exact.
public final class JumpingClock: Clock, Sendable {
    /// A point on the clock: a continuous-clock instant shifted by the jumps made before it was read.
    public typealias Instant = OffsetInstant

    private let base = ContinuousClock()
    private let origin: ContinuousClock.Instant
    private let jumped = Mutex(Duration.zero)

    /// A clock that reads zero now.
    public init() {
        origin = base.now
    }

    public var now: Instant { Instant(offset: origin.duration(to: base.now) + jumped.withLock { $0 }) }

    public var minimumResolution: Duration { base.minimumResolution }

    /// How far the clock has been moved ahead of real time.
    public var jumps: Duration { jumped.withLock { $0 } }

    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        while true {
            let left = now.duration(to: deadline)
            if left <= .zero { return }
            try await Task.sleep(for: min(left, .milliseconds(5)))
        }
    }

    /// Moves the clock forward by `duration` now.
    public func jump(by duration: Duration) {
        jumped.withLock { $0 += duration }
    }
}
