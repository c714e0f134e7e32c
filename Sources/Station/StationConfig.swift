import ATProtocol
import DeviceCatalog
import Foundation
import Provisioning
import StationAPI

/// The daemon's configuration file (JSON), documented in README.md.
///
/// Decoding errors and semantic problems are reported with the file name, the key path and the reason, and the
/// daemon refuses to start on any of them: a station that guesses its plans or operators could spend vouchers wrongly.
public struct StationConfig: Codable, Sendable, Equatable {
    /// Plans sold at the counter.
    public var plans: [Plan]
    /// The plan headless mode applies to every device; `nil` waits for a technician.
    public var defaultPlan: String?
    /// How Wi-Fi names and keys are made.
    public var wifi: WiFiPolicy
    /// Operator profiles by MCC+MNC.
    public var operators: [OperatorProfile]
    /// SIM PINs by ICCID.
    public var simPINs: [String: String]?
    /// A PIN tried on locked SIMs without their own entry.
    public var defaultPIN: String?
    /// Serial ports attached at start.
    public var devices: [String]?
    /// Extra device dialects, tried before those of the dialect directories and the shipped ones.
    public var dialects: [DeviceDialect]?
    /// Directories of dialect files tried before the shipped dialects (default `/etc/hotspotd/dialects.d`).
    public var dialectDirectories: [String]?
    /// Directory for UUCP lock files (`/var/lock`); `null` disables lock files.
    public var lockDirectory: String?
    /// Whether `attach` may take pseudo-terminals (`/dev/pts/N`) of the daemon's own user, besides USB serial and ACM
    /// ports: for the simulator's devices (tests, the demo). Absent or `false` in production; another user's
    /// pseudo-terminal is never taken.
    public var allowPseudoTerminals: Bool?
    /// USB discovery (udev, catalog, mode switch); `nil` keeps every default (`DiscoverySettings`).
    public var discovery: DiscoverySettings?
    /// Per-caller limit on money operations (provision, voucher import, settlement); `nil` uses `RateLimitPolicy.default`.
    public var moneyRateLimit: RateLimitPolicy?
    /// How long start-up waits for the balance checks of devices present at start before reporting ready (default 30).
    public var startupSettlementSeconds: Int?
    /// Who may do what (`AccessSettings`); `nil` keeps the default groups `hotspot` and `hotspot-admin`.
    public var access: AccessSettings?
    /// How HiLink units (web API, no AT port) are logged in to; `nil`: user `admin`, no password.
    public var hilink: HiLinkSettings?
    /// Where `ledger backup` writes (absolute; default `backups/` in the state directory, next to the ledger).
    public var backupDirectory: String?
    /// Names for the desk's USB sockets, by USB path (`{"1-1.2": "gauche"}`): the SOCKET column of `devices` and `board`.
    public var sockets: [String: String]?
    /// Commands run when a device is done, failed or needs a person (`StationHooks`); nil runs none.
    public var hooks: HookSettings?
    /// The counter's details printed on the beneficiary's hand-over card (`hotspotctl card`).
    public var card: CounterDetails?
    /// How generated Wi-Fi keys look; read by `parse` from `wifi.keyStyle` (the `wifi` object is the workflow's
    /// `WiFiPolicy`, which does not carry it). `nil` is `characters`.
    public var wifiKeyStyle: WiFiKeyGenerator.Style?

    /// Creates a configuration.
    public init(plans: [Plan], defaultPlan: String?, wifi: WiFiPolicy, operators: [OperatorProfile],
                simPINs: [String: String]? = nil, defaultPIN: String? = nil, devices: [String]? = nil,
                dialects: [DeviceDialect]? = nil, lockDirectory: String? = "/var/lock",
                moneyRateLimit: RateLimitPolicy? = nil, startupSettlementSeconds: Int? = nil, access: AccessSettings? = nil) {
        self.plans = plans
        self.defaultPlan = defaultPlan
        self.wifi = wifi
        self.operators = operators
        self.simPINs = simPINs
        self.defaultPIN = defaultPIN
        self.devices = devices
        self.dialects = dialects
        self.lockDirectory = lockDirectory
        self.moneyRateLimit = moneyRateLimit
        self.startupSettlementSeconds = startupSettlementSeconds
        self.access = access
    }

    /// The plan with this name.
    public func plan(named name: String) -> Plan? {
        plans.first { $0.name == name }
    }

    /// The workflow's view of this configuration.
    public var policy: ProvisioningPolicy {
        ProvisioningPolicy(operators: operators, wifi: wifi, simPINs: simPINs ?? [:], defaultPIN: defaultPIN)
    }

