/// Names of device states, provisioning steps, device roles and voucher states, French and English.
///
/// The English names are the codes themselves (`awaiting-plan`, `balance-before`): English output stays the one
/// scripts and the documentation already show; French output names them in words.
enum StateCatalog {
    /// `DeviceState` raw values.
    static let states: [String: (fr: String, en: String)] = [
        "connecting": ("connexion", "connecting"),
        "identifying": ("identification", "identifying"),
        "awaiting-plan": ("attend un forfait", "awaiting-plan"),
        "provisioning": ("approvisionnement", "provisioning"),
        "done": ("prêt", "done"),
        "failed": ("échec", "failed"),
        "gone": ("débranché", "gone"),
    ]

    /// `ProvisioningStep` raw values, and discovery's `mode-switch`.
    static let steps: [String: (fr: String, en: String)] = [
        "identify": ("identification", "identify"),
        "sim": ("carte SIM", "sim"),
        "plan": ("forfait", "plan"),
        "balance-before": ("solde avant", "balance-before"),
        "reserve": ("réservation du bon", "reserve"),
        "recharge": ("recharge", "recharge"),
        "confirm": ("confirmation du solde", "confirm"),
        "wifi": ("Wi-Fi", "wifi"),
        "verify": ("vérification", "verify"),
        "mode-switch": ("changement de mode USB", "mode-switch"),
    ]

    /// `DeviceRole` raw values.
    static let roles: [String: (fr: String, en: String)] = [
        "hotspot": ("point d'accès", "hotspot"),
        "modem": ("clé modem", "modem"),
        "sim-reader": ("lecteur SIM", "sim-reader"),
        "unknown": ("inconnu", "unknown"),
    ]

    /// `VoucherState` raw values.
    static let voucherStates: [String: (fr: String, en: String)] = [
        "available": ("disponible", "available"),
        "reserved": ("réservé", "reserved"),
        "sending": ("en cours d'envoi", "sending"),
        "applied": ("utilisé", "applied"),
        "rejected": ("refusé", "rejected"),
        "unknown": ("inconnu", "unknown"),
        "manual": ("réglé à la main", "manual"),
    ]

    /// Every state, step, role and voucher-state code the catalog names, for tests.
    static var allCodes: (states: [String], steps: [String], roles: [String], voucherStates: [String]) {
        (states.keys.sorted(), steps.keys.sorted(), roles.keys.sorted(), voucherStates.keys.sorted())
    }
}

extension Messages {
    /// The state codes the catalog names (`DeviceState` raw values).
    public static var stateCodes: [String] { StateCatalog.states.keys.sorted() }
    /// The step codes the catalog names.
    public static var stepCodes: [String] { StateCatalog.steps.keys.sorted() }
    /// The role codes the catalog names.
    public static var roleCodes: [String] { StateCatalog.roles.keys.sorted() }
    /// The voucher-state codes the catalog names.
    public static var voucherStateCodes: [String] { StateCatalog.voucherStates.keys.sorted() }
}
