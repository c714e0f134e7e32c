import Foundation

/// `POST /v1/devices` body: attach a serial port by path.
public struct AttachRequest: Codable, Sendable, Equatable {
    /// The tty path, such as `/dev/ttyUSB2`, or a HiLink unit's address, `http://HOST[:PORT]`.
    public var path: String
    /// For an `http://` unit: the network interface its connections are bound to (several units all answer at
    /// 192.168.8.1, one behind each interface).
    public var interface: String?
    /// Creates the request.
    public init(path: String, interface: String? = nil) {
        self.path = path
        self.interface = interface
    }
}

/// `POST /v1/devices/{ref}/provision` body: start or retry provisioning, optionally overriding the policy.
public struct ProvisionRequest: Codable, Sendable, Equatable {
    /// The plan to apply; `nil` uses the default plan.
    public var plan: String?
    /// A Wi-Fi name instead of the template's.
    public var ssid: String?
    /// A WPA2 key instead of a generated one.
    public var key: String?
    /// Credit and Wi-Fi again for a SIM already served (a new order: another voucher is used). Without it, a served
    /// SIM is refused with `already-served`.
    public var again: Bool?
    /// Creates the request.
    public init(plan: String? = nil, ssid: String? = nil, key: String? = nil, again: Bool? = nil) {
        self.plan = plan
        self.ssid = ssid
        self.key = key
        self.again = again
    }
}

/// `POST /v1/devices/{id}/topup` body: more credit for the SIM in a device, its Wi-Fi left as it is.
public struct TopUpRequest: Codable, Sendable, Equatable {
    /// The plan to buy (required: a top-up is always an explicit sale).
    public var plan: String
    /// Creates the request.
    public init(plan: String) {
        self.plan = plan
    }
}

/// `POST /v1/vouchers/import` body: the CSV text (`code,plan` with a header line) and its file name for messages.
public struct VoucherImportRequest: Codable, Sendable, Equatable {
    /// The file's name, quoted in error messages.
    public var fileName: String
    /// The CSV text.
    public var csv: String
    /// Creates the request.
    public init(fileName: String, csv: String) {
        self.fileName = fileName
        self.csv = csv
    }
}

/// `POST /v1/vouchers/import` reply.
public struct VoucherImportResult: Codable, Sendable, Equatable {
    /// How many vouchers were added (all of the file, or none on error).
    public var imported: Int
    /// Creates the reply.
    public init(imported: Int) { self.imported = imported }
}

/// `GET /v1/health` reply.
public struct HealthInfo: Codable, Sendable, Equatable {
    /// `ready` once the ledger is open and unsettled vouchers were handled.
    public var status: String
    /// The daemon's version.
    public var version: String
    /// Devices attached.
    public var devices: Int
    /// Creates the reply.
    public init(status: String, version: String, devices: Int) {
        self.status = status
        self.version = version
        self.devices = devices
    }
}

/// The body of every non-2xx reply: a stable code and a sentence.
public struct APIErrorBody: Codable, Sendable, Equatable {
    /// The error itself.
    public var error: FailureInfo
    /// Creates the body.
    public init(error: FailureInfo) { self.error = error }
}

/// The JSON coding conventions shared by daemon and CLI: ISO 8601 dates, sorted keys.
public enum StationJSON {
    /// An encoder with the API's conventions.
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// A decoder with the API's conventions.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}

/// `POST /v1/config/reload` answer: which settings were put in force, which wait for a restart.
public struct ConfigReloadResult: Codable, Sendable, Equatable {
    /// Settings that changed and are in force now.
    public var applied: [String]
    /// Settings that changed in the file but are built at start: they take effect at the next restart.
    public var needRestart: [String]

    /// Creates a result.
    public init(applied: [String], needRestart: [String]) {
        self.applied = applied
        self.needRestart = needRestart
    }
}
