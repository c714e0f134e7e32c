import ATProtocol
import Foundation

/// How a family of devices speaks AT beyond 27.007: which ICCID command, how USSD is encoded, whether it has Wi-Fi.
///
/// Dialects are data (Codable), matched by manufacturer and model patterns, so a new device family is a
/// configuration change, as in ModemManager's and usb_modeswitch's rule files. The first matching dialect wins.
public struct DeviceDialect: Codable, Sendable, Equatable {
    /// A short name (`huawei-e5-mifi`).
    public var name: String
    /// Case-insensitive regular expression on the manufacturer (`+CGMI`); `nil` matches any.
    public var manufacturerPattern: String?
    /// Case-insensitive regular expression on the model (`+CGMM`); `nil` matches any.
    public var modelPattern: String?
    /// Whether the device is a hotspot with a Wi-Fi store (`^SSID`/`^WIKEY`).
    public var hasWiFi: Bool
    /// ICCID commands to try, in order, until one answers.
    public var iccidCommands: [ICCIDCommand]
    /// How the USSD request string is put on the wire.
    public var ussdEncoding: USSDRequestEncoding
    /// Commands sent once after opening the port; their failures are ignored (`ATE0`, `AT^CURC=0`).
    public var setupCommands: [String]
    /// Per-command deadlines in milliseconds, keyed by command family (`default`, `identity`, `iccid`, `ussd`, `wifi`).
    public var timeoutsMS: [String: Int]

    /// Creates a dialect.
    public init(name: String, manufacturerPattern: String?, modelPattern: String?, hasWiFi: Bool,
                iccidCommands: [ICCIDCommand], ussdEncoding: USSDRequestEncoding, setupCommands: [String],
                timeoutsMS: [String: Int] = [:]) {
        self.name = name
        self.manufacturerPattern = manufacturerPattern
        self.modelPattern = modelPattern
        self.hasWiFi = hasWiFi
        self.iccidCommands = iccidCommands
        self.ussdEncoding = ussdEncoding
        self.setupCommands = setupCommands
        self.timeoutsMS = timeoutsMS
    }

    /// The deadline for a command family, falling back to `default` and then to 5 s.
    public func timeout(_ family: String) -> Duration {
        .milliseconds(timeoutsMS[family] ?? timeoutsMS["default"] ?? 5000)
    }

    /// Whether this dialect applies to a device reporting these identity strings.
    public func matches(manufacturer: String?, model: String?) -> Bool {
        Self.matches(pattern: manufacturerPattern, value: manufacturer)
            && Self.matches(pattern: modelPattern, value: model)
    }

    private static func matches(pattern: String?, value: String?) -> Bool {
        guard let pattern else { return true }
        guard let value else { return false }
        return value.range(of: pattern, options: [.regularExpression, .caseInsensitive]) != nil
    }
}

/// The ways a device can be asked for its SIM's ICCID.
public enum ICCIDCommand: String, Codable, Sendable, CaseIterable {
    /// Huawei `AT^ICCID?`.
    case huaweiICCID = "^ICCID?"
    /// 27.007 READ BINARY of EF_ICCID: `AT+CRSM=176,12258,0,0,10`.
    case crsm = "+CRSM"
    /// `AT+CCID`.
    case ccid = "+CCID"
    /// `AT+ICCID`.
    case iccid = "+ICCID"
    /// Quectel `AT+QCCID`.
    case qccid = "+QCCID"

    /// The command text to send.
    public var command: String {
        switch self {
        case .huaweiICCID: return "AT^ICCID?"
        case .crsm: return "AT+CRSM=176,12258,0,0,10"
        case .ccid: return "AT+CCID"
        case .iccid: return "AT+ICCID"
        case .qccid: return "AT+QCCID"
        }
    }
}

/// The built-in dialects; configuration may put its own in front of them.
public enum BuiltInDialects {
    /// Huawei E5 MiFi hotspots (E5330, E5573, E5577, E5785 … in serial mode): Wi-Fi store, packed GSM 7-bit USSD.
    public static let huaweiMiFi = DeviceDialect(
        name: "huawei-e5-mifi", manufacturerPattern: "huawei", modelPattern: "^E5[0-9]",
        hasWiFi: true, iccidCommands: [.huaweiICCID, .crsm], ussdEncoding: .packedGSM7,
        setupCommands: ["ATE0", "AT+CMEE=1", "AT^CURC=0"],
        timeoutsMS: ["default": 5000, "ussd": 10000, "wifi": 8000])

    /// Huawei modem sticks (E173, E353, E3131…): no Wi-Fi, packed GSM 7-bit USSD.
    public static let huaweiStick = DeviceDialect(
        name: "huawei-stick", manufacturerPattern: "huawei", modelPattern: nil,
        hasWiFi: false, iccidCommands: [.huaweiICCID, .crsm], ussdEncoding: .packedGSM7,
        setupCommands: ["ATE0", "AT+CMEE=1", "AT^CURC=0"],
        timeoutsMS: ["default": 5000, "ussd": 10000])

    /// Any 3GPP 27.007 modem: `+CCID` then `+CRSM`, plain-text USSD.
    public static let generic = DeviceDialect(
        name: "generic-3gpp", manufacturerPattern: nil, modelPattern: nil,
        hasWiFi: false, iccidCommands: [.ccid, .crsm, .iccid, .qccid], ussdEncoding: .text,
        setupCommands: ["ATE0", "AT+CMEE=1"],
        timeoutsMS: ["default": 5000, "ussd": 10000])

    /// All built-ins, most specific first.
    public static let all: [DeviceDialect] = [huaweiMiFi, huaweiStick, generic]
}

/// Chooses a dialect for a device from an ordered list.
public struct DialectCatalog: Sendable {
    /// Dialects in priority order.
    public var dialects: [DeviceDialect]

    /// Creates a catalog; configured dialects come before the built-ins.
    public init(configured: [DeviceDialect] = []) {
        self.dialects = configured + BuiltInDialects.all
    }

    /// The first dialect that matches, or the generic one.
    public func dialect(manufacturer: String?, model: String?) -> DeviceDialect {
        dialects.first { $0.matches(manufacturer: manufacturer, model: model) } ?? BuiltInDialects.generic
    }
}
