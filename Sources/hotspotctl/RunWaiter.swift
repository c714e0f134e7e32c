import Foundation
import Localization
import StationAPI

/// Follows one device's run until it ends: `provision --wait`.
///
/// Polls the device (twice a second) rather than the event stream, so a daemon restart in the middle costs nothing but
/// a few failed polls: it keeps asking until the deadline. A terminal state counts only when it belongs to this run:
/// seen after a working state, or changed at or after the request (a `done` left by an earlier run does not end the
/// wait).
struct RunWaiter: Sendable {
    /// The daemon's API.
    var client: StationClient
    /// How times are shown.
    var timestamps: LocalTimestamp
    /// Where step lines go; nil prints nothing (`--json`).
    var output: (any OutputSink)?
    /// Pause between polls.
    var interval: Duration = .milliseconds(500)
    /// The language of the step lines' state and step names (English: the codes themselves).
    var messages = Messages(language: .english)

    /// The device's status once its run ended (done or failed, or gone), or `.runFailed` with `wait-timeout` when
    /// `timeout` passes first.
    func wait(for device: String, requestedAt: Date, first: DeviceStatus, timeout: Duration) async throws(HotspotctlError) -> DeviceStatus {
        let deadline = ContinuousClock.now + timeout
        // ISO 8601 in the API carries whole seconds: compare from the start of the request's second.
        let since = Date(timeIntervalSince1970: requestedAt.timeIntervalSince1970.rounded(.down))
        var sawWorking = Self.isWorking(first.state)
        var lastStep: String?
        var current = first
        var reference = device
        while true {
            if Self.isTerminal(current.state), sawWorking || current.updatedAt >= since { return current }
            guard ContinuousClock.now < deadline, !Task.isCancelled else {
                throw .runFailed(device: reference, failure: FailureInfo(
                    code: .waitTimeout, message: "the run had not ended when --wait gave up (state \(current.state.rawValue))"))
            }
            try? await Task.sleep(for: interval)
            do {
                current = try await client.device(reference)
                reference = current.id   // the stable id follows the device across a re-plug or restart
            } catch {
                switch error {
                case .daemonUnreachable, .connectionFailed: continue   // a restart: keep asking until the deadline
                default: throw error
                }
            }
            if Self.isWorking(current.state) { sawWorking = true }
            if let output, let step = current.step, step != lastStep, !Self.isTerminal(current.state) {
                let line = [timestamps.time(current.updatedAt), current.id, messages.text(.state(current.state.rawValue)),
                            messages.text(.step(step))].joined(separator: " ")
                output.write(TerminalText.sanitize(line) + "\n")
                lastStep = step
            }
        }
    }

    static func isTerminal(_ state: DeviceState) -> Bool { state == .done || state == .failed || state == .gone }
    static func isWorking(_ state: DeviceState) -> Bool {
        state == .connecting || state == .identifying || state == .provisioning
    }
}
