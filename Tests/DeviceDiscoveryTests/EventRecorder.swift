import DeviceDiscovery
import Synchronization

/// Collects a discovery event stream in the background so tests can wait for an event with a
/// deadline (polling every few milliseconds, never sleeping a fixed time "to settle").
final class EventRecorder: Sendable {
    private let sink: EventSink
    private let task: Task<Void, Never>

    init(_ stream: AsyncStream<DiscoveryEvent>) {
        let sink = EventSink()
        self.sink = sink
        task = Task {
            for await event in stream { sink.append(event) }
        }
    }

    var all: [DiscoveryEvent] { sink.all }

    /// The first recorded event (from the start of the stream) that matches, waiting at most
    /// `deadline` for it to arrive.
    func first(within deadline: Duration = .seconds(5),
               where predicate: (DiscoveryEvent) -> Bool) async -> DiscoveryEvent? {
        let clock = ContinuousClock()
        let end = clock.now.advanced(by: deadline)
        while true {
            if let match = sink.all.first(where: predicate) { return match }
            if clock.now >= end { return nil }
            try? await clock.sleep(for: .milliseconds(5))
        }
    }

    deinit { task.cancel() }
}

/// The mutex-protected list the recorder's task appends to.
final class EventSink: Sendable {
    private let events = Mutex<[DiscoveryEvent]>([])
    func append(_ event: DiscoveryEvent) { events.withLock { $0.append(event) } }
    var all: [DiscoveryEvent] { events.withLock { $0 } }
}
