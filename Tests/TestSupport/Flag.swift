import Synchronization

/// A flag one task or thread sets and another reads (a callback ran, a handler was reached).
public final class Flag: Sendable {
    private let state = Mutex(false)

    /// An unset flag.
    public init() {}

    /// Sets the flag (idempotent).
    public func set() {
        state.withLock { $0 = true }
    }

    /// Whether `set()` ran.
    public var isSet: Bool { state.withLock { $0 } }
}
