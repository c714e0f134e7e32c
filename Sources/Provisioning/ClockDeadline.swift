/// A deadline on an injected clock: `ContinuousClock` in the daemon, a clock a test moves in the tests.
///
/// Code that waits for a bound (a SIM still starting, a USSD reply, a lock-out) takes an `any Clock<Duration>` and
/// asks a `ClockDeadline` whether the bound has passed, without knowing the clock's instant type.
public struct ClockDeadline: Sendable {
    private let left: @Sendable () -> Duration

    /// The instant `duration` after `clock`'s now.
    public init(after duration: Duration, on clock: any Clock<Duration>) {
        left = Self.countdown(to: duration, on: clock)
    }

    private static func countdown<C: Clock<Duration>>(to duration: Duration, on clock: C) -> @Sendable () -> Duration {
        let end = clock.now.advanced(by: duration)
        return { clock.now.duration(to: end) }
    }

    /// The time left until the deadline, zero once it has passed.
    public var remaining: Duration { max(.zero, left()) }

    /// Whether the deadline has come.
    public var hasPassed: Bool { left() <= .zero }
}

/// The time passed on an injected clock since the stopwatch was made, for code that keeps durations between events
/// (a token bucket) without knowing the clock's instant type.
public struct ClockStopwatch: Sendable {
    private let read: @Sendable () -> Duration

    /// A stopwatch started at `clock`'s now.
    public init(on clock: any Clock<Duration>) {
        read = Self.start(on: clock)
    }

    private static func start<C: Clock<Duration>>(on clock: C) -> @Sendable () -> Duration {
        let start = clock.now
        return { start.duration(to: clock.now) }
    }

    /// The time passed since the stopwatch was made.
    public var elapsed: Duration { read() }
}