    /// The dialects the AT driver chooses from: the configured ones, then the dialect directories' files, then the
    /// shipped files. A file that cannot be used stops the daemon, as a configuration error does.
    public func loadDialectCatalog() throws(ConfigError) -> DialectCatalog {
        do {
            let files = try DialectFiles.load(directories: dialectDirectories ?? [DialectFiles.overrideDirectory])
            return DialectCatalog(configured: (dialects ?? []) + files)
        } catch {
            throw ConfigError(file: error.source, key: nil, reason: error.reason)
        }
    }

    /// Reads and validates a configuration file.
    public static func load(path: String) throws(ConfigError) -> StationConfig {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigError(file: path, key: nil, reason: "cannot be read (\(error.localizedDescription))")
        }
        return try parse(data, file: path)
    }

    /// Decodes and validates configuration text; `file` is only used in messages.
    public static func parse(_ data: Data, file: String) throws(ConfigError) -> StationConfig {
        // Unknown keys first: a misspelt setting must not leave its default in place unnoticed.
        if let json = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]),
           let unknown = ConfigKeys.unknownKey(in: json) {
            throw ConfigError(file: file, key: unknown.key, reason: unknown.reason)
        }
        let config: StationConfig
        do {
            config = try JSONDecoder().decode(StationConfig.self, from: data)
        } catch let error as DecodingError {
            throw ConfigError(decoding: error, file: file)
        } catch {
            throw ConfigError(file: file, key: nil, reason: "is not valid JSON")
        }
        var configured = config
        configured.wifiKeyStyle = try wifiKeyStyle(in: data, file: file)
        if let problem = configured.problems().first {
            throw ConfigError(file: file, key: problem.key, reason: problem.reason)
        }
        return configured
    }

    /// The largest plan the station sells, in MB: larger figures are typing mistakes and would overflow sums.
    public static let maxPlanMegabytes = 1_048_576
    /// The largest plan price, in cents (10,000 €).
    public static let maxPlanPriceCents = 1_000_000

    /// Problems with the paths the daemon would write, for a ledger at `databasePath`: the AT port memory must be
    /// inside the state directory and not a ledger file; the backup directory must be absolute and not a ledger file.
    public func pathProblems(databasePath: String) -> [(key: String, reason: String)] {
        let paths = StatePaths(databasePath: databasePath, backupDirectory: backupDirectory)
        var found: [(String, String)] = []
        if case .some(.some(let memory)) = discovery?.portMemoryFile, let problem = paths.problem(writing: memory) {
            found.append(("discovery.portMemoryFile", problem))
        }
        if let backupDirectory {
            if !backupDirectory.hasPrefix("/") {
                found.append(("backupDirectory", "must be an absolute path"))
            } else if paths.isLedgerFile(backupDirectory) || StatePaths.resolve(backupDirectory) == paths.stateDirectory {
                found.append(("backupDirectory", "must be a directory of its own, not the ledger or the state directory itself"))
            }
        }
        return found
    }

    /// Every semantic problem, by key path.
    public func problems() -> [(key: String, reason: String)] {
        var found: [(String, String)] = []
        if plans.isEmpty { found.append(("plans", "must list at least one plan")) }
        if let attempts = hilink?.loginAttempts, !(1...5).contains(attempts) {
            found.append(("hilink.loginAttempts", "must be 1 to 5: a unit locks its web login after a few wrong passwords"))
        }
        var seen = Set<String>()
        for (index, plan) in plans.enumerated() {
            if plan.name.isEmpty || plan.name.count > 32 || !plan.name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) {
                found.append(("plans[\(index)].name", "must be 1–32 letters, digits, '-', '_' or '.'"))
            }
            if !seen.insert(plan.name).inserted { found.append(("plans[\(index)].name", "duplicates plan \(plan.name)")) }
            if !(1...Self.maxPlanMegabytes).contains(plan.megabytes) {
                found.append(("plans[\(index)].megabytes", "must be between 1 and \(Self.maxPlanMegabytes) (1 TB)"))
            }
            if let price = plan.priceCents, !(0...Self.maxPlanPriceCents).contains(price) {
                found.append(("plans[\(index)].priceCents", "must be between 0 and \(Self.maxPlanPriceCents)"))
            }
        }
        if let defaultPlan, plan(named: defaultPlan) == nil {
            found.append(("defaultPlan", "names no plan in 'plans'"))
        }
        if wifi.keyLength < 12 || wifi.keyLength > 63 { found.append(("wifi.keyLength", "must be between 12 and 63")) }
        if wifi.ssidTemplate.isEmpty { found.append(("wifi.ssidTemplate", "must not be empty")) }
        let sample = SSIDTemplate.render(wifi.ssidTemplate, iccid: "8933000000000000000", imei: "000000000000000", model: "E5573")
        if sample.utf8.count > 32 { found.append(("wifi.ssidTemplate", "renders names longer than 32 bytes")) }
        if sample.contains(where: { $0 == "\"" || $0 == ";" || $0.isNewline || !$0.isASCII }) {
            found.append(("wifi.ssidTemplate", "contains characters a hotspot cannot store (quote, semicolon, control or non-ASCII)"))
        } else if sample.utf8.count <= 32, (try? ATCommand.setSSID(index: 0, ssid: sample)) == nil {
            // The same allowlist the hotspot command uses: a template it refuses would fail every run after the money.
            found.append(("wifi.ssidTemplate", "renders names the hotspot's Wi-Fi command refuses"))
        }
        if operators.isEmpty { found.append(("operators", "must list at least one operator profile")) }
        for (index, profile) in operators.enumerated() {
            for problem in profile.problems() { found.append(("operators[\(index)].\(problem.field)", problem.reason)) }
        }
        for (iccid, pin) in simPINs ?? [:] where !(4...8).contains(pin.count) || !pin.allSatisfy({ $0.isASCII && $0.isNumber }) {
            found.append(("simPINs.\(String(iccid.suffix(4)))", "a PIN is 4 to 8 digits"))
        }
        if let pin = defaultPIN, !(4...8).contains(pin.count) || !pin.allSatisfy({ $0.isASCII && $0.isNumber }) {
            found.append(("defaultPIN", "a PIN is 4 to 8 digits"))
        }
        if let limit = moneyRateLimit {
            if limit.perMinute < 1 { found.append(("moneyRateLimit.perMinute", "must be at least 1")) }
            if limit.burst < 1 { found.append(("moneyRateLimit.burst", "must be at least 1")) }
        }
        for (key, name) in [("access.technicianGroup", access?.technicianGroup), ("access.supervisorGroup", access?.supervisorGroup)] {
            if let name, name.isEmpty || name.count > 32 || !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) {
                found.append((key, "must be a group name (1–32 letters, digits, '-', '_' or '.')"))
            }
        }
        if let seconds = startupSettlementSeconds, !(1...3600).contains(seconds) {
            found.append(("startupSettlementSeconds", "must be between 1 and 3600"))
        }
        found += SocketLabels.problems(sockets ?? [:])
        found += hooks?.problems() ?? []
        found += cardProblems()
        return found
    }
}

