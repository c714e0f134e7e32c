import Foundation
import StationAPI

/// Whether human output is coloured, and the colours: only on a terminal, never with `--json`, never when `NO_COLOR`
/// is set to anything (https://no-color.org), never on a `dumb` terminal.
struct Colour: Sendable, Equatable {
    /// Whether escape sequences are written.
    var enabled: Bool

    /// No colour: files, pipes, tests.
    static let off = Colour(enabled: false)

    /// What a colour means.
    enum Meaning: String, Sendable {
        /// Green: done.
        case good = "32"
        /// Red: failed, gone.
        case bad = "31"
        /// Yellow: under way, waiting.
        case busy = "33"
    }

    /// The decision for output on file descriptor `descriptor`.
    static func decide(json: Bool, descriptor: Int32?, environment: [String: String]) -> Colour {
        guard !json, let descriptor else { return .off }
        if let noColour = environment["NO_COLOR"], !noColour.isEmpty { return .off }
        if environment["TERM"] == "dumb" { return .off }
        return Colour(enabled: isatty(descriptor) == 1)
    }

    /// `text` in the colour of `meaning`, or `text` as is when colour is off.
    func paint(_ text: String, _ meaning: Meaning) -> String {
        enabled ? "\u{1B}[\(meaning.rawValue)m" + text + "\u{1B}[0m" : text
    }

    /// The colour of a device state.
    static func meaning(of state: DeviceState) -> Meaning {
        switch state {
        case .done: .good
        case .failed, .gone: .bad
        case .connecting, .identifying, .awaitingPlan, .provisioning: .busy
        }
    }
}
