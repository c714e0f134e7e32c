import DeviceCatalog
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The keys `hotspotd.json` may hold, at every level: a key outside them is refused with its path and the nearest
/// known key, so a misspelt `refusalPatern` cannot silently leave the default in place in the settings that decide
/// whether money was spent.
enum ConfigKeys {
    /// What a JSON value at some path may be.
    typealias Shape = KeyShape

    static let operatorProfile: Shape = .object([
        "name": .value, "mccmnc": .value, "rechargeTemplate": .value, "balanceCode": .value, "successPattern": .value,
        "refusalPattern": .value, "balancePattern": .value, "balanceUnit": .value, "replyTimeoutSeconds": .value,
        "examples": .object(["success": .value, "refusal": .value, "balance": .value]),
    ])

    static let dialect: Shape = DialectFiles.dialectShape

    /// The whole file.
    static let file: Shape = .object([
        "plans": .array(.object(["name": .value, "megabytes": .value, "priceCents": .value])),
        "defaultPlan": .value,
        "wifi": .object(["ssidTemplate": .value, "keyLength": .value, "dataLockCode": .value, "keyStyle": .value]),
        "operators": .array(operatorProfile),
        "simPINs": .map,
        "defaultPIN": .value,
        "devices": .value,
        "dialects": .array(dialect),
        "dialectDirectories": .value,
        "lockDirectory": .value,
        "discovery": .object(["enabled": .value, "modeSwitch": .value, "catalogDirectories": .value, "portMemoryFile": .value]),
        "moneyRateLimit": .object(["perMinute": .value, "burst": .value]),
        "startupSettlementSeconds": .value,
        "access": .object(["technicianGroup": .value, "supervisorGroup": .value, "technicianUIDs": .value, "supervisorUIDs": .value]),
        "backupDirectory": .value,
        "hilink": .object(["username": .value, "password": .value, "loginAttempts": .value]),
        "allowPseudoTerminals": .value,
        "sockets": .map,
        "hooks": .object(["done": .value, "failed": .value, "attention": .value, "timeoutSeconds": .value]),
        "card": .object(["organisation": .value, "address": .value, "hours": .value, "phone": .value,
                         "whenCreditRunsOut": .value]),
    ])

    /// The first unknown key in `json` (parsed JSON), as a key path and a reason with the nearest known key.
    static func unknownKey(in json: Any, shape: Shape = file, path: String = "") -> (key: String, reason: String)? {
        shape.unknownKey(in: json, path: path)
    }

    /// The known key closest to `key`.
    static func nearest(_ key: String, among known: [String]) -> String? {
        KeyShape.nearest(key, among: known)
    }
}
