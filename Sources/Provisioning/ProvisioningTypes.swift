import ATProtocol
import DeviceCatalog
import FailureCodes

/// What the device said about itself and its SIM, whatever driver read it.
public struct DeviceIdentity: Sendable, Equatable {
    /// Maker (`+CGMI`, the web API's `DeviceName` vendor, the reader's vendor).
    public var manufacturer: String?
    /// Model.
    public var model: String?
    /// Firmware.
    public var firmware: String?
    /// The device's IMEI; nil when it has none (a SIM reader) or gave none that can be trusted (`unreadable` says why).
    public var imei: IMEI?
    /// The SIM's ICCID: only a value of E.118's form; nil when the SIM did not give one.
    public var iccid: ICCID?
    /// The subscriber identity, once the SIM is unlocked.
    public var imsi: IMSI?
    /// The SIM's lock state.
    public var pinState: SIMPinState?
    /// PIN attempts left, when the device says.
    public var pinTriesLeft: Int?
    /// The device family the driver chose (an AT dialect's name, `hilink`, `pcsc-reader`).
    public var family: String
    /// Whether the device is a hotspot with a Wi-Fi store.
    public var hasWiFi: Bool
    /// What names a device that has no IMEI: its USB serial number, a reader's name, a web API's serial.
    public var hardwareID: String?
    /// The fields that could not be read, with why (`imei`: "the device gave no IMEI"); shown next to what is known.
    public var unreadable: [String: String]

    /// Creates an identity.
    public init(manufacturer: String?, model: String?, firmware: String?, imei: IMEI?, iccid: ICCID?, imsi: IMSI?,
                pinState: SIMPinState?, pinTriesLeft: Int? = nil, family: String, hasWiFi: Bool,
                hardwareID: String? = nil, unreadable: [String: String] = [:]) {
        self.manufacturer = manufacturer
        self.model = model
        self.firmware = firmware
        self.imei = imei
        self.iccid = iccid
        self.imsi = imsi
        self.pinState = pinState
        self.pinTriesLeft = pinTriesLeft
        self.family = family
        self.hasWiFi = hasWiFi
        self.hardwareID = hardwareID
        self.unreadable = unreadable
    }

    /// The key the ledger files the device under: its IMEI; for a device without one, its SIM's ICCID
    /// (`iccid:<digits>`) or its hardware name (`hw:<id>`); nil when nothing identifies it.
    public var deviceKey: String? {
        if let imei { return imei.digits }
        if let iccid { return "iccid:" + iccid.digits }
        if let hardwareID, !hardwareID.isEmpty { return "hw:" + hardwareID }
        return nil
    }
}

/// The steps of a provisioning run, in order; each is a ledger event.
public enum ProvisioningStep: String, Sendable, Codable, CaseIterable {
    case identify, sim, plan
    case balanceBefore = "balance-before"
    case reserve, recharge, confirm, wifi, verify
}

/// Why a step failed, with a stable code the API and CLI show.
public struct ProvisioningFailure: Error, Sendable, Equatable {
    /// The step that failed.
    public var step: ProvisioningStep
    /// Stable code (`sim-pin-required`, `voucher-rejected`, `device-gone`…).
    public var code: FailureCode
    /// A sentence for the technician, free of secrets.
    public var message: String
    /// Creates a failure.
    public init(step: ProvisioningStep, code: FailureCode, message: String) {
        self.step = step
        self.code = code
        self.message = message
    }
}

/// A data plan.
public struct Plan: Codable, Sendable, Equatable {
    /// Name used in voucher files and requests.
    public var name: String
    /// Data volume in megabytes.
    public var megabytes: Int
    /// Price in cents, for display.
    public var priceCents: Int?
    /// Creates a plan.
    public init(name: String, megabytes: Int, priceCents: Int? = nil) {
        self.name = name
        self.megabytes = megabytes
        self.priceCents = priceCents
    }
}

