import Foundation

/// The USB device catalog: known ids, mode switches, AT port hints and generic rules, as data.
///
/// Loaded at start from the shipped directory and then the override directory
/// (`/etc/hotspotd/devices.d/`); see `catalog/devices/README.md` for the format. Lookups prefer
/// what was loaded last, so a local file can redefine a shipped device.
public struct USBDeviceCatalog: Sendable, Equatable {
    /// Where `make install` puts the shipped files.
    public static let shippedDirectory = "/usr/local/share/hotspotd/devices"
    /// Where a station's own additions and overrides live (loaded after the shipped files).
    public static let overrideDirectory = "/etc/hotspotd/devices.d"
    /// The file format version this code reads.
    public static let formatVersion = 1

    /// Id entries in load order.
    public var entries: [USBCatalogEntry]
    /// Generic rules in load order.
    public var genericRules: [USBGenericRule]

    /// Creates a catalog from entries and rules (tests, or code that builds one).
    public init(entries: [USBCatalogEntry] = [], genericRules: [USBGenericRule] = []) {
        self.entries = entries
        self.genericRules = genericRules
    }

    /// The entry for a vendor:product pair; the last loaded entry wins.
    public func entry(for id: USBID) -> USBCatalogEntry? {
        entries.last { $0.usbIDs.contains(id) }
    }

    /// This catalog with `later` loaded on top: same-id entries and rules are replaced in place,
    /// new ones appended.
    public func merging(_ later: USBDeviceCatalog) -> USBDeviceCatalog {
        var result = self
        for entry in later.entries {
            if let index = result.entries.firstIndex(where: { $0.id == entry.id }) {
                result.entries[index] = entry
            } else {
                result.entries.append(entry)
            }
        }
        for rule in later.genericRules {
            if let index = result.genericRules.firstIndex(where: { $0.id == rule.id }) {
                result.genericRules[index] = rule
            } else {
                result.genericRules.append(rule)
            }
        }
        return result
    }

    /// Loads every `*.json` file of the directories, in order, each directory in file-name
    /// order. A missing directory is skipped (a station without overrides has no devices.d).
    public static func load(directories: [String]) throws(DiscoveryError) -> USBDeviceCatalog {
        var catalog = USBDeviceCatalog()
        let files = FileManager.default
        for directory in directories {
            var isDirectory: ObjCBool = false
            guard files.fileExists(atPath: directory, isDirectory: &isDirectory) else { continue }
            guard isDirectory.boolValue else {
                throw DiscoveryError(.catalogUnreadable, errno: ENOTDIR, context: "catalog directory \(directory)")
            }
            let names: [String]
            do {
                names = try files.contentsOfDirectory(atPath: directory)
            } catch {
                throw DiscoveryError(.catalogUnreadable, context: "listing \(directory): \(error)")
            }
            for name in names.sorted() where name.hasSuffix(".json") && !name.hasPrefix(".") {
                let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
                guard let data = files.contents(atPath: path) else {
                    throw DiscoveryError(.catalogUnreadable, context: "reading \(path)")
                }
                catalog = catalog.merging(try decode(data, source: path))
            }
        }
        return catalog
    }

    /// Decodes one catalog file; `source` names it in error messages.
    public static func decode(_ data: Data, source: String) throws(DiscoveryError) -> USBDeviceCatalog {
        let json: CatalogJSON
        do {
            json = try JSONDecoder().decode(CatalogJSON.self, from: data)
        } catch {
            throw DiscoveryError(.catalogInvalid, context: "\(source) is not valid JSON: \(error)")
        }
        let file = try CatalogObjectReader(json, path: source,
                                           allowedKeys: ["formatVersion", "description", "devices", "genericRules"])
        guard let version = try file.int("formatVersion") else {
            throw CatalogObjectReader.invalid("\(source).formatVersion", "is required")
        }
        guard version == formatVersion else {
            throw CatalogObjectReader.invalid("\(source).formatVersion", "is \(version); this hotspotd reads \(formatVersion)")
        }
        _ = try file.string("description")
        var entries: [USBCatalogEntry] = []
        for (index, value) in try file.array("devices").enumerated() {
            entries.append(try decodeEntry(value, path: "\(source).devices[\(index)]"))
        }
        var rules: [USBGenericRule] = []
        for (index, value) in try file.array("genericRules").enumerated() {
            rules.append(try decodeRule(value, path: "\(source).genericRules[\(index)]"))
        }
        return USBDeviceCatalog(entries: entries, genericRules: rules)
    }

    // MARK: - Private

