/// The counter's short words (the board, `watch --compact`), French and English: the big verdict of a device state,
/// the action to take in at most 21 columns, step names in at most 9, and the summary line.
///
/// Keyed by the stable codes (`DeviceState` raw values, failure codes, step codes), like the rest of the catalog.
enum CounterCatalog {
    /// The widest an action may be: the board's last column at 80 columns.
    static let actionWidth = 21
    /// The widest a short step name may be: the board's step column.
    static let stepWidth = 9

    /// The verdict per state: `PRÊT` / `READY`…
    static let verdicts: [String: (fr: String, en: String)] = [
        "done": ("PRÊT", "READY"),
        "failed": ("ÉCHEC", "FAILED"),
        "connecting": ("EN COURS", "WORKING"),
        "identifying": ("EN COURS", "WORKING"),
        "provisioning": ("EN COURS", "WORKING"),
        "awaiting-plan": ("À CHOISIR", "CHOOSE"),
        "gone": ("DÉBRANCHÉ", "UNPLUGGED"),
    ]

    /// The action per state other than `failed`.
    static let stateActions: [String: (fr: String, en: String)] = [
        "done": ("Remettre l'appareil", "Hand it over"),
        "awaiting-plan": ("Choisir un forfait", "Choose a plan"),
        "connecting": ("Attendre", "Wait"),
        "identifying": ("Attendre", "Wait"),
        "provisioning": ("Attendre", "Wait"),
        "gone": ("Rebrancher si besoin", "Plug in if needed"),
    ]

    /// The action per failure code; other codes send the technician to `hotspotctl status`, which has the sentence.
    static let failureActions: [String: (fr: String, en: String)] = [
        "sim-pin-required": ("Saisir le PIN SIM", "Enter the SIM PIN"),
        "no-voucher-available": ("Importer des bons", "Import vouchers"),
        "voucher-rejected": ("Bon refusé : relancer", "Refused: run again"),
        "voucher-unknown": ("Bon à régler (admin)", "Voucher: ask admin"),
        "voucher-unsettled": ("Bon à régler (admin)", "Voucher: ask admin"),
        "balance-not-increased": ("Vérifier le solde", "Check the balance"),
        "device-gone": ("Rebrancher l'appareil", "Plug it back in"),
        "quarantined": ("Appeler superviseur", "Call a supervisor"),
        "already-served": ("Déjà servi (topup ?)", "Served: use topup"),
        "wifi-invalid": ("Relancer le Wi-Fi", "Set Wi-Fi again"),
        "wifi-readback-mismatch": ("Relancer le Wi-Fi", "Set Wi-Fi again"),
    ]

    /// The action of a failure without a short sentence of its own.
    static let otherFailure = (fr: "hotspotctl status", en: "hotspotctl status")

    /// Step names short enough for the board's column.
    static let shortSteps: [String: (fr: String, en: String)] = [
        "identify": ("identif.", "identify"),
        "read-sim": ("lect. SIM", "read-sim"),
        "sim": ("SIM", "sim"),
        "plan": ("forfait", "plan"),
        "balance-before": ("solde av.", "balance"),
        "reserve": ("réserv.", "reserve"),
        "recharge": ("recharge", "recharge"),
        "confirm": ("confirm.", "confirm"),
        "wifi": ("Wi-Fi", "wifi"),
        "verify": ("vérif.", "verify"),
        "mode-switch": ("mode USB", "usb-mode"),
    ]
}

extension Messages {
    /// The board's big word for a state: `PRÊT`, `ÉCHEC`, `EN COURS`, `À CHOISIR`, `DÉBRANCHÉ` (`READY`, `FAILED`…);
    /// an unknown state (a newer daemon) is shown in capitals as it is.
    public func verdict(state: String) -> String {
        CounterCatalog.verdicts[state].map { language.pick(fr: $0.fr, en: $0.en) } ?? state.uppercased()
    }

    /// What the technician does next, in at most 21 columns: by the failure code for a failed device, by the state
    /// otherwise.
    public func counterAction(state: String, failureCode: String?) -> String {
        if state == "failed" {
            let pair = failureCode.flatMap { CounterCatalog.failureActions[$0] } ?? CounterCatalog.otherFailure
            return language.pick(fr: pair.fr, en: pair.en)
        }
        return CounterCatalog.stateActions[state].map { language.pick(fr: $0.fr, en: $0.en) } ?? "hotspotctl status"
    }

    /// A step's name in at most 9 columns (`solde av.`); an unknown step is its code.
    public func shortStep(_ code: String) -> String {
        CounterCatalog.shortSteps[code].map { language.pick(fr: $0.fr, en: $0.en) } ?? code
    }

    /// The counter's summary: `3 prêts, 1 en échec, 2 en cours, 1 à choisir, 12 × 500 Mo en stock`
    /// (`3 ready, 1 failed, 2 working, 1 to choose, 12 × 500 MB in stock`); working and choosing only when not zero.
    public func counterSummary(states: [String], stock: [(megabytes: Int, available: Int)]) -> String {
        let done = states.filter { $0 == "done" }.count
        let failed = states.filter { $0 == "failed" }.count
        let working = states.filter { ["connecting", "identifying", "provisioning"].contains($0) }.count
        let waiting = states.filter { $0 == "awaiting-plan" }.count
        var parts = [language.pick(fr: "\(done) \(done > 1 ? "prêts" : "prêt")", en: "\(done) ready"),
                     language.pick(fr: "\(failed) en échec", en: "\(failed) failed")]
        if working > 0 { parts.append(language.pick(fr: "\(working) en cours", en: "\(working) working")) }
        if waiting > 0 { parts.append(language.pick(fr: "\(waiting) à choisir", en: "\(waiting) to choose")) }
        let stocked = stock.sorted { $0.megabytes < $1.megabytes }
        if stocked.isEmpty {
            parts.append(language.pick(fr: "aucun bon en stock", en: "no vouchers in stock"))
        } else {
            let list = stocked.map { "\($0.available) × \(Units.megabytes($0.megabytes, language: language))" }
                .joined(separator: ", ")
            parts.append(list + language.pick(fr: " en stock", en: " in stock"))
        }
        return parts.joined(separator: ", ")
    }

    /// Every state, failure code and step the counter's words name, for tests.
    public static var counterCodes: (states: [String], failures: [String], steps: [String]) {
        (CounterCatalog.verdicts.keys.sorted(), CounterCatalog.failureActions.keys.sorted(),
         CounterCatalog.shortSteps.keys.sorted())
    }
}
