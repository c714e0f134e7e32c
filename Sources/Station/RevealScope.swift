/// What a request asks to reveal, from its `reveal` query parameter.
///
/// `reveal=1` (or `true`) is the original meaning: the Wi-Fi key for a technician, the key and full identifiers
/// (IMEI, IMSI, ICCID), voucher codes and ledger identifiers for a supervisor. `reveal=key` asks for the Wi-Fi key
/// only (a technician's hand-over); `reveal=ids` for identifiers, voucher codes and ledger identifiers only, and needs a
/// supervisor even on device routes; `reveal=key,ids` for both.
struct RevealScope: Sendable, Equatable {
    /// The Wi-Fi key and QR payload.
    var key = false
    /// Full identifiers, voucher codes, ledger identifiers (a supervisor's).
    var identifiers = false
    /// `reveal=1`: everything the caller's role allows, identifiers only for supervisors.
    var everythingAllowed = false

    /// Nothing revealed.
    static let none = RevealScope()

    /// The scope of a `reveal` value; `nil` when it names something unknown.
    init?(query: String?) {
        guard let query, !query.isEmpty else { return }
        if query == "1" || query == "true" {
            everythingAllowed = true
            return
        }
        if query == "0" || query == "false" { return }
        for part in query.split(separator: ",", omittingEmptySubsequences: false) {
            switch part {
            case "key": key = true
            case "ids": identifiers = true
            default: return nil
            }
        }
    }

    private init() {}

    /// Whether the Wi-Fi key is shown.
    var showsKey: Bool { key || everythingAllowed }

    /// Whether identifiers are shown to a caller of `role`.
    func showsIdentifiers(role: CallerRole) -> Bool {
        identifiers || (everythingAllowed && role == .supervisor)
    }

    /// Whether voucher codes and ledger identifiers are shown (a supervisor's, as `AccessPolicy` enforces).
    var showsRecords: Bool { identifiers || everythingAllowed }
}
