#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import StationAPI

/// A parsed JSON value, so catalog files can be checked key by key with precise messages.
///
/// JSONDecoder's synthesized decoding ignores unknown keys; a misspelt `"mesage"` in a mode-switch
/// entry must fail at start instead, so the catalog walks this tree itself.
enum CatalogJSON: Sendable, Equatable, Decodable {
    case object([String: CatalogJSON])
    case array([CatalogJSON])
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([CatalogJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: CatalogJSON].self))
        }
    }
}

/// Reads one object of a catalog file: typed accessors that record the path for error messages
/// and refuse keys that are not part of the format.
struct CatalogObjectReader {
    let path: String
    let fields: [String: CatalogJSON]

    init(_ value: CatalogJSON, path: String, allowedKeys: Set<String>) throws(DiscoveryError) {
        guard case .object(let fields) = value else { throw CatalogObjectReader.invalid(path, "is not an object") }
        for key in fields.keys.sorted() where !allowedKeys.contains(key) {
            throw CatalogObjectReader.invalid(path, "has unknown key '\(key)'")
        }
        self.path = path
        self.fields = fields
    }

    static func invalid(_ path: String, _ problem: String) -> DiscoveryError {
        DiscoveryError(.catalogInvalid, context: "\(path) \(problem)")
    }

    func string(_ key: String) throws(DiscoveryError) -> String? {
        switch fields[key] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        default: throw Self.invalid("\(path).\(key)", "must be a string")
        }
    }

    func requiredString(_ key: String) throws(DiscoveryError) -> String {
        guard let value = try string(key), !value.isEmpty else {
            throw Self.invalid("\(path).\(key)", "is required")
        }
        return value
    }

    func bool(_ key: String) throws(DiscoveryError) -> Bool? {
        switch fields[key] {
        case nil, .null?: return nil
        case .bool(let value)?: return value
        default: throw Self.invalid("\(path).\(key)", "must be true or false")
        }
    }

    func int(_ key: String) throws(DiscoveryError) -> Int? {
        switch fields[key] {
        case nil, .null?: return nil
        case .number(let value)? where value.rounded() == value && abs(value) < 1e9: return Int(value)
        default: throw Self.invalid("\(path).\(key)", "must be an integer")
        }
    }

    func array(_ key: String) throws(DiscoveryError) -> [CatalogJSON] {
        switch fields[key] {
        case nil, .null?: return []
        case .array(let values)?: return values
        default: throw Self.invalid("\(path).\(key)", "must be an array")
        }
    }

    func strings(_ key: String) throws(DiscoveryError) -> [String] {
        var result: [String] = []
        for (index, value) in try array(key).enumerated() {
            guard case .string(let text) = value else {
                throw Self.invalid("\(path).\(key)[\(index)]", "must be a string")
            }
            result.append(text)
        }
        return result
    }

    func ints(_ key: String) throws(DiscoveryError) -> [Int] {
        var result: [Int] = []
        for (index, value) in try array(key).enumerated() {
            guard case .number(let number) = value, number.rounded() == number, number >= 0, number < 256 else {
                throw Self.invalid("\(path).\(key)[\(index)]", "must be an interface number 0-255")
            }
            result.append(Int(number))
        }
        return result
    }

    func hexByte(_ key: String) throws(DiscoveryError) -> UInt8? {
        guard let text = try string(key) else { return nil }
        guard let byte = Self.parseHexByte(text) else {
            throw Self.invalid("\(path).\(key)", "must be two hex digits, got '\(text)'")
        }
        return byte
    }

    func hexBytes(_ key: String) throws(DiscoveryError) -> [UInt8] {
        var result: [UInt8] = []
        for (index, text) in try strings(key).enumerated() {
            guard let byte = Self.parseHexByte(text) else {
                throw Self.invalid("\(path).\(key)[\(index)]", "must be two hex digits, got '\(text)'")
            }
            result.append(byte)
        }
        return result
    }

    func usbIDs(_ key: String) throws(DiscoveryError) -> [USBID] {
        var result: [USBID] = []
        for (index, text) in try strings(key).enumerated() {
            guard let id = USBID(text) else {
                throw Self.invalid("\(path).\(key)[\(index)]", "must be vvvv:pppp in hex, got '\(text)'")
            }
            result.append(id)
        }
        return result
    }

    func role(_ key: String) throws(DiscoveryError) -> DeviceRole? {
        guard let text = try string(key) else { return nil }
        guard let role = DeviceRole(catalogName: text) else {
            throw Self.invalid("\(path).\(key)", "must be one of hotspot, modem, simReader; got '\(text)'")
        }
        return role
    }

    static func parseHexByte(_ text: String) -> UInt8? {
        guard text.count == 2 else { return nil }
        return UInt8(text, radix: 16)
    }

    static func parseHexString(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard !digits.isEmpty, digits.count.isMultiple(of: 2) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
