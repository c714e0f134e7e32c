import FailureCodes

/// Where provisioning writes what it does: the ledger, behind a protocol so the workflow stays free of SQLite.
///
/// Every call returns only once the record is durable. `markSending` in particular must be committed before the
/// caller writes the USSD command: that row is what stops a voucher from ever being sent twice.
public protocol ProvisioningRecorder: Sendable {
    /// Records the device and SIM as read from the device.
    func recordIdentity(_ identity: DeviceIdentity) async throws(RecorderError)
    /// Opens a provisioning run for `order` and returns its id.
    func startProvisioning(identity: DeviceIdentity, order: ProvisioningOrder) async throws(RecorderError) -> Int64
    /// Records one step's progress.
    func recordStep(_ provisioningID: Int64, step: ProvisioningStep, status: StepStatus,
                    detail: [String: String]) async throws(RecorderError)
    /// Reserves an available voucher of the plan for this run and SIM; `nil` when none is left.
    func reserveVoucher(plan: String, provisioningID: Int64, iccid: String) async throws(RecorderError) -> ReservedVoucher?
    /// Puts a reserved, never-sent voucher back.
    func releaseVoucher(_ id: Int64) async throws(RecorderError)
    /// Commits `sending`; after this returns, the voucher can only end `applied`, `rejected` or `unknown`.
    func markSending(_ id: Int64) async throws(RecorderError)
    /// The operator accepted the voucher.
    func markApplied(_ id: Int64, balanceBeforeMB: Int?, balanceAfterMB: Int?, rawReply: String) async throws(RecorderError)
    /// The operator refused the voucher.
    func markRejected(_ id: Int64, rawReply: String) async throws(RecorderError)
    /// The outcome is not known; a balance comparison or a person settles it later.
    func markUnknown(_ id: Int64, reason: String, rawReply: String?) async throws(RecorderError)
    /// Closes the run.
    func finish(_ provisioningID: Int64, outcome: ProvisioningOutcome, wifi: WiFiSettings?) async throws(RecorderError)
}

/// A voucher handed to one provisioning run.
public struct ReservedVoucher: Sendable, Equatable {
    /// The ledger id.
    public var id: Int64
    /// The secret code; never logged.
    public var code: String
    /// The plan it buys.
    public var plan: String
    /// Creates a reserved voucher.
    public init(id: Int64, code: String, plan: String) {
        self.id = id
        self.code = code
        self.plan = plan
    }
}

/// A ledger write that failed, with a stable code (`disk-full`, `sim-has-unsettled-voucher`…).
public struct RecorderError: Error, Sendable, Equatable {
    /// Stable code.
    public var code: FailureCode
    /// A sentence for people.
    public var message: String
    /// Creates an error.
    public init(code: FailureCode, message: String) {
        self.code = code
        self.message = message
    }
}

/// How a run ended.
public enum ProvisioningOutcome: Sendable, Equatable {
    /// Every step succeeded.
    case succeeded
    /// A step failed.
    case failed(ProvisioningFailure)
}

/// One step of a run's progress.
public enum StepStatus: String, Sendable, Codable {
    case started, succeeded, failed, skipped
}
