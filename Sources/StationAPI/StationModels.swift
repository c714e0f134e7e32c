import FailureCodes
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The version of the control API spoken over the Unix socket; routes are prefixed with `/v1`.
///
/// Bump it only for incompatible changes; additive fields keep the version.
public enum StationAPIVersion {
    /// The path prefix every route starts with.
    public static let prefix = "/v1"
}

/// Where a device is in its life at the station.
///
/// The states a technician sees: `identifying` → (`awaitingPlan`) → `provisioning` → `done` or `failed`;
/// `gone` when the device was unplugged or stopped answering.
public enum DeviceState: String, Codable, Sendable, CaseIterable {
    case connecting, identifying, awaitingPlan = "awaiting-plan", provisioning, done, failed, gone
}

/// What kind of device it is: a hotspot has Wi-Fi to configure, a modem stick does not.
public enum DeviceRole: String, Codable, Sendable {
    case hotspot, modem, simReader = "sim-reader", unknown
}

/// A failure with a stable machine-readable code and a sentence for people.
public struct FailureInfo: Codable, Sendable, Equatable {
    /// A stable code such as `sim-pin-required`, `voucher-rejected`, `device-gone`; a plain JSON string on the wire.
    public var code: FailureCode
    /// One sentence saying what happened and what to do.
    public var message: String
    /// The facts behind the sentence as named values (for `wifi-invalid`: `field`, `problem`, `character`…), so a
    /// client can say them in its own language; absent from the JSON when there are none. Never a secret's value.
    public var details: [String: String]?
    /// Creates a failure.
    public init(code: FailureCode, message: String, details: [String: String]? = nil) {
        self.code = code
        self.message = message
        self.details = details
    }
}

/// The Wi-Fi settings handed to the beneficiary.
///
/// `key` is `nil` unless the request asked to reveal secrets.
public struct WiFiInfo: Codable, Sendable, Equatable {
    /// The network name set on the hotspot.
    public var ssid: String
    /// The WPA2 passphrase, or `nil` when redacted.
    public var key: String?
    /// The standard Wi-Fi QR payload (`WIFI:T:WPA;S:…;P:…;;`), only when the key is revealed.
    public var qrPayload: String?
    /// Creates Wi-Fi settings.
    public init(ssid: String, key: String?, qrPayload: String?) {
        self.ssid = ssid
        self.key = key
        self.qrPayload = qrPayload
    }
}

/// A device as the station sees it now.
///
/// Identifiers (IMEI, IMSI, ICCID) are redacted to their last digits unless the request asked to reveal them.
public struct DeviceStatus: Codable, Sendable, Equatable {
    /// The station's handle for the device, such as `d1`; stable while the daemon runs.
    public var id: String
    /// The serial port the station talks to.
    public var port: String
    /// Where the device is in its life.
    public var state: DeviceState
    /// The provisioning step under way or last run (`identify`, `recharge`, `wifi`…).
    public var step: String?
    /// Hotspot, modem stick or SIM reader.
    public var role: DeviceRole
    /// Maker as the device reports it.
    public var manufacturer: String?
    /// Model as the device reports it.
    public var model: String?
    /// Firmware revision.
    public var firmware: String?
    /// IMEI (redacted by default).
    public var imei: String?
    /// IMSI (redacted by default).
    public var imsi: String?
    /// ICCID (redacted by default).
    public var iccid: String?
    /// Whether the ICCID's Luhn check digit is right; a failed check is flagged, never "fixed".
    public var iccidLuhnValid: Bool?
    /// SIM lock state (`READY`, `SIM PIN`…).
    public var simState: String?
    /// Whether the IMEI's check digit is right; a failed check (clones, rewritten IMEIs) is flagged, never refused.
    public var imeiLuhnValid: Bool?
    /// PIN attempts left, when the device says.
    public var pinTriesLeft: Int?
    /// What identified a device that has no IMEI (`iccid`, `hardware`); nil when it has one.
    public var identifiedBy: String?
    /// The identity fields that could not be read, with why (`imei`: "+CGSN answered ERROR").
    public var unreadable: [String: String]?
    /// The operator profile chosen from the IMSI.
    public var operatorName: String?
    /// The plan being or last applied.
    public var plan: String?
    /// The ledger's provisioning id for the current or last run.
    public var provisioningID: Int64?
    /// Data balance in megabytes read after the recharge, when known.
    public var balanceMB: Int?
    /// Wi-Fi settings, for hotspots that were configured.
    public var wifi: WiFiInfo?
    /// Why the last run failed.
    public var failure: FailureInfo?
    /// The ledger order the current or last run worked for (what money was spent for).
    public var orderID: Int64?
    /// When this status last changed.
    public var updatedAt: Date
    /// For a SIM in a card reader: the card's command set, `UICC` or `GSM`.
    public var simType: String? = nil
    /// The desk's name for the USB socket the device is plugged into (configuration `sockets`), else the USB path;
    /// nil for a port attached by hand.
    public var socket: String?
    /// When the station started its session with the device (the board's elapsed time runs from here).
    public var attachedAt: Date?

