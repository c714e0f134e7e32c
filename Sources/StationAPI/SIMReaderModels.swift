#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An order as the API shows it (`GET /v1/orders`): what was bought for which SIM, by whom, and where it is.
public struct OrderInfo: Codable, Sendable, Equatable {
    /// The order's id.
    public var id: Int64
    /// The SIM it credits (redacted to its last digits unless revealed).
    public var iccid: String
    /// The plan it buys.
    public var plan: String
    /// Who asked: `policy`, `provision`, `again`, `topup`.
    public var origin: String
    /// `open`, `fulfilled` or `cancelled`.
    public var state: String
    /// Its credit: `none`, `pending`, `applied`.
    public var credit: String
    /// Unix uid of the person who placed it (nil: the station's policy).
    public var actorUID: Int?
    /// When it was placed.
    public var createdAt: Date
    /// When it was fulfilled or cancelled.
    public var closedAt: Date?

    /// Creates an order view.
    public init(id: Int64, iccid: String, plan: String, origin: String, state: String, credit: String, actorUID: Int?,
                createdAt: Date, closedAt: Date?) {
        self.id = id
        self.iccid = iccid
        self.plan = plan
        self.origin = origin
        self.state = state
        self.credit = credit
        self.actorUID = actorUID
        self.createdAt = createdAt
        self.closedAt = closedAt
    }
}

/// `POST /v1/devices/{id}/unlock`: one SIM PIN attempt, given by a technician.
public struct UnlockRequest: Codable, Sendable, Equatable {
    /// The PIN (4–8 digits). Never logged; stored only in the daemon's memory, and only with `remember`.
    public var pin: String
    /// For a hotspot or modem: keep the PIN, in the daemon's memory only, for this SIM's later identifications.
    public var remember: Bool?

    /// Creates a request.
    public init(pin: String, remember: Bool? = nil) {
        self.pin = pin
        self.remember = remember
    }
}

/// What one PIN attempt did.
public struct UnlockResult: Codable, Sendable, Equatable {
    /// Whether the SIM took the PIN.
    public var accepted: Bool
    /// Tries left before the attempt.
    public var triesBefore: Int?
    /// Tries left after it (0: blocked, the operator's PUK is needed).
    public var triesAfter: Int?
    /// The SIM's state after it (`READY`, `SIM PIN`, `SIM PUK`).
    public var simState: String?
    /// The device as it is now.
    public var device: DeviceStatus

    /// Creates a result.
    public init(accepted: Bool, triesBefore: Int?, triesAfter: Int?, simState: String?, device: DeviceStatus) {
        self.accepted = accepted
        self.triesBefore = triesBefore
        self.triesAfter = triesAfter
        self.simState = simState
        self.device = device
    }
}
