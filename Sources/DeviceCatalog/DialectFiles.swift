import Foundation

/// Reads dialect files: `{"format": 1, "dialects": [ … ]}`, strictly (an unknown key is refused with the file, the
/// key path and the nearest known key; a Wi-Fi store that does not hold together is refused).
public enum DialectFiles {
    /// Where a station's own dialects live; they are tried before the shipped ones (`catalog/dialects/`, compiled in:
    /// `ShippedDialects`).
    public static let overrideDirectory = "/etc/hotspotd/dialects.d"
    /// The file format version this code reads.
    public static let formatVersion = 1

    /// The keys one dialect may hold.
    public static let dialectShape: KeyShape = .object([
        "name": .value, "manufacturerPattern": .value, "modelPattern": .value, "iccidCommands": .value,
        "ussdEncoding": .value, "setupCommands": .value, "timeoutsMS": .map, "finalResultGraceMS": .value,
        "simBusyWaitMS": .value, "notes": .value,
        "wifiStore": .object(["setSSID": .value, "setKey": .value, "readSSID": .value, "ssidPrefix": .value,
                              "readKey": .value, "keyPrefix": .value, "index": .value, "unlock": .value,
                              "ssidMaxBytes": .value]),
    ])

    /// The keys a dialect file may hold.
    public static let fileShape: KeyShape = .object(["format": .value, "notes": .value, "dialects": .array(dialectShape)])

    private struct File: Decodable {
        var format: Int
        var dialects: [DeviceDialect]
    }

    /// Decodes one file's dialects; `source` names it in errors.
    public static func decode(_ data: Data, source: String) throws(DialectFileError) -> [DeviceDialect] {
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw DialectFileError(source: source, reason: "is not valid JSON")
        }
        if let (key, reason) = fileShape.unknownKey(in: json) {
            throw DialectFileError(source: source, reason: "\(key) \(reason)")
        }
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: data)
        } catch {
            throw DialectFileError(source: source, reason: "does not hold dialects: \(error)")
        }
        guard file.format == formatVersion else {
            throw DialectFileError(source: source, reason: "has format \(file.format); this station reads format \(formatVersion)")
        }
        return try validate(file.dialects, source: source)
    }

    /// Checks what decoding cannot: a usable name, patterns that compile, a coherent Wi-Fi store, sane deadlines.
    public static func validate(_ dialects: [DeviceDialect], source: String) throws(DialectFileError) -> [DeviceDialect] {
        for (index, dialect) in dialects.enumerated() {
            let at = "dialects[\(index)] (\(dialect.name))"
            guard !dialect.name.isEmpty else { throw DialectFileError(source: source, reason: "\(at): empty name") }
            for pattern in [dialect.manufacturerPattern, dialect.modelPattern].compactMap({ $0 })
            where (try? NSRegularExpression(pattern: pattern)) == nil {
                throw DialectFileError(source: source, reason: "\(at): pattern '\(pattern)' is not a regular expression")
            }
            guard !dialect.iccidCommands.isEmpty else {
                throw DialectFileError(source: source, reason: "\(at): iccidCommands is empty")
            }
            if let problem = dialect.wifiStore?.problem {
                throw DialectFileError(source: source, reason: "\(at): wifiStore: \(problem)")
            }
            for (family, milliseconds) in dialect.timeoutsMS where !(1...600_000).contains(milliseconds) {
                throw DialectFileError(source: source, reason: "\(at): timeoutsMS.\(family) must be 1 to 600000")
            }
            for command in dialect.setupCommands
            where !command.uppercased().hasPrefix("AT") || command.contains("\r") || command.contains("\n") {
                throw DialectFileError(source: source, reason: "\(at): set-up command '\(command)' must start with AT")
            }
        }
        return dialects
    }

    /// Loads every `*.json` file of the directories, in order, each directory in file-name order. A missing directory
    /// is skipped (a station without overrides has no dialects.d).
    public static func load(directories: [String]) throws(DialectFileError) -> [DeviceDialect] {
        var result: [DeviceDialect] = []
        let files = FileManager.default
        for directory in directories {
            var isDirectory: ObjCBool = false
            guard files.fileExists(atPath: directory, isDirectory: &isDirectory) else { continue }
            guard isDirectory.boolValue else { throw DialectFileError(source: directory, reason: "is not a directory") }
            let names: [String]
            do {
                names = try files.contentsOfDirectory(atPath: directory)
            } catch {
                throw DialectFileError(source: directory, reason: "cannot be listed")
            }
            for name in names.sorted() where name.hasSuffix(".json") && !name.hasPrefix(".") {
                let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
                guard let data = files.contents(atPath: path) else {
                    throw DialectFileError(source: path, reason: "cannot be read")
                }
                result += try decode(data, source: path)
            }
        }
        return result
    }
}

/// A dialect file that cannot be used, with where and why.
public struct DialectFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file (or directory).
    public var source: String
    /// What is wrong.
    public var reason: String
    /// Creates an error.
    public init(source: String, reason: String) {
        self.source = source
        self.reason = reason
    }

    /// `file: reason`.
    public var description: String { "\(source): \(reason)" }
}
