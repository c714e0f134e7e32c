/// Where a prepaid voucher is in its life; the raw values are what the `vouchers.state` column holds.
///
/// `available → reserved → sending → applied | rejected | unknown`, `reserved → available`
/// (release, never sent), and `unknown → applied | rejected | manual` (settlement). Nothing else.
/// `sending` is committed before the USSD command leaves, so a crash can never hide a send.
public enum VoucherState: String, Sendable, Codable, CaseIterable, Equatable, Hashable {
    /// Imported, free to reserve.
    case available
    /// Held for one provisioning and SIM; not sent yet.
    case reserved
    /// The USSD command may have left; outcome not known yet.
    case sending
    /// The operator accepted it (confirmed by reply or balance).
    case applied
    /// The operator refused it; the code is spent or invalid.
    case rejected
    /// The outcome is unknown (timeout, unplug, crash); never re-sent automatically.
    case unknown
    /// A technician settled an unknown voucher by hand, outcome outside the ledger.
    case manual

    /// True for `sending` and `unknown`: a SIM holding such a voucher gets no other.
    public var isUnsettled: Bool { self == .sending || self == .unknown }

    /// True when no transition leaves this state.
    public var isFinal: Bool { self == .applied || self == .rejected || self == .manual }

    /// Whether the machine allows `self → next`.
    public func canMove(to next: VoucherState) -> Bool {
        VoucherState.allowedTransitions.contains(Transition(from: self, to: next))
    }

    struct Transition: Hashable {
        var from: VoucherState
        var to: VoucherState
    }

    /// The whole machine; the schema trigger `vouchers_state_machine` lists the same pairs.
    static let allowedTransitions: Set<Transition> = [
        Transition(from: .available, to: .reserved),
        Transition(from: .reserved, to: .available),
        Transition(from: .reserved, to: .sending),
        Transition(from: .sending, to: .applied),
        Transition(from: .sending, to: .rejected),
        Transition(from: .sending, to: .unknown),
        Transition(from: .unknown, to: .applied),
        Transition(from: .unknown, to: .rejected),
        Transition(from: .unknown, to: .manual),
    ]
}

/// How a technician or a balance comparison settles an `unknown` voucher.
public enum VoucherSettlement: String, Sendable, Codable, Equatable {
    /// The credit arrived (balance rose by the plan's amount, or the operator confirms).
    case applied
    /// The credit did not arrive and the code is spent or refused.
    case rejected
    /// Settled outside the ledger (refund, operator ticket); the note says how.
    case manual

    var state: VoucherState {
        switch self {
        case .applied: .applied
        case .rejected: .rejected
        case .manual: .manual
        }
    }
}
