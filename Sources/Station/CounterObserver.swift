#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Localization
import Logging
import StationAPI

/// What a headless station tells the room: a systemd status line kept up to date on every state change, and the
/// configured hooks run when a device is done, failed or waits for a person.
///
/// It follows the station's own event stream, like any watcher, so it never slows a session: hooks run in tasks of
/// their own, and a hook that fails or hangs is logged and stopped at its deadline.
public struct CounterObserver: Sendable {
    private let station: Station
    private let notifier: SystemdNotifier
    private let hooks: HookRunner?
    private let logger: Logger
    /// The language of the status line: the daemon's locale (systemd passes `/etc/locale.conf`'s `LANG` to services),
    /// or `HOTSPOT_LANG`; French when neither names a language the catalog has.
    private let language: Language

    /// Creates an observer; `hooks` nil runs none; `environment` chooses the status line's language.
    public init(station: Station, notifier: SystemdNotifier, hooks: HookSettings?, logger: Logger,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.station = station
        self.notifier = notifier
        self.hooks = hooks.map { HookRunner(settings: $0, logger: logger) }
        self.logger = logger
        self.language = Language.resolve(environment: environment)
    }

    /// Follows the events until the stream ends (shutdown) or the task is cancelled; `subscribed` runs once the
    /// observer listens (tests wait for it).
    public func run(subscribed: @Sendable () async -> Void = {}) async {
        let events = await station.events.subscribe()
        await subscribed()
        var lastState: [String: DeviceState] = [:]
        await updateStatusLine()
        for await event in events {
            if Task.isCancelled { return }
            guard event.kind != "step" else { continue }
            let previous = lastState[event.deviceID]
            lastState[event.deviceID] = event.state
            if lastState.count > 4096 { lastState = [event.deviceID: event.state] }
            await updateStatusLine()
            guard previous != event.state, let hookEvent = HookEvent.entering(event.state), let hooks else { continue }
            guard let device = try? await station.device(event.deviceID, reveal: false) else { continue }
            Task { await hooks.run(hookEvent, device: device) }
        }
    }

    /// Sends the status line for the devices and stock now.
    func updateStatusLine() async {
        let line = await Self.statusLine(station: station, language: language)
        notifier.status(line)
    }

    /// `3 prêts, 1 en échec, 12 × 500 Mo en stock` (or `3 ready, 1 failed, 12 × 500 MB in stock`), from the
    /// station's devices and plans.
    static func statusLine(station: Station, language: Language = .french) async -> String {
        let states = await station.devices(reveal: false).map(\.state.rawValue)
        let plans = (try? await station.plans()) ?? []
        return Messages(language: language).counterSummary(states: states, stock: plans.map { ($0.megabytes, $0.vouchersAvailable) })
    }
}