/// How Wi-Fi names and keys are made.
public struct WiFiPolicy: Codable, Sendable, Equatable {
    /// The name template: `{iccid4}` (last four ICCID digits), `{imei4}`, `{model}`.
    public var ssidTemplate: String
    /// Generated key length (at least 12).
    public var keyLength: Int
    /// The code that opens the Huawei data lock (`AT^DATALOCK`), when the devices have one.
    public var dataLockCode: String?
    /// Creates a policy.
    public init(ssidTemplate: String = "Connexion-{iccid4}", keyLength: Int = 12, dataLockCode: String? = nil) {
        self.ssidTemplate = ssidTemplate
        self.keyLength = keyLength
        self.dataLockCode = dataLockCode
    }

    private enum CodingKeys: String, CodingKey { case ssidTemplate, keyLength, dataLockCode }

    /// Decodes a policy; absent keys take the defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.ssidTemplate = try container.decodeIfPresent(String.self, forKey: .ssidTemplate) ?? "Connexion-{iccid4}"
        self.keyLength = try container.decodeIfPresent(Int.self, forKey: .keyLength) ?? 12
        self.dataLockCode = try container.decodeIfPresent(String.self, forKey: .dataLockCode)
    }
}

/// The Wi-Fi name and key set on a hotspot.
public struct WiFiSettings: Sendable, Equatable {
    /// The network name.
    public var ssid: String
    /// The WPA2 passphrase (a secret).
    public var key: String
    /// Creates settings.
    public init(ssid: String, key: String) {
        self.ssid = ssid
        self.key = key
    }
}

/// What a run is asked to do: the ledger order it works for, and what that order already has.
public struct ProvisioningOrder: Sendable, Equatable {
    /// The ledger's order id; nil only where no ledger order exists (tests of the workflow alone).
    public var id: Int64?
    /// The plan to apply.
    public var plan: Plan
    /// A Wi-Fi name chosen by the technician, instead of the template's.
    public var ssid: String?
    /// A Wi-Fi key chosen by the technician, instead of a generated one.
    public var key: String?
    /// Whether the order sets the Wi-Fi of a device that has one (a top-up does not).
    public var setsWiFi: Bool
    /// The order's credit is applied (by an earlier run, or a settlement): the run skips the money steps.
    public var creditAlreadyApplied: Bool
    /// A voucher of the order's is reserved, sending or unknown: no other is bought until it is settled.
    public var pendingVoucherID: Int64?

    /// Creates an order.
    public init(id: Int64? = nil, plan: Plan, ssid: String? = nil, key: String? = nil, setsWiFi: Bool = true,
                creditAlreadyApplied: Bool = false, pendingVoucherID: Int64? = nil) {
        self.id = id
        self.plan = plan
        self.ssid = ssid
        self.key = key
        self.setsWiFi = setsWiFi
        self.creditAlreadyApplied = creditAlreadyApplied
        self.pendingVoucherID = pendingVoucherID
    }
}

/// What a run achieved.
public struct ProvisioningReport: Sendable, Equatable {
    /// The ledger's run id.
    public var provisioningID: Int64
    /// How it ended.
    public var outcome: ProvisioningOutcome
    /// Whether a voucher was applied during this run.
    public var creditApplied: Bool
    /// Balance before the recharge, in MB.
    public var balanceBeforeMB: Int?
    /// Balance after the recharge, in MB.
    public var balanceAfterMB: Int?
    /// The Wi-Fi set, for hotspots.
    public var wifi: WiFiSettings?
    /// The operator profile used.
    public var operatorName: String?
}

/// A progress notice for watchers; carries no secrets.
public enum ProvisioningProgress: Sendable, Equatable {
    /// A step changed status.
    case step(ProvisioningStep, StepStatus, message: String?)
    /// The identity is known (or more of it).
    case identified(DeviceIdentity)
}

/// Receives progress as it happens.
public typealias ProgressSink = @Sendable (ProvisioningProgress) async -> Void
