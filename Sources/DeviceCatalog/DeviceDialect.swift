import ATProtocol
import Foundation

/// How a family of devices speaks AT beyond 27.007: which ICCID commands, how USSD is encoded, where its Wi-Fi store
/// is, how long it takes.
///
/// Dialects are data: the shipped ones are the files of `catalog/dialects/` (compiled in, see `ShippedDialects`), a
/// station adds or overrides them in `/etc/hotspotd/dialects.d/` or its configuration, as ModemManager's plugins and
/// usb_modeswitch's per-device files do. They are matched by manufacturer and model patterns; the first match wins.
public struct DeviceDialect: Codable, Sendable, Equatable {
    /// A short name (`huawei-e5-mifi`).
    public var name: String
    /// Case-insensitive regular expression on the manufacturer (`+CGMI`); `nil` matches any.
    public var manufacturerPattern: String?
    /// Case-insensitive regular expression on the model (`+CGMM`); `nil` matches any.
    public var modelPattern: String?
    /// The hotspot's Wi-Fi store, or nil for a device without Wi-Fi.
    public var wifiStore: ATWiFiStoreSpec?
    /// ICCID commands to try, in order, until one gives a value of E.118's form.
    public var iccidCommands: [ICCIDCommand]
    /// How the USSD request string is put on the wire.
    public var ussdEncoding: USSDRequestEncoding
    /// Commands sent once after opening the port; their failures are ignored (`ATE0`, `AT^CURC=0`).
    public var setupCommands: [String]
    /// Per-command deadlines in milliseconds, keyed by command family (`default`, `identity`, `iccid`, `ussd`, `wifi`).
    public var timeoutsMS: [String: Int]
    /// When a read command's information line has arrived but no final result follows (old Wavecom firmwares end
    /// `+CPIN?` without `OK`), the line is taken after this grace. Nil: a final result is required.
    public var finalResultGraceMS: Int?
    /// How long a SIM that is still starting (`+CME ERROR: 14`, `+CPIN: NOT READY`) is waited for before it is
    /// reported not ready. Nil: 10 s.
    public var simBusyWaitMS: Int?
    /// Where the facts come from (documents, recordings); not used by the code.
    public var notes: String?

    /// Creates a dialect.
    public init(name: String, manufacturerPattern: String?, modelPattern: String?, wifiStore: ATWiFiStoreSpec? = nil,
                iccidCommands: [ICCIDCommand], ussdEncoding: USSDRequestEncoding, setupCommands: [String],
                timeoutsMS: [String: Int] = [:], finalResultGraceMS: Int? = nil, simBusyWaitMS: Int? = nil,
                notes: String? = nil) {
        self.name = name
        self.manufacturerPattern = manufacturerPattern
        self.modelPattern = modelPattern
        self.wifiStore = wifiStore
        self.iccidCommands = iccidCommands
        self.ussdEncoding = ussdEncoding
        self.setupCommands = setupCommands
        self.timeoutsMS = timeoutsMS
        self.finalResultGraceMS = finalResultGraceMS
        self.simBusyWaitMS = simBusyWaitMS
        self.notes = notes
    }

    private enum CodingKeys: String, CodingKey {
        case name, manufacturerPattern, modelPattern, wifiStore, iccidCommands, ussdEncoding, setupCommands, timeoutsMS
        case finalResultGraceMS, simBusyWaitMS, notes
    }

