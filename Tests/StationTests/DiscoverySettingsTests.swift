import Foundation
import Station
import Testing

/// The `discovery.portMemoryFile` setting: absent, null and a path mean three different things.
struct PortMemorySettingTests {
    static func settings(_ json: String) throws -> DiscoverySettings {
        try JSONDecoder().decode(DiscoverySettings.self, from: Data(json.utf8))
    }

    @Test func absentMeansNextToTheLedgerNullMeansMemoryOnly() throws {
        let fallback = DiscoverySettings.defaultPortMemoryFile(databasePath: "/var/lib/hotspotd/ledger.sqlite")
        #expect(fallback == "/var/lib/hotspotd/at-ports.json")
        #expect(try Self.settings("{}").portMemoryPath(default: fallback) == fallback)
        #expect(try Self.settings("{\"portMemoryFile\": null}").portMemoryPath(default: fallback) == nil)
        #expect(try Self.settings("{\"portMemoryFile\": \"/srv/p.json\"}").portMemoryPath(default: fallback) == "/srv/p.json")
        // Encoding keeps null apart from absent.
        let memoryOnly = try Self.settings("{\"portMemoryFile\": null}")
        #expect(try Self.settings(String(decoding: JSONEncoder().encode(memoryOnly), as: UTF8.self)) == memoryOnly)
        #expect(memoryOnly != (try Self.settings("{}")))
    }
}
