import StationAPI

/// Fans live station events out to every watcher (`hotspotctl watch`, later a counter screen).
///
/// Each watcher has its own bounded buffer: a slow watcher loses its oldest events, never slows the station.
public actor EventHub {
    private var watchers: [Int: AsyncStream<StationEvent>.Continuation] = [:]
    private var nextID = 0

    /// Creates a hub with no watchers.
    public init() {}

    /// A stream of events from now on; it ends when the watcher stops iterating.
    public func subscribe() -> AsyncStream<StationEvent> {
        let (stream, continuation) = AsyncStream<StationEvent>.makeStream(bufferingPolicy: .bufferingNewest(256))
        let id = nextID
        nextID += 1
        watchers[id] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.remove(id) }
        }
        return stream
    }

    /// Sends an event to every watcher.
    public func publish(_ event: StationEvent) {
        for continuation in watchers.values {
            continuation.yield(event)
        }
    }

    /// How many watchers are subscribed.
    public var watcherCount: Int { watchers.count }

    /// Ends every stream (at shutdown).
    public func finishAll() {
        for continuation in watchers.values { continuation.finish() }
        watchers.removeAll()
    }

    private func remove(_ id: Int) {
        watchers[id] = nil
    }
}
