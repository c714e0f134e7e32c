/// What a catalog entry is about: a failure, a state, a step, a role, a voucher state or a fixed label.
///
/// Codes are the stable ones scripts and `--json` see (`voucher-rejected`, `awaiting-plan`, `balance-before`…); only
/// the sentence shown to people changes with the language.
public enum MessageKey: Hashable, Sendable {
    /// A failure code (`FailureInfo.code`, `APIErrorBody.error.code`): what happened.
    case failure(String)
    /// A device state (`DeviceState` raw value).
    case state(String)
    /// A provisioning step (`ProvisioningStep` raw value, or `mode-switch`).
    case step(String)
    /// A device role (`DeviceRole` raw value).
    case role(String)
    /// A voucher state (`VoucherState` raw value).
    case voucherState(String)
    /// A fixed label or phrase of the command-line output.
    case label(Label)
}

/// The message catalog in one language: `Messages(language: .french).text(.failure("voucher-rejected"))`.
///
/// Every failure code has two sentences per language: `text` says what happened, `action` what the technician does
/// next. A code the catalog does not know (a newer daemon) still gets a sentence that names it, so nothing is hidden.
public struct Messages: Sendable {
    /// The language of every sentence this value gives.
    public let language: Language

    /// The catalog in `language`.
    public init(language: Language) {
        self.language = language
    }

    /// The sentence for a key; an unknown code gives a sentence naming the code (or, for states and the like, the
    /// code itself).
    public func text(_ key: MessageKey) -> String {
        switch key {
        case .failure(let code):
            if let entry = FailureCatalog.entry(code) { return language.pick(fr: entry.fr, en: entry.en) }
            return language.pick(fr: "Erreur « \(code) ».", en: "Error '\(code)'.")
        case .state(let code):
            return StateCatalog.states[code].map { language.pick(fr: $0.fr, en: $0.en) } ?? code
        case .step(let code):
            return StateCatalog.steps[code].map { language.pick(fr: $0.fr, en: $0.en) } ?? code
        case .role(let code):
            return StateCatalog.roles[code].map { language.pick(fr: $0.fr, en: $0.en) } ?? code
        case .voucherState(let code):
            return StateCatalog.voucherStates[code].map { language.pick(fr: $0.fr, en: $0.en) } ?? code
        case .label(let label):
            let pair = label.texts
            return language.pick(fr: pair.fr, en: pair.en)
        }
    }

    /// What to do about a failure, one sentence; `nil` for a code the catalog does not know.
    public func action(_ code: String) -> String? {
        FailureCatalog.entry(code).map { language.pick(fr: $0.actionFR, en: $0.actionEN) }
    }

    /// A failure for people: the sentence, then what to do, then the stable code in brackets, e.g.
    /// `Le bon a été refusé par l'opérateur. Action : … [voucher-rejected]`.
    public func failure(code: String) -> String {
        var text = self.text(.failure(code))
        if let action = action(code) { text += " " + self.text(.label(.actionPrefix)) + action }
        return text + " [\(code)]"
    }

    /// Whether the catalog has both languages' sentence and action for this failure code.
    public static func knowsFailure(_ code: String) -> Bool {
        guard let entry = FailureCatalog.entry(code) else { return false }
        return [entry.fr, entry.en, entry.actionFR, entry.actionEN].allSatisfy { !$0.isEmpty }
    }

    /// Every failure code with an entry of its own (families such as `ledger-…` are answered besides these).
    public static var failureCodes: [String] { FailureCatalog.entries.keys.sorted().map(\.rawValue) }
}
