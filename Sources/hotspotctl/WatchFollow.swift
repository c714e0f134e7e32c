import Foundation
import Localization
import StationAPI

/// How `watch` runs: every event or one line per state change; stop or reconnect when the daemon goes away.
struct WatchMode: Sendable, Equatable {
    /// One line per state change (`CompactWatch`).
    var compact: Bool
    /// Reconnect when the daemon restarts.
    var follow: Bool
}

extension WatchCommand {
    /// Watches in `mode`: with `follow`, a closed stream or an unreachable daemon is said once and the watch connects
    /// again (every second, then every 5 s) until cancelled; without it, the first such failure ends the command.
    static func watch(in context: CommandContext, mode: WatchMode, retryPause: Duration = .seconds(1)) async throws(HotspotctlError) {
        let compact = mode.compact && !context.json
            ? CompactWatch(client: context.client, timestamps: context.timestamps, messages: context.messages) : nil
        guard mode.follow else {
            try await follow(in: context, compact: compact)
            return
        }
        var announced = false
        var pause = retryPause
        while !Task.isCancelled {
            do {
                try await follow(in: context, compact: compact)
                return   // cancelled
            } catch {
                switch error {
                case .eventStreamEnded, .connectionFailed, .daemonUnreachable:
                    if !announced, !context.json {
                        context.output.write("\(context.timestamps.time(Date())) hotspotd injoignable : reconnexion automatique…\n")
                    }
                    announced = true
                default:
                    throw error
                }
            }
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .seconds(5))
            // The next successful connection starts with a line saying so.
            if announced, (try? await context.client.plans()) != nil {
                if !context.json { context.output.write("\(context.timestamps.time(Date())) hotspotd de nouveau joignable\n") }
                announced = false
                pause = retryPause
            }
        }
    }
}

/// `watch --compact`: one line per state change of a device, with what the station identified and what to do next:
/// `14:03:22 d3 gauche E5573 IMEI …1234 ICCID …6782 PRÊT — Remettre l'appareil`.
actor CompactWatch {
    private let client: StationClient
    private let timestamps: LocalTimestamp
    private let messages: Messages
    /// Per device: the verdict last printed and whether its identity was known then.
    private var lastShown: [String: String] = [:]

    init(client: StationClient, timestamps: LocalTimestamp, messages: Messages = Messages(language: .french)) {
        self.client = client
        self.timestamps = timestamps
        self.messages = messages
    }

    /// The line for an event, or nil when it tells the counter nothing new: a step, or the same verdict with nothing
    /// newly identified (`connecting` then `identifying` are both `EN COURS`).
    func line(for event: StationEvent) async -> String? {
        guard event.kind != "step" else { return nil }
        let device = try? await client.device(event.deviceID)
        let key = messages.verdict(state: event.state.rawValue) + (device?.imei != nil || device?.iccid != nil ? "+id" : "")
        guard lastShown[event.deviceID] != key else { return nil }
        if lastShown.count > 4096 { lastShown = [:] }
        lastShown[event.deviceID] = key
        return Self.render(event: event, device: device, timestamps: timestamps, messages: messages)
    }

    /// The line itself; `device` is the status fetched just after the event (nil when it could not be had).
    /// A failure's action is the message catalog's sentence for its code, when the catalog knows it.
    static func render(event: StationEvent, device: DeviceStatus?, timestamps: LocalTimestamp,
                       messages: Messages = Messages(language: .french)) -> String {
        var parts = [timestamps.time(event.at), device?.id ?? event.deviceID]
        if let device {
            if let socket = device.socket { parts.append(socket) }
            if let model = device.model ?? device.manufacturer { parts.append(model) }
            if device.imei != nil { parts.append("IMEI " + BoardRenderer.lastFour(device.imei)) }
            if device.iccid != nil { parts.append("ICCID " + BoardRenderer.lastFour(device.iccid)) }
            if let plan = device.plan, event.state == .done || event.state == .provisioning { parts.append(plan) }
        }
        parts.append(messages.verdict(state: event.state.rawValue))
        var action = messages.counterAction(state: event.state.rawValue, failureCode: device?.failure?.code.rawValue)
        if event.state == .failed, let failure = device?.failure {
            action = (messages.action(failure.code) ?? action) + " [\(failure.code)]"
        }
        parts.append("— " + action)
        return TerminalText.sanitize(parts.joined(separator: " "))
    }
}
