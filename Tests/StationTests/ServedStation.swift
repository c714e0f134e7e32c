import Foundation
import Ledger
import Logging
@testable import Station
import UnixHTTP

/// A station over a temporary ledger served on a temporary socket the way `StationService` serves it (same router,
/// same admission policy), with limits a test can shorten. No device.
final class ServedStation: Sendable {
    let directory: String
    let ledger: Ledger
    let station: Station
    let server: UnixHTTPServer
    var socketPath: String { server.socketPath }

    init(limits: UnixHTTPServer.Limits = UnixHTTPServer.Limits()) async throws {
        directory = NSTemporaryDirectory() + "served-station-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        ledger = try Ledger(path: directory + "/ledger.sqlite")
        let config = try StationConfig.parse(Data("""
            {
              "plans": [{ "name": "500MB", "megabytes": 500 }],
              "wifi": { "ssidTemplate": "Connexion-{iccid4}", "keyLength": 12, "dataLockCode": "73546213" },
              "operators": [{ "name": "SimuNet", "mccmnc": ["00101"], "rechargeTemplate": "*123*{code}#",
                              "balanceCode": "*100#", "successPattern": "rechargement reussi",
                              "refusalPattern": "invalide|deja utilise", "balancePattern": "solde data[^0-9]*([0-9]+) Mo",
                              "replyTimeoutSeconds": 5 }],
              "lockDirectory": null
            }
            """.utf8), file: "test.json")
        station = Station(config: config, ledger: ledger, logger: Logger(label: "served-station-test"))
        let router = APIRouter(station: station)
        server = UnixHTTPServer(socketPath: directory + "/api.sock", limits: limits,
                                admission: StationService.admissionPolicy(supervisorGroupID: nil)) { request in
            await router.handle(request)
        }
        try await server.start()
    }

    /// Imports `count` vouchers, one ledger event each (about 400 bytes of export per event).
    func importVouchers(_ count: Int, prefix: String = "V") throws {
        var next = 0
        while next < count {
            let batch = (next..<min(count, next + 10_000)).map { (code: prefix + String(format: "%011d", $0), plan: "500MB") }
            _ = try ledger.importVouchers(batch, actor: 1000)
            next += batch.count
        }
    }

    /// The export as `Ledger.exportEvents` writes it in one go.
    func wholeExport(_ format: LedgerExportFormat) throws -> [UInt8] {
        var all: [UInt8] = []
        _ = try ledger.exportEvents(format: format) { data in all += data }
        return all
    }

    func stop() async {
        await server.shutdown()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
