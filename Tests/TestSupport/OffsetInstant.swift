/// An instant of the test clocks (`ManualClock`, `JumpingClock`): a duration from the clock's own start.
public struct OffsetInstant: InstantProtocol, Sendable {
    /// Time since the clock's start.
    public var offset: Duration

    /// An instant `offset` after the clock's start.
    public init(offset: Duration) {
        self.offset = offset
    }

    public func advanced(by duration: Duration) -> OffsetInstant {
        OffsetInstant(offset: offset + duration)
    }

    public func duration(to other: OffsetInstant) -> Duration {
        other.offset - offset
    }

    public static func < (lhs: OffsetInstant, rhs: OffsetInstant) -> Bool {
        lhs.offset < rhs.offset
    }
}