    private static func decodeEntry(_ value: CatalogJSON, path: String) throws(DiscoveryError) -> USBCatalogEntry {
        let object = try CatalogObjectReader(value, path: path, allowedKeys: [
            "id", "name", "usbIDs", "role", "roleByProductString", "modeSwitch", "atPort", "noATPort",
        ])
        let usbIDs = try object.usbIDs("usbIDs")
        guard !usbIDs.isEmpty else { throw CatalogObjectReader.invalid("\(path).usbIDs", "must list at least one id") }
        var roles: [ProductStringRole] = []
        for (index, item) in try object.array("roleByProductString").enumerated() {
            let rule = try CatalogObjectReader(item, path: "\(path).roleByProductString[\(index)]",
                                               allowedKeys: ["contains", "role"])
            guard let role = try rule.role("role") else { throw CatalogObjectReader.invalid(rule.path, "needs a role") }
            roles.append(ProductStringRole(contains: try rule.requiredString("contains"), role: role))
        }
        var modeSwitch: ModeSwitchSpec?
        if let spec = object.fields["modeSwitch"] {
            modeSwitch = try decodeModeSwitch(spec, path: "\(path).modeSwitch")
        }
        var atPort: ATPortHints?
        if let hints = object.fields["atPort"] {
            let reader = try CatalogObjectReader(hints, path: "\(path).atPort", allowedKeys: hintKeys)
            atPort = try decodeHints(reader)
        }
        return USBCatalogEntry(
            id: try object.requiredString("id"), name: try object.string("name") ?? "", usbIDs: usbIDs,
            role: try object.role("role") ?? .modem, roleByProductString: roles, modeSwitch: modeSwitch,
            atPort: atPort, noATPort: try object.string("noATPort"))
    }

    private static let hintKeys: Set<String> = [
        "pcuiProtocols", "modemProtocols", "nonATProtocols", "interfaceStrings", "interfaceNumbers", "modemInterfaceNumbers",
    ]

    private static func decodeHints(_ reader: CatalogObjectReader) throws(DiscoveryError) -> ATPortHints {
        ATPortHints(
            pcuiProtocols: try reader.hexBytes("pcuiProtocols"), modemProtocols: try reader.hexBytes("modemProtocols"),
            nonATProtocols: try reader.hexBytes("nonATProtocols"), interfaceStrings: try reader.strings("interfaceStrings"),
            interfaceNumbers: try reader.ints("interfaceNumbers"),
            modemInterfaceNumbers: try reader.ints("modemInterfaceNumbers"))
    }

    private static func decodeModeSwitch(_ value: CatalogJSON, path: String) throws(DiscoveryError) -> ModeSwitchSpec {
        let object = try CatalogObjectReader(value, path: path,
                                             allowedKeys: ["method", "message", "targetUSBIDs", "timeoutSeconds"])
        let method: ModeSwitchMethod
        switch try object.requiredString("method") {
        case "bulkMessage":
            let text = try object.requiredString("message")
            guard let bytes = CatalogObjectReader.parseHexString(text), bytes.count <= 64 else {
                throw CatalogObjectReader.invalid("\(path).message", "must be an even number of hex digits, at most 64 bytes")
            }
            method = .bulkMessage(bytes)
        case "huaweiNewMode":
            method = .bulkMessage(ModeSwitchMethod.huaweiNewModeMessage)
        case "huaweiSetFeature":
            method = .huaweiSetFeature
        case let other:
            throw CatalogObjectReader.invalid("\(path).method",
                                              "must be bulkMessage, huaweiNewMode or huaweiSetFeature; got '\(other)'")
        }
        let targets = try object.usbIDs("targetUSBIDs")
        guard !targets.isEmpty else { throw CatalogObjectReader.invalid("\(path).targetUSBIDs", "must list at least one id") }
        let seconds = try object.int("timeoutSeconds") ?? 20
        guard (1...300).contains(seconds) else {
            throw CatalogObjectReader.invalid("\(path).timeoutSeconds", "must be 1-300")
        }
        return ModeSwitchSpec(method: method, targetUSBIDs: targets, timeout: .seconds(seconds))
    }

    private static func decodeRule(_ value: CatalogJSON, path: String) throws(DiscoveryError) -> USBGenericRule {
        let object = try CatalogObjectReader(value, path: path, allowedKeys: hintKeys.union([
            "id", "name", "vendorIDs", "interfaceClass", "interfaceSubclass", "requiresUdevCandidate", "role",
        ]))
        var vendors: [UInt16] = []
        for (index, text) in try object.strings("vendorIDs").enumerated() {
            guard let vendor = USBID.parseHex16(text) else {
                throw CatalogObjectReader.invalid("\(path).vendorIDs[\(index)]", "must be four hex digits")
            }
            vendors.append(vendor)
        }
        guard let interfaceClass = try object.hexByte("interfaceClass") else {
            throw CatalogObjectReader.invalid("\(path).interfaceClass", "is required")
        }
        return USBGenericRule(
            id: try object.requiredString("id"), name: try object.string("name") ?? "", vendorIDs: vendors,
            interfaceClass: interfaceClass, interfaceSubclass: try object.hexByte("interfaceSubclass"),
            hints: try decodeHints(object), requiresUdevCandidate: try object.bool("requiresUdevCandidate") ?? false,
            role: try object.role("role") ?? .modem)
    }
}
