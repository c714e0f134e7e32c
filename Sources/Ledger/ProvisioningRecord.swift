#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where one provisioning run is: running until finished once, as succeeded or failed.
public enum ProvisioningState: String, Sendable, Codable, CaseIterable, Equatable {
    /// Started, not finished.
    case running
    /// Finished with the device ready to hand over.
    case succeeded
    /// Finished with a failure code and message.
    case failed
}

/// How a provisioning ended, passed to `finishProvisioning`.
public enum ProvisioningOutcome: Sendable, Equatable {
    /// Everything was done and verified.
    case succeeded
    /// A step failed; `code` is the workflow's stable failure code, `message` a sentence.
    case failed(code: String, message: String)
}

/// One provisioning run of one device, as the ledger holds it; its steps are events.
public struct ProvisioningRecord: Sendable, Codable, Equatable, Identifiable {
    /// Row id.
    public var id: Int64
    /// The device's IMEI.
    public var deviceIMEI: String
    /// The SIM's ICCID, when known at start.
    public var iccid: String?
    /// The plan chosen, when known at start.
    public var plan: String?
    /// Running, succeeded or failed.
    public var state: ProvisioningState
    /// Stable failure code when failed.
    public var failureCode: String?
    /// Failure sentence when failed.
    public var failureMessage: String?
    /// Wi-Fi name set on the device.
    public var wifiSSID: String?
    /// Wi-Fi key set on the device (secret: the technician hands it over; never logged).
    public var wifiKey: String?
    /// Start time.
    public var startedAt: Date
    /// Finish time; nil while running.
    public var finishedAt: Date?
    /// Unix uid of the API caller who started it; nil for the station's own policy.
    public var actorUID: Int?
    /// The order this run works for; nil for runs from before orders existed.
    public var orderID: Int64?

    /// Makes a provisioning value.
    public init(id: Int64, deviceIMEI: String, iccid: String?, plan: String?, state: ProvisioningState,
                failureCode: String?, failureMessage: String?, wifiSSID: String?, wifiKey: String?,
                startedAt: Date, finishedAt: Date?, actorUID: Int?, orderID: Int64? = nil) {
        self.id = id
        self.deviceIMEI = deviceIMEI
        self.iccid = iccid
        self.plan = plan
        self.state = state
        self.failureCode = failureCode
        self.failureMessage = failureMessage
        self.wifiSSID = wifiSSID
        self.wifiKey = wifiKey
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.actorUID = actorUID
        self.orderID = orderID
    }
}
