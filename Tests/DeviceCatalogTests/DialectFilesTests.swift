import DeviceCatalog
import Foundation
import Testing

/// The dialect files: the shipped ones are what the daemon knows, read strictly like a station's own.
@Suite struct DialectFilesTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let shippedDirectory = repository.appendingPathComponent("catalog/dialects").path

    @Test func theCompiledInDialectsAreTheFilesOfCatalogDialects() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.shippedDirectory).filter { $0.hasSuffix(".json") }.sorted()
        #expect(ShippedDialects.files.map(\.name) == names, "run scripts/generate-shipped-dialects.sh")
        for file in ShippedDialects.files {
            let onDisk = try String(contentsOfFile: Self.shippedDirectory + "/" + file.name, encoding: .utf8)
            #expect(file.contents + "\n" == onDisk || file.contents == onDisk,
                    "\(file.name) changed since it was compiled in: run scripts/generate-shipped-dialects.sh")
        }
    }

    @Test func everyShippedFileLoadsStrictly() throws {
        let loaded = try DialectFiles.load(directories: [Self.shippedDirectory])
        #expect(loaded == ShippedDialects.all, "a shipped file that fails to load would silently be left out")
        #expect(Set(loaded.map(\.name)).count == loaded.count, "dialect names are unique")
        #expect(loaded.contains { $0.name == "huawei-e5-mifi" && $0.hasWiFi })
        #expect(loaded.contains { $0.isCatchAll }, "a catch-all dialect ships")
    }

    @Test func aMisspeltKeyIsRefusedWithItsPathAndTheNearestKey() {
        let text = #"{"format": 1, "dialects": [{"name": "x", "iccidComands": ["+CCID"], "ussdEncoding": "text", "setupCommands": []}]}"#
        #expect(throws: DialectFileError(source: "x.json",
                                         reason: "dialects[0].iccidComands is not a known setting (did you mean 'iccidCommands'?)")) {
            _ = try DialectFiles.decode(Data(text.utf8), source: "x.json")
        }
    }

    @Test func aWiFiStoreWithoutItsPlaceholderIsRefused() {
        let text = #"""
        {"format": 1, "dialects": [{"name": "bad-mifi", "manufacturerPattern": "acme", "iccidCommands": ["+CCID"],
          "ussdEncoding": "text", "setupCommands": [],
          "wifiStore": {"setSSID": "AT+SSID=\"fixed\"", "setKey": "AT+KEY=\"{key}\"", "readSSID": "AT+SSID?", "ssidPrefix": "+SSID"}}]}
        """#
        #expect(throws: DialectFileError.self) { _ = try DialectFiles.decode(Data(text.utf8), source: "bad.json") }
    }

    @Test func aStationsOwnDialectDirectoryComesBeforeTheShippedOnes() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dialects-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = #"{"format": 1, "dialects": [{"name": "huawei-e3131-text", "manufacturerPattern": "huawei", "modelPattern": "^E3131", "iccidCommands": ["+CRSM"], "ussdEncoding": "text", "setupCommands": ["ATE0"]}]}"#
        try Data(text.utf8).write(to: directory.appendingPathComponent("local.json"))
        let catalog = DialectCatalog(configured: try DialectFiles.load(directories: [directory.path, "/nonexistent"]))
        #expect(catalog.dialect(manufacturer: "huawei", model: "E3131").name == "huawei-e3131-text")
        #expect(catalog.dialect(manufacturer: "huawei", model: "E173").name == "huawei-stick")
    }

    @Test func aFileOfAnotherFormatIsRefused() {
        let text = #"{"format": 2, "dialects": []}"#
        #expect(throws: DialectFileError.self) { _ = try DialectFiles.decode(Data(text.utf8), source: "new.json") }
    }
}
