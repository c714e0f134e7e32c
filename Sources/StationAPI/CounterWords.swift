#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// How the counter colours a device's state (board, compact watch), shared by daemon and CLI.
///
/// The words themselves (verdicts, actions, the systemd status line) are in the message catalog
/// (`Localization/CounterCatalog.swift`), in French and English.
public enum CounterWords {
    /// What kind of verdict a state is, for colour: good, bad, waiting for a person, working, absent.
    public enum Tone: Sendable, Equatable {
        /// Done: hand it over.
        case good
        /// Failed.
        case bad
        /// A person must choose or act.
        case attention
        /// The station is working on it.
        case working
        /// Unplugged.
        case absent
    }

    /// The tone of a state.
    public static func tone(_ state: DeviceState) -> Tone {
        switch state {
        case .done: return .good
        case .failed: return .bad
        case .awaitingPlan: return .attention
        case .connecting, .identifying, .provisioning: return .working
        case .gone: return .absent
        }
    }
}
