/// Huawei `^CPIN?`: the PIN state plus the remaining attempts for each code.
///
/// Form: `^CPIN: <code>,[<times>],<puk_times>,<pin_times>,<puk2_times>,<pin2_times>`.
public struct SIMPinRetries: Sendable, Equatable {
    /// What the SIM waits for.
    public var state: SIMPinState
    /// Attempts left for the code currently asked for (`<times>`), when given.
    public var remaining: Int?
    /// PIN attempts left.
    public var pinRemaining: Int?
    /// PUK attempts left.
    public var pukRemaining: Int?
    /// PIN2 attempts left.
    public var pin2Remaining: Int?
    /// PUK2 attempts left.
    public var puk2Remaining: Int?

    /// Creates a record.
    public init(state: SIMPinState, remaining: Int? = nil, pinRemaining: Int? = nil, pukRemaining: Int? = nil,
                pin2Remaining: Int? = nil, puk2Remaining: Int? = nil) {
        self.state = state
        self.remaining = remaining
        self.pinRemaining = pinRemaining
        self.pukRemaining = pukRemaining
        self.pin2Remaining = pin2Remaining
        self.puk2Remaining = puk2Remaining
    }
}