    /// Creates a status.
    public init(id: String, port: String, state: DeviceState, step: String? = nil, role: DeviceRole = .unknown,
                manufacturer: String? = nil, model: String? = nil, firmware: String? = nil,
                imei: String? = nil, imsi: String? = nil, iccid: String? = nil, iccidLuhnValid: Bool? = nil,
                simState: String? = nil, operatorName: String? = nil, plan: String? = nil,
                provisioningID: Int64? = nil, balanceMB: Int? = nil, wifi: WiFiInfo? = nil,
                failure: FailureInfo? = nil, orderID: Int64? = nil, updatedAt: Date) {
        self.id = id
        self.port = port
        self.state = state
        self.step = step
        self.role = role
        self.manufacturer = manufacturer
        self.model = model
        self.firmware = firmware
        self.imei = imei
        self.imsi = imsi
        self.iccid = iccid
        self.iccidLuhnValid = iccidLuhnValid
        self.simState = simState
        self.operatorName = operatorName
        self.plan = plan
        self.provisioningID = provisioningID
        self.balanceMB = balanceMB
        self.wifi = wifi
        self.failure = failure
        self.orderID = orderID
        self.updatedAt = updatedAt
    }
}

/// A live progress event, streamed as one JSON object per line by `GET /v1/events`.
public struct StationEvent: Codable, Sendable, Equatable {
    /// What happened: `attached`, `state`, `step`, `gone`.
    public var kind: String
    /// The device it concerns.
    public var deviceID: String
    /// The device's state after the event.
    public var state: DeviceState
    /// The step concerned, for `step` events.
    public var step: String?
    /// `started`, `succeeded` or `failed`, for `step` events.
    public var status: String?
    /// A short human sentence.
    public var message: String?
    /// When it happened.
    public var at: Date
    /// Creates an event.
    public init(kind: String, deviceID: String, state: DeviceState, step: String? = nil, status: String? = nil,
                message: String? = nil, at: Date) {
        self.kind = kind
        self.deviceID = deviceID
        self.state = state
        self.step = step
        self.status = status
        self.message = message
        self.at = at
    }
}

/// A data plan sold at the counter.
public struct PlanInfo: Codable, Sendable, Equatable {
    /// The plan's name, also used in voucher files (`500MB`).
    public var name: String
    /// Data volume in megabytes.
    public var megabytes: Int
    /// Price in cents, for display.
    public var priceCents: Int?
    /// Whether headless mode applies this plan by default.
    public var isDefault: Bool
    /// Vouchers of this plan still available.
    public var vouchersAvailable: Int
    /// Creates a plan.
    public init(name: String, megabytes: Int, priceCents: Int?, isDefault: Bool, vouchersAvailable: Int) {
        self.name = name
        self.megabytes = megabytes
        self.priceCents = priceCents
        self.isDefault = isDefault
        self.vouchersAvailable = vouchersAvailable
    }
}

/// A voucher as listed by the API; the code is redacted to its last four characters unless revealed.
public struct VoucherInfo: Codable, Sendable, Equatable {
    /// The ledger id.
    public var id: Int64
    /// The code, redacted by default.
    public var code: String
    /// The plan it buys.
    public var plan: String
    /// `available`, `reserved`, `sending`, `applied`, `rejected`, `unknown` or `manual`.
    public var state: String
    /// The SIM it was used for (redacted by default).
    public var iccid: String?
    /// The provisioning that used it.
    public var provisioningID: Int64?
    /// Balance before the recharge, in megabytes.
    public var balanceBeforeMB: Int?
    /// Balance after the recharge, in megabytes.
    public var balanceAfterMB: Int?
    /// When the state last changed.
    public var updatedAt: Date
    /// Creates a voucher listing row.
    public init(id: Int64, code: String, plan: String, state: String, iccid: String?, provisioningID: Int64?,
                balanceBeforeMB: Int?, balanceAfterMB: Int?, updatedAt: Date) {
        self.id = id
        self.code = code
        self.plan = plan
        self.state = state
        self.iccid = iccid
        self.provisioningID = provisioningID
        self.balanceBeforeMB = balanceBeforeMB
        self.balanceAfterMB = balanceAfterMB
        self.updatedAt = updatedAt
    }
}

/// One row of the ledger's event chain.
public struct LedgerEventInfo: Codable, Sendable, Equatable {
    /// Position in the chain.
    public var seq: Int64
    /// When it was written.
    public var at: Date
    /// What happened (`voucher.sending`, `provisioning.step`…).
    public var kind: String
    /// The provisioning it belongs to.
    public var provisioningID: Int64?
    /// The device's IMEI (redacted by default).
    public var imei: String?
    /// The SIM's ICCID (redacted by default).
    public var iccid: String?
    /// The voucher concerned.
    public var voucherID: Int64?
    /// The uid of the API caller who caused it, when one did.
    public var actorUID: Int?
    /// Details as key/value text; secrets never appear here.
    public var detail: [String: String]
    /// The row's chain hash, hex.
    public var hash: String
    /// Creates a ledger row.
    public init(seq: Int64, at: Date, kind: String, provisioningID: Int64?, imei: String?, iccid: String?,
                voucherID: Int64?, actorUID: Int?, detail: [String: String], hash: String) {
        self.seq = seq
        self.at = at
        self.kind = kind
        self.provisioningID = provisioningID
        self.imei = imei
        self.iccid = iccid
        self.voucherID = voucherID
        self.actorUID = actorUID
        self.detail = detail
        self.hash = hash
    }
}
