import Foundation
import Ledger
import Logging
import ModemSimulator
@testable import Station
import StationAPI
import TestSupport
import UnixHTTP

/// A real `Station` over a temporary ledger and one simulated USB stick on a pseudo-terminal, in process.
///
/// `crashWhileSending` leaves the ledger as a daemon killed mid-recharge does: a provisioning whose
/// balance-before step read `balanceBeforeMB`, and its voucher committed `sending`.
final class SettlementRig {
    static let iccid = "89001010000123456782"
    static let imsi = "001010000012345"
    static let imei = "867530012345672"
    static let voucherCode = "123456789012"

    /// The station over a temporary ledger; the directory also holds the operator's state and the device's link.
    let base: StationRig
    let directory: String
    let ledger: Ledger
    let host: SimulatorHost
    let network: OperatorNetwork
    let config: StationConfig
    let station: Station
    let router: APIRouter
    var port: String { host.ports[0].path }
    /// The link to the device's current pty (`<directory>/stick`).
    var link: String { directory + "/stick" }

    /// `startingBalanceMB` is the SIM's balance on the simulated network; `extraJSON` is merged into the config.
    init(startingBalanceMB: Int, vouchers: [String: Int] = [SettlementRig.voucherCode: 500], defaultPlan: String? = nil,
         extraConfig: String = "", personality personalityName: String = "huawei-stick",
         operatorReply: ((inout ModemSimulator.OperatorProfile) -> Void)? = nil,
         faults: Personality.Faults? = nil, simPIN: String? = nil) throws {
        base = try StationRig(config: StationRig.configuration(defaultPlan: defaultPlan, extra: extraConfig + """
              "access": { "supervisorUIDs": [1000, 1001, 1002, 1003, 1004, 1234, 2000], "technicianUIDs": [3000, \((2001...2030).map(String.init).joined(separator: ", "))] },
              "allowPseudoTerminals": true,
            """))
        directory = base.directory.path
        ledger = base.ledger
        config = base.config
        station = base.station
        var profile = ModemSimulator.OperatorProfile()
        profile.replyDelayMs = 5
        profile.startingBalances = [Self.iccid: startingBalanceMB]
        profile.vouchers = vouchers
        operatorReply?(&profile)
        network = OperatorNetwork(profile: profile, ledger: try OperatorLedger(profile: profile, path: directory + "/operator.json"))
        // The shipped E3131 stick (packed GSM 7 USSD, as the dialect expects), without its latencies.
        var personality = try StationRig.shippedPersonality(personalityName)
        personality.identity.imei = Self.imei
        personality.sim = .init(iccid: Self.iccid, imsi: Self.imsi)
        if let simPIN {
            personality.sim.pin.state = .pinLocked
            personality.sim.pin.code = simPIN
        }
        personality.latency = .init()
        if let faults { personality.faults = faults }
        host = SimulatorHost(devices: [DeviceSetup(label: "stick", personality: personality)], network: network)
        // A stable link that follows the device across re-plugs (its pty changes), as a udev symlink does.
        _ = try host.start(linkDirectory: directory)
        router = APIRouter(station: station)
    }

    /// Leaves voucher `code` of `plan` in `sending` for the SIM, after a balance-before step of `balanceBeforeMB`.
    ///
    /// The run works for a policy order, as the daemon's runs do (`withOrder: false`: a run written before orders).
    @discardableResult
    func crashWhileSending(balanceBeforeMB: Int, code: String = SettlementRig.voucherCode, plan: String = "500MB",
                           withOrder: Bool = true) throws -> Int64 {
        try ledger.recordDevice(imei: Self.imei, manufacturer: "huawei", model: "E3131", firmware: "21.0", port: port, actor: nil)
        try ledger.recordSIM(iccid: Self.iccid, imsi: Self.imsi, luhnValid: true, actor: nil)
        var orderID: Int64?
        if withOrder, case .run(let order) = try ledger.placeOrder(iccid: Self.iccid, intent: OrderIntent(origin: .policy, plan: plan),
                                                                   actor: nil) {
            orderID = order.id
        }
        let provisioning = try ledger.startProvisioning(deviceIMEI: Self.imei, iccid: Self.iccid, plan: plan, orderID: orderID,
                                                        actor: nil)
        try ledger.recordStep(provisioningID: provisioning, step: "balance-before", status: .succeeded,
                              detail: ["balance.mb": String(balanceBeforeMB)], actor: nil)
        try ledger.importVouchers([(code: code, plan: plan)], actor: 1000)
        guard let voucher = try ledger.reserveVoucher(plan: plan, provisioningID: provisioning, iccid: Self.iccid, actor: nil) else {
            throw LedgerError(.notFound, "no voucher reserved")
        }
        try ledger.markSending(id: voucher.id, actor: nil)
        return voucher.id
    }

    /// The operator's side: how often the voucher was tried, and how often the balance was asked.
    func operatorTruth() -> OperatorState { network.ledger.snapshot() }

    /// One request through the router, as if `uid` sent it over the socket.
    func request(_ method: String, _ target: String, body: some Encodable, uid: UInt32? = 1000) async throws -> HTTPResponse {
        let bytes = Array(try StationJSON.encoder().encode(body))
        return await router.handle(HTTPRequest(method: method, target: target, body: bytes,
                                               peer: uid.map { PeerCredentials(pid: 1, uid: $0, gid: $0) }))
    }

    /// A request without a body.
    func request(_ method: String, _ target: String, uid: UInt32? = 1000) async -> HTTPResponse {
        await router.handle(HTTPRequest(method: method, target: target, peer: uid.map { PeerCredentials(pid: 1, uid: $0, gid: $0) }))
    }

    /// Decodes a JSON reply body.
    static func decode<T: Decodable>(_ type: T.Type, _ response: HTTPResponse) throws -> T {
        guard case .bytes(let bytes) = response.body else { throw LedgerError(.io, "streamed reply") }
        return try StationJSON.decoder().decode(type, from: Data(bytes))
    }

    /// Collects a streamed (or whole) reply body.
    static func collect(_ response: HTTPResponse) async -> [UInt8] {
        switch response.body {
        case .bytes(let bytes): return bytes
        case .stream(let stream):
            var all: [UInt8] = []
            for await chunk in stream { all += chunk }
            return all
        }
    }

    /// Waits (bounded) until device `id` of `station` (default: the rig's) reaches one of `states`, then until its run
    /// has ended.
    func waitForDevice(_ id: String, in states: Set<DeviceState>, within limit: Duration = .seconds(30),
                       station other: Station? = nil) async throws {
        try await StationRig.settled(other ?? station, id, in: states, within: limit)
    }

    func stop() async {
        await station.shutdown()
        host.stop()
        base.directory.remove()
    }
}
