/// Polls `condition` until it holds or `timeout` passes on the continuous clock; returns whether it held.
///
/// The condition is asked once more after the deadline, so a condition that became true while the last pause ran is
/// not reported as a timeout. `every` is the pause between two asks; keep it short (the tests wait for state set by
/// another thread or task, not for a fixed time).
public func eventually(timeout: Duration = .seconds(10), every pause: Duration = .milliseconds(5),
                       _ condition: () async throws -> Bool) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: pause)
    }
    return try await condition()
}

/// The value `condition` returns once it is not nil, or nil when `timeout` passes first (same polling as `eventually`).
public func eventuallyValue<Value>(timeout: Duration = .seconds(10), every pause: Duration = .milliseconds(5),
                                   _ condition: () async throws -> Value?) async rethrows -> Value? {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if let value = try await condition() { return value }
        try? await Task.sleep(for: pause)
    }
    return try await condition()
}
