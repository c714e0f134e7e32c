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

    /// The entry for a vendor:product pair; the last loaded entry wins. Entries with USB string conditions
    /// are skipped: `entry(for:manufacturer:product:)` weighs them.
    public func entry(for id: USBID) -> USBCatalogEntry? {
        entries.last { $0.usbIDs.contains(id) && $0.whenManufacturerContains == nil && $0.whenProductContains == nil }
    }

    /// The entry for a device with these ids and USB strings: the last loaded entry whose conditions hold.
    public func entry(for id: USBID, manufacturer: String?, product: String?) -> USBCatalogEntry? {
        entries.last { $0.usbIDs.contains(id) && $0.appliesTo(manufacturer: manufacturer, product: product) }
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
                                           allowedKeys: ["formatVersion", "description", "generatedFrom", "devices", "genericRules"])
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
            "whenManufacturer", "whenProduct",
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
            atPort: atPort, noATPort: try object.string("noATPort"),
            whenManufacturerContains: try object.string("whenManufacturer").flatMap { $0.isEmpty ? nil : $0 },
            whenProductContains: try object.string("whenProduct").flatMap { $0.isEmpty ? nil : $0 })
    }

    private static let hintKeys: Set<String> = [
        "pcuiProtocols", "modemProtocols", "nonATProtocols", "interfaceStrings", "interfaceNumbers", "modemInterfaceNumbers",
        "nonATInterfaceNumbers",
    ]

    private static func decodeHints(_ reader: CatalogObjectReader) throws(DiscoveryError) -> ATPortHints {
        ATPortHints(
            pcuiProtocols: try reader.hexBytes("pcuiProtocols"), modemProtocols: try reader.hexBytes("modemProtocols"),
            nonATProtocols: try reader.hexBytes("nonATProtocols"), interfaceStrings: try reader.strings("interfaceStrings"),
            interfaceNumbers: try reader.ints("interfaceNumbers"),
            modemInterfaceNumbers: try reader.ints("modemInterfaceNumbers"),
            nonATInterfaceNumbers: try reader.ints("nonATInterfaceNumbers"))
    }

    /// The `method` names of a `modeSwitch` object.
    static let modeSwitchMethods = [
        "bulkMessage", "bulkMessages", "standardEject", "huaweiNewMode", "huaweiAltMode", "optionMode", "ciscoMode",
        "huaweiSetFeature", "sierraMode", "pantechMode", "quantaMode", "qisdaMode", "kobilMode", "sequansMode",
        "blackberryMode", "setConfiguration",
    ]

    private static func decodeModeSwitch(_ value: CatalogJSON, path: String) throws(DiscoveryError) -> ModeSwitchSpec {
        let object = try CatalogObjectReader(value, path: path, allowedKeys: [
            "method", "message", "messages", "needResponse", "pantechValue", "configuration", "interface",
            "messageEndpoint", "responseEndpoint", "resetUSB", "targetUSBIDs", "targetClass", "timeoutSeconds",
        ])
        let needResponse = try object.bool("needResponse") ?? false
        func message(_ text: String, _ at: String) throws(DiscoveryError) -> ModeSwitchBulkMessage {
            guard let bytes = CatalogObjectReader.parseHexString(text), bytes.count <= 512 else {
                throw CatalogObjectReader.invalid(at, "must be an even number of hex digits, at most 512 bytes")
            }
            return ModeSwitchBulkMessage(bytes, needResponse: needResponse)
        }
        let extra: [ModeSwitchBulkMessage]
        if let text = try object.string("message") {
            extra = [try message(text, "\(path).message")]
        } else {
            extra = []
        }
        let configuration = try object.int("configuration")
        if let configuration, !(1...255).contains(configuration) {
            throw CatalogObjectReader.invalid("\(path).configuration", "must be 1-255")
        }
        let method: ModeSwitchMethod
        let name = try object.requiredString("method")
        func bulk(_ messages: [[UInt8]]) -> ModeSwitchMethod {
            .bulkMessages(messages.map { ModeSwitchBulkMessage($0, needResponse: needResponse) })
        }
        switch name {
        case "bulkMessage":
            guard let only = extra.first else { throw CatalogObjectReader.invalid("\(path).message", "is required") }
            method = needResponse ? .bulkMessages([only]) : .bulkMessage(only.bytes)
        case "bulkMessages":
            var messages: [ModeSwitchBulkMessage] = []
            for (index, text) in try object.strings("messages").enumerated() {
                messages.append(try message(text, "\(path).messages[\(index)]"))
            }
            guard (1...3).contains(messages.count) else {
                throw CatalogObjectReader.invalid("\(path).messages", "must list 1 to 3 messages")
            }
            method = .bulkMessages(messages)
        case "standardEject":
            method = .bulkMessages(ModeSwitchMethod.standardEjectMessages.map { ModeSwitchBulkMessage($0, needResponse: needResponse) } + extra)
        case "huaweiNewMode":
            method = needResponse ? bulk([ModeSwitchMethod.huaweiNewModeMessage]) : .bulkMessage(ModeSwitchMethod.huaweiNewModeMessage)
        case "huaweiAltMode":
            method = bulk([ModeSwitchMethod.huaweiAltModeMessage])
        case "optionMode":
            method = bulk([ModeSwitchMethod.optionModeMessage])
        case "ciscoMode":
            method = bulk(ModeSwitchMethod.ciscoMessages)
        case "huaweiSetFeature":
            method = .huaweiSetFeature
        case "sierraMode":
            method = .controlRequests([ModeSwitchMethod.sierraRequest])
        case "pantechMode":
            guard let value = try object.int("pantechValue"), (0...0xffff).contains(value) else {
                throw CatalogObjectReader.invalid("\(path).pantechValue", "is required for pantechMode (0-65535)")
            }
            let requests = ModeSwitchMethod.pantechRequests(value: UInt16(value))
            // Values 0 and 1: the device switches by itself once usb-storage lets go; an empty bulk sequence
            // detaches the driver and claims the interface, and sends nothing.
            method = requests.isEmpty ? .bulkMessages([]) : .controlRequests(requests)
        case "quantaMode":
            method = .controlRequests([ModeSwitchMethod.quantaRequest])
        case "qisdaMode":
            method = .controlRequests([ModeSwitchMethod.qisdaRequest])
        case "kobilMode":
            method = .controlRequests([ModeSwitchMethod.kobilRequest])
        case "sequansMode":
            method = .controlRequests([ModeSwitchMethod.sequansRequest])
        case "blackberryMode":
            method = .controlRequests(ModeSwitchMethod.blackberryRequests)
        case "setConfiguration":
            guard let configuration else {
                throw CatalogObjectReader.invalid("\(path).configuration", "is required for setConfiguration")
            }
            method = .setConfiguration(UInt8(configuration))
        default:
            throw CatalogObjectReader.invalid("\(path).method",
                                              "must be one of \(modeSwitchMethods.joined(separator: ", ")); got '\(name)'")
        }
        let targets = try object.usbIDs("targetUSBIDs")
        var targetClass: ModeSwitchTargetClass?
        switch try object.string("targetClass") {
        case nil: targetClass = nil
        case "any"?: targetClass = .anyWithoutStorage
        case let text?:
            guard let byte = CatalogObjectReader.parseHexByte(text) else {
                throw CatalogObjectReader.invalid("\(path).targetClass", "must be two hex digits or 'any', got '\(text)'")
            }
            targetClass = .interfaceClass(byte)
        }
        guard !targets.isEmpty || targetClass != nil else {
            throw CatalogObjectReader.invalid("\(path).targetUSBIDs", "must list at least one id (or give targetClass)")
        }
        let seconds = try object.int("timeoutSeconds") ?? 20
        guard (1...300).contains(seconds) else {
            throw CatalogObjectReader.invalid("\(path).timeoutSeconds", "must be 1-300")
        }
        let interface = try object.int("interface")
        if let interface, !(0...255).contains(interface) {
            throw CatalogObjectReader.invalid("\(path).interface", "must be an interface number 0-255")
        }
        // usb-modeswitch-data gives endpoint numbers (ResponseEndpoint=0x01 for IN endpoint 1, as
        // libusb-0.1 took them); the direction comes from the use.
        let messageEndpoint = try object.hexByte("messageEndpoint").map { $0 & 0x7f }
        let responseEndpoint = try object.hexByte("responseEndpoint").map { $0 | 0x80 }
        let afterwards: UInt8? = if case .setConfiguration = method { nil } else { configuration.map { UInt8($0) } }
        return ModeSwitchSpec(method: method, targetUSBIDs: targets, timeout: .seconds(seconds), targetClass: targetClass,
                              configuration: afterwards, interfaceNumber: interface, messageEndpoint: messageEndpoint,
                              responseEndpoint: responseEndpoint, resetUSB: try object.bool("resetUSB") ?? false)
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
