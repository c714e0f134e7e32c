import FailureCodes
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The words the counter reads (board, compact watch, systemd status line, hooks), in one place for daemon and CLI.
///
/// French first: the stations stand in French offices. The action sentences per failure code come from the message
/// catalog when it is present; these are the fallbacks.
public enum CounterWords {
    /// The big word of a device's state on the board: `PRÊT`, `ÉCHEC`, `EN COURS`…
    public static func verdict(_ state: DeviceState) -> String {
        switch state {
        case .done: return "PRÊT"
        case .failed: return "ÉCHEC"
        case .connecting, .identifying, .provisioning: return "EN COURS"
        case .awaitingPlan: return "À CHOISIR"
        case .gone: return "DÉBRANCHÉ"
        }
    }

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

    /// What the technician does next, in at most 21 characters (the board's last column at 80 columns).
    public static func action(state: DeviceState, failureCode: FailureCode?) -> String {
        switch state {
        case .done: return "Remettre l'appareil"
        case .awaitingPlan: return "Choisir un forfait"
        case .connecting, .identifying, .provisioning: return "Attendre"
        case .gone: return "Rebrancher si besoin"
        case .failed: return failureAction(failureCode)
        }
    }

    /// The action for a failure code; a code without its own sentence says where to look.
    public static func failureAction(_ code: FailureCode?) -> String {
        switch code {
        case .simPINRequired?: return "Saisir le PIN SIM"
        case .noVoucherAvailable?: return "Importer des bons"
        case .voucherRejected?: return "Bon refusé : relancer"
        case .voucherUnknown?, .voucherUnsettled?: return "Bon à régler (admin)"
        case .balanceNotIncreased?: return "Vérifier le solde"
        case .deviceGone?: return "Rebrancher l'appareil"
        case .quarantined?: return "Appeler superviseur"
        case .alreadyServed?: return "Déjà servi (topup ?)"
        case .wifiInvalid?, .wifiReadbackMismatch?: return "Relancer le Wi-Fi"
        case nil: return "hotspotctl status"
        default: return "hotspotctl status"
        }
    }

    /// A plan's volume in French units: `500 Mo`, `2 Go`, `1,5 Go`.
    public static func volume(megabytes: Int) -> String {
        if megabytes >= 1000, megabytes % 1024 == 0 { return "\(megabytes / 1024) Go" }
        if megabytes >= 1000, megabytes % 1000 == 0 { return "\(megabytes / 1000) Go" }
        if megabytes >= 1000 {
            let tenths = (megabytes * 10 + 512) / 1024
            return tenths % 10 == 0 ? "\(tenths / 10) Go" : "\(tenths / 10),\(tenths % 10) Go"
        }
        return "\(megabytes) Mo"
    }

    /// The systemd status line: `3 prêts, 1 en échec, 2 en cours, 12 × 500 Mo en stock`.
    public static func statusLine(devices: [DeviceState], stock: [(megabytes: Int, available: Int)]) -> String {
        let done = devices.filter { $0 == .done }.count
        let failed = devices.filter { $0 == .failed }.count
        let working = devices.filter { tone($0) == .working }.count
        let waiting = devices.filter { $0 == .awaitingPlan }.count
        var parts = ["\(done) \(done > 1 ? "prêts" : "prêt")", "\(failed) en échec"]
        if working > 0 { parts.append("\(working) en cours") }
        if waiting > 0 { parts.append("\(waiting) à choisir") }
        let stocked = stock.sorted { $0.megabytes < $1.megabytes }
        if stocked.isEmpty {
            parts.append("aucun bon en stock")
        } else {
            parts.append(stocked.map { "\($0.available) × \(volume(megabytes: $0.megabytes))" }.joined(separator: ", ") + " en stock")
        }
        return parts.joined(separator: ", ")
    }
}
