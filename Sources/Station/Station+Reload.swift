#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import StationAPI

extension Station {
    /// What a reload puts in force at once, for devices already attached too: plans, the default plan, the Wi-Fi
    /// policy, operator profiles, SIM PINs, socket labels, hooks and the hand-over card. The rest (access, discovery,
    /// dialects, limits, paths, HiLink logins, the key style) is built at start and needs a restart.
    ///
    /// Each reloaded setting: its key, and how it is copied from the file's configuration into the one in force.
    private static let reloaded: [(key: String, changed: @Sendable (StationConfig, StationConfig) -> Bool,
                                   copy: @Sendable (inout StationConfig, StationConfig) -> Void)] = [
        ("plans", { $0.plans != $1.plans }, { $0.plans = $1.plans }),
        ("defaultPlan", { $0.defaultPlan != $1.defaultPlan }, { $0.defaultPlan = $1.defaultPlan }),
        ("wifi", { $0.wifi != $1.wifi }, { $0.wifi = $1.wifi }),
        ("operators", { $0.operators != $1.operators }, { $0.operators = $1.operators }),
        ("simPINs", { $0.simPINs != $1.simPINs }, { $0.simPINs = $1.simPINs }),
        ("defaultPIN", { $0.defaultPIN != $1.defaultPIN }, { $0.defaultPIN = $1.defaultPIN }),
        ("sockets", { $0.sockets != $1.sockets }, { $0.sockets = $1.sockets }),
        ("hooks", { $0.hooks != $1.hooks }, { $0.hooks = $1.hooks }),
        ("card", { $0.card != $1.card }, { $0.card = $1.card }),
    ]

    /// Puts `new`'s reloadable settings in force without dropping any session, and says which of its other changes
    /// wait for a restart. Runs already under way finish with the settings they started with.
    public func reload(_ new: StationConfig) -> ConfigReloadResult {
        let old = config
        var merged = old
        for setting in Self.reloaded { setting.copy(&merged, new) }
        liveConfig.replace(with: merged)
        var waiting: [String] = []
        if old.devices != new.devices { waiting.append("devices") }
        if old.dialects != new.dialects || old.dialectDirectories != new.dialectDirectories { waiting.append("dialects") }
        if old.lockDirectory != new.lockDirectory { waiting.append("lockDirectory") }
        if old.allowPseudoTerminals != new.allowPseudoTerminals { waiting.append("allowPseudoTerminals") }
        if old.discovery != new.discovery { waiting.append("discovery") }
        if old.moneyRateLimit != new.moneyRateLimit { waiting.append("moneyRateLimit") }
        if old.startupSettlementSeconds != new.startupSettlementSeconds { waiting.append("startupSettlementSeconds") }
        if old.access != new.access { waiting.append("access") }
        if old.hilink != new.hilink { waiting.append("hilink") }
        if old.backupDirectory != new.backupDirectory { waiting.append("backupDirectory") }
        if old.wifiKeyStyle != new.wifiKeyStyle { waiting.append("wifiKeyStyle") }
        let changed = Self.reloaded.filter { $0.changed(old, new) }.map(\.key)
        logger.notice("configuration reloaded", metadata: ["reloaded": "\(changed.joined(separator: ","))",
                                                           "restart.needed": "\(waiting.joined(separator: ","))"])
        return ConfigReloadResult(applied: changed, needRestart: waiting)
    }

    /// Sets where `reload()` reads the configuration from (the daemon's `--config` file, checked as at start).
    public func readConfiguration(with source: @escaping @Sendable () throws(ConfigError) -> StationConfig) {
        configurationSource = source
    }

    /// Reads the configuration again from its file and reloads it (`hotspotctl reload`, SIGHUP). A file that does not
    /// pass the start-up checks is refused and changes nothing.
    public func reload() throws(StationError) -> ConfigReloadResult {
        guard let source = configurationSource else {
            throw StationError(.conflict, code: .reloadUnavailable, message: "This station was not started from a configuration file.")
        }
        let new: StationConfig
        do {
            new = try source()
        } catch {
            throw StationError(.unprocessable, code: .invalidConfig, message: "\(error.description); nothing was changed.")
        }
        return reload(new)
    }
}