    /// Decodes a dialect; absent `setupCommands` and `timeoutsMS` are empty.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        manufacturerPattern = try container.decodeIfPresent(String.self, forKey: .manufacturerPattern)
        modelPattern = try container.decodeIfPresent(String.self, forKey: .modelPattern)
        wifiStore = try container.decodeIfPresent(ATWiFiStoreSpec.self, forKey: .wifiStore)
        iccidCommands = try container.decode([ICCIDCommand].self, forKey: .iccidCommands)
        ussdEncoding = try container.decode(USSDRequestEncoding.self, forKey: .ussdEncoding)
        setupCommands = try container.decodeIfPresent([String].self, forKey: .setupCommands) ?? []
        timeoutsMS = try container.decodeIfPresent([String: Int].self, forKey: .timeoutsMS) ?? [:]
        finalResultGraceMS = try container.decodeIfPresent(Int.self, forKey: .finalResultGraceMS)
        simBusyWaitMS = try container.decodeIfPresent(Int.self, forKey: .simBusyWaitMS)
        notes = try container.decodeIfPresent(String.self, forKey: .notes)
    }

    /// Whether the device is a hotspot with a Wi-Fi store.
    public var hasWiFi: Bool { wifiStore != nil }

    /// Whether the dialect matches any device (no pattern): a catch-all, tried after every dialect with a pattern.
    public var isCatchAll: Bool { manufacturerPattern == nil && modelPattern == nil }

    /// The deadline for a command family, falling back to `default` and then to 5 s.
    public func timeout(_ family: String) -> Duration {
        .milliseconds(timeoutsMS[family] ?? timeoutsMS["default"] ?? 5000)
    }

    /// The grace after an information line without a final result, if the dialect allows one.
    public var finalResultGrace: Duration? { finalResultGraceMS.map { .milliseconds(max(0, $0)) } }

    /// How long a starting SIM is waited for.
    public var simBusyWait: Duration { .milliseconds(max(0, simBusyWaitMS ?? 10_000)) }

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

    /// The dialect that applies when no other does: 3GPP 27.007 commands only, plain-text USSD.
    ///
    /// The shipped `generic.json` normally plays this part; this floor is what is left if a station's overrides
    /// removed every catch-all.
    public static let floor = DeviceDialect(
        name: "generic-3gpp", manufacturerPattern: nil, modelPattern: nil, iccidCommands: [.ccid, .crsm],
        ussdEncoding: .text, setupCommands: ["ATE0", "AT+CMEE=1"], timeoutsMS: ["default": 5000, "ussd": 10000])
}

/// A hotspot's AT Wi-Fi store, as data: the commands that write and read the network name and key.
///
/// `{ssid}`, `{key}` and `{code}` in a command are replaced by the value, checked first against an allowlist
/// (printable ASCII without `"`, `;`, `\`), so a value can never end the quoted string or start a second command.
public struct ATWiFiStoreSpec: Codable, Sendable, Equatable {
    /// Writes the name: `AT^SSID=0,"{ssid}"`.
    public var setSSID: String
    /// Writes the WPA2 key: `AT^WIKEY=0,"{key}"`.
    public var setKey: String
    /// Reads the names: `AT^SSID?`.
    public var readSSID: String
    /// The reply prefix of `readSSID`'s lines (`^SSID`), each `<prefix>:<index>,"<name>"`.
    public var ssidPrefix: String
    /// Reads the keys (`AT^WIKEY?`); nil when the firmware never reports its key.
    public var readKey: String?
    /// The reply prefix of `readKey`'s lines (`^WIKEY`).
    public var keyPrefix: String?
    /// The index of the network the station sets (0: the main SSID).
    public var index: Int
    /// Opens the data lock when a write is refused (`AT^DATALOCK="{code}"`), with the configured code.
    public var unlock: String?
    /// The longest name the firmware stores, in bytes.
    public var ssidMaxBytes: Int

    /// Creates a store description.
    public init(setSSID: String, setKey: String, readSSID: String, ssidPrefix: String, readKey: String?,
                keyPrefix: String?, index: Int = 0, unlock: String? = nil, ssidMaxBytes: Int = 32) {
        self.setSSID = setSSID
        self.setKey = setKey
        self.readSSID = readSSID
        self.ssidPrefix = ssidPrefix
        self.readKey = readKey
        self.keyPrefix = keyPrefix
        self.index = index
        self.unlock = unlock
        self.ssidMaxBytes = ssidMaxBytes
    }

    private enum CodingKeys: String, CodingKey {
        case setSSID, setKey, readSSID, ssidPrefix, readKey, keyPrefix, index, unlock, ssidMaxBytes
    }

