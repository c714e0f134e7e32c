import Foundation

/// The keys `hotspotd.json` may hold, at every level: a key outside them is refused with its path and the nearest
/// known key, so a misspelt `refusalPatern` cannot silently leave the default in place in the settings that decide
/// whether money was spent.
enum ConfigKeys {
    /// What a JSON value at some path may be.
    indirect enum Shape: Sendable {
        /// An object with exactly these keys (any subset of them).
        case object([String: Shape])
        /// An array whose elements all have this shape.
        case array(Shape)
        /// An object whose keys are data (ICCIDs, timeout names), not settings.
        case map
        /// Anything else: a string, a number, a boolean, null (the decoder checks its type).
        case value
    }

    static let operatorProfile: Shape = .object([
        "name": .value, "mccmnc": .value, "rechargeTemplate": .value, "balanceCode": .value, "successPattern": .value,
        "refusalPattern": .value, "balancePattern": .value, "balanceUnit": .value, "replyTimeoutSeconds": .value,
        "examples": .object(["success": .value, "refusal": .value, "balance": .value]),
    ])

    static let dialect: Shape = .object([
        "name": .value, "manufacturerPattern": .value, "modelPattern": .value, "hasWiFi": .value, "iccidCommands": .value,
        "ussdEncoding": .value, "setupCommands": .value, "timeoutsMS": .map,
    ])

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
        "lockDirectory": .value,
        "discovery": .object(["enabled": .value, "modeSwitch": .value, "catalogDirectories": .value, "portMemoryFile": .value]),
        "moneyRateLimit": .object(["perMinute": .value, "burst": .value]),
        "startupSettlementSeconds": .value,
        "access": .object(["technicianGroup": .value, "supervisorGroup": .value, "technicianUIDs": .value, "supervisorUIDs": .value]),
        "backupDirectory": .value,
        "allowPseudoTerminals": .value,
        "sockets": .map,
        "hooks": .object(["done": .value, "failed": .value, "attention": .value, "timeoutSeconds": .value]),
        "card": .object(["organisation": .value, "address": .value, "hours": .value, "phone": .value,
                         "whenCreditRunsOut": .value]),
    ])

    /// The first unknown key in `json` (parsed JSON), as a key path and a reason with the nearest known key.
    static func unknownKey(in json: Any, shape: Shape = file, path: String = "") -> (key: String, reason: String)? {
        switch shape {
        case .value, .map:
            return nil
        case .array(let element):
            guard let items = json as? [Any] else { return nil }
            for (index, item) in items.enumerated() {
                if let found = unknownKey(in: item, shape: element, path: path + "[\(index)]") { return found }
            }
            return nil
        case .object(let keys):
            guard let object = json as? [String: Any] else { return nil }
            for key in object.keys.sorted() {
                let keyPath = path.isEmpty ? key : path + "." + key
                guard let inner = keys[key] else {
                    let hint = nearest(key, among: Array(keys.keys)).map { " (did you mean '\($0)'?)" } ?? ""
                    return (keyPath, "is not a known setting\(hint)")
                }
                if let value = object[key], let found = unknownKey(in: value, shape: inner, path: keyPath) { return found }
            }
            return nil
        }
    }

    /// The known key closest to `key` (case-insensitive edit distance at most a third of its length, at least 2).
    static func nearest(_ key: String, among known: [String]) -> String? {
        let limit = max(2, key.count / 3)
        let scored = known.map { ($0, distance(key.lowercased(), $0.lowercased())) }.filter { $0.1 <= limit }
        return scored.min { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }?.0
    }

    /// Levenshtein distance between two strings.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