/// A configuration problem: which file, which key, and why.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file.
    public var file: String
    /// The key path (`operators[0].balancePattern`), when one is at fault.
    public var key: String?
    /// The reason.
    public var reason: String

    /// Creates an error.
    public init(file: String, key: String?, reason: String) {
        self.file = file
        self.key = key
        self.reason = reason
    }

    init(decoding error: DecodingError, file: String) {
        func path(_ keys: [any CodingKey]) -> String {
            var text = ""
            for key in keys {
                if let index = key.intValue { text += "[\(index)]" } else { text += text.isEmpty ? key.stringValue : "." + key.stringValue }
            }
            return text
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context.codingPath)
            self.init(file: file, key: parent.isEmpty ? key.stringValue : parent + "." + key.stringValue, reason: "is missing")
        case .typeMismatch(let type, let context):
            self.init(file: file, key: path(context.codingPath), reason: "must be \(Self.describe(type))")
        case .valueNotFound(let type, let context):
            self.init(file: file, key: path(context.codingPath), reason: "must be \(Self.describe(type)), not null")
        case .dataCorrupted(let context):
            let key = path(context.codingPath)
            self.init(file: file, key: key.isEmpty ? nil : key,
                      reason: key.isEmpty ? "is not valid JSON" : "has an invalid value")
        @unknown default:
            self.init(file: file, key: nil, reason: "could not be read")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Double.Type: return "a number"
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        default:
            let name = String(describing: type)
            return name.hasPrefix("Array") ? "a list" : (name.hasPrefix("Dictionary") ? "an object" : "an object")
        }
    }

    /// `file: key: reason`.
    public var description: String {
        if let key { return "\(file): \(key): \(reason)" }
        return "\(file): \(reason)"
    }
}

/// The `hilink` section: how the station logs in to HiLink units. The password is a secret: never logged.
public struct HiLinkSettings: Codable, Sendable, Equatable {
    /// Login user (`admin` on every firmware seen).
    public var username: String?
    /// The web password the charity set on its units; absent for units that need none.
    public var password: String?
    /// Most login attempts per unit before it is listed with the reason (never hammered into a lock-out); 1–5, default 3.
    public var loginAttempts: Int?

    /// Creates settings.
    public init(username: String? = nil, password: String? = nil, loginAttempts: Int? = nil) {
        self.username = username
        self.password = password
        self.loginAttempts = loginAttempts
    }
}