    /// Decodes a store; `index` defaults to 0 and `ssidMaxBytes` to 32.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        setSSID = try container.decode(String.self, forKey: .setSSID)
        setKey = try container.decode(String.self, forKey: .setKey)
        readSSID = try container.decode(String.self, forKey: .readSSID)
        ssidPrefix = try container.decode(String.self, forKey: .ssidPrefix)
        readKey = try container.decodeIfPresent(String.self, forKey: .readKey)
        keyPrefix = try container.decodeIfPresent(String.self, forKey: .keyPrefix)
        index = try container.decodeIfPresent(Int.self, forKey: .index) ?? 0
        unlock = try container.decodeIfPresent(String.self, forKey: .unlock)
        ssidMaxBytes = try container.decodeIfPresent(Int.self, forKey: .ssidMaxBytes) ?? 32
    }

    /// What is wrong with the description itself (a template without its placeholder, a read without a prefix).
    public var problem: String? {
        if !setSSID.contains("{ssid}") { return "setSSID must contain {ssid}" }
        if !setKey.contains("{key}") { return "setKey must contain {key}" }
        if let unlock, !unlock.contains("{code}") { return "unlock must contain {code}" }
        if (readKey == nil) != (keyPrefix == nil) { return "readKey and keyPrefix go together" }
        for command in [setSSID, setKey, readSSID] + [readKey, unlock].compactMap({ $0 })
        where !command.uppercased().hasPrefix("AT") || command.contains("\r") || command.contains("\n") {
            return "every command must start with AT and hold no line break"
        }
        if !(0...7).contains(index) { return "index must be 0 to 7" }
        if !(1...64).contains(ssidMaxBytes) { return "ssidMaxBytes must be 1 to 64" }
        return nil
    }
}

/// The ways a device can be asked for its SIM's ICCID.
public enum ICCIDCommand: String, Codable, Sendable, CaseIterable {
    /// Huawei `AT^ICCID?`.
    case huaweiICCID = "^ICCID?"
    /// 27.007 READ BINARY of EF_ICCID: `AT+CRSM=176,12258,0,0,10`.
    case crsm = "+CRSM"
    /// `AT+CCID` (many vendors, Wavecom/Sierra among them).
    case ccid = "+CCID"
    /// `AT+ICCID`.
    case iccid = "+ICCID"
    /// Quectel `AT+QCCID`.
    case qccid = "+QCCID"
    /// ZTE `AT+ZGETICCID`.
    case zteICCID = "+ZGETICCID"
    /// Sierra Wireless `AT!ICCID?`.
    case sierraICCID = "!ICCID?"
    /// Telit `AT#CCID`.
    case telitCCID = "#CCID"
    /// Simcom `AT+CICCID`.
    case simcomICCID = "+CICCID"
    /// Cinterion/Siemens `AT^SCID`.
    case cinterionSCID = "^SCID"

    /// The command text to send.
    public var command: String {
        switch self {
        case .huaweiICCID: return "AT^ICCID?"
        case .crsm: return "AT+CRSM=176,12258,0,0,10"
        case .ccid: return "AT+CCID"
        case .iccid: return "AT+ICCID"
        case .qccid: return "AT+QCCID"
        case .zteICCID: return "AT+ZGETICCID"
        case .sierraICCID: return "AT!ICCID?"
        case .telitCCID: return "AT#CCID"
        case .simcomICCID: return "AT+CICCID"
        case .cinterionSCID: return "AT^SCID"
        }
    }
}

/// Chooses a dialect for a device from an ordered list.
public struct DialectCatalog: Sendable, Equatable {
    /// Dialects in priority order: the configured ones with a pattern, the configured catch-alls, then the same for
    /// the base ones; within each group the order given. A catch-all never hides a dialect with a pattern of its own
    /// group, whatever the order of the files it came from (`generic.json` sorts before `huawei.json`).
    public private(set) var dialects: [DeviceDialect]

    /// Creates a catalog from `configured` dialects (tried first) and `base` (the shipped files by default).
    public init(configured: [DeviceDialect] = [], base: [DeviceDialect] = ShippedDialects.all) {
        self.dialects = Self.patternedFirst(configured) + Self.patternedFirst(base)
    }

    private static func patternedFirst(_ dialects: [DeviceDialect]) -> [DeviceDialect] {
        dialects.filter { !$0.isCatchAll } + dialects.filter(\.isCatchAll)
    }

    /// The first dialect that matches, or the 27.007 floor.
    public func dialect(manufacturer: String?, model: String?) -> DeviceDialect {
        dialects.first { $0.matches(manufacturer: manufacturer, model: model) } ?? DeviceDialect.floor
    }

    /// The dialect of this name.
    public func dialect(named name: String) -> DeviceDialect? {
        dialects.first { $0.name == name }
    }
}
