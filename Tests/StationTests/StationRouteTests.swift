import FailureCodes
import Foundation
@testable import Station
import StationAPI
import Testing
import UnixHTTP

/// The one route table: what the CLI renders, the daemon parses back to the same route; every route declares who may
/// call it; HTTP statuses are chosen in the router alone.
@Suite struct StationRouteTests {
    /// Device references as technicians type them, and hostile ones: a port path (its `/` must not split the route),
    /// spaces, percent signs, non-ASCII, a query-looking tail.
    static let references = ["d1", "/dev/ttyUSB0", "8933 0123", "100%", "é-modem", "d1?reveal=1", "a/../b"]
    static let day = Date(timeIntervalSince1970: 1_764_201_600)   // 2025-11-27T00:00:00Z, whole seconds
    static let later = Date(timeIntervalSince1970: 1_764_250_123)

    /// Routes of each kind, with every parameter absent and present. The `switch` is exhaustive: a new route does not
    /// compile here until it has samples, so the round trip below covers it.
    static func samples(_ kind: StationRoute.Kind) -> [StationRoute] {
        switch kind {
        case .health: return [.health]
        case .devices: return [.devices]
        case .attach: return [.attach]
        case .device: return references.map { .device($0) }
        case .card: return references.map { .card($0) }
        case .detach: return references.map { .detach($0) }
        case .provision: return references.map { .provision($0) }
        case .topUp: return references.map { .topUp($0) }
        case .unlock: return references.map { .unlock($0) }
        case .reloadConfiguration: return [.reloadConfiguration]
        case .orders: return [.orders(state: nil, limit: nil), .orders(state: "open", limit: 5), .orders(state: "a b&c", limit: nil)]
        case .cancelOrder: return [.cancelOrder(1), .cancelOrder(Int64.max)]
        case .events: return [.events]
        case .plans: return [.plans]
        case .vouchers:
            return [.vouchers(state: nil, limit: nil, since: nil), .vouchers(state: "unknown", limit: 100_000, since: nil),
                    .vouchers(state: nil, limit: 1, since: day)]
        case .importVouchers: return [.importVouchers]
        case .unknownVouchers: return [.unknownVouchers]
        case .settleVoucher: return [.settleVoucher(7)]
        case .ledger:
            return [.ledger(.init()),
                    .ledger(.init(iccid: "1234", imei: "356789012345678", since: day, until: later, limit: 20))]
        case .verifyLedger:
            return [.verifyLedger(anchor: nil), .verifyLedger(anchor: LedgerAnchorInfo(seq: 42, hash: String(repeating: "ab", count: 32)))]
        case .ledgerAnchor: return [.ledgerAnchor]
        case .exportLedger: return [.exportLedger(format: nil), .exportLedger(format: "csv"), .exportLedger(format: "jsonl")]
        case .backupLedger: return [.backupLedger]
        case .report: return [.report(from: nil, to: nil), .report(from: day, to: later)]
        case .history: return references.map { .history($0, limit: nil) } + [.history("d1", limit: 3)]
        }
    }

    @Test func everyRouteTheCLIRendersParsesBackToTheSameRouteOnTheDaemon() throws {
        var seen = 0
        for kind in StationRoute.Kind.allCases {
            for route in Self.samples(kind) {
                #expect(route.kind == kind)
                #expect(route.method == kind.method)
                // As the server sees it: the rendered path decoded by the HTTP layer into segments.
                let request = HTTPRequest(method: route.method, path: route.path, query: route.query)
                let parsed = try StationRoute.parse(method: request.method, segments: request.pathSegments, path: request.path,
                                                    query: request.query)
                #expect(parsed == route, "\(route.method) \(route.path) \(route.query)")
                #expect(try StationRoute.parse(method: route.method, path: route.path, query: route.query) == route)
                #expect(StationRoute.Kind(method: route.method, segments: request.pathSegments) == kind)
                seen += 1
            }
        }
        #expect(seen > StationRoute.Kind.allCases.count)
    }

    /// The access each route needs, reviewed: a route added without a line here fails, and so does a changed level.
    static let reviewedAccess: [StationRoute.Kind: StationRoute.Access] = [
        .health: .anyone,
        .devices: .technician, .device: .technician, .card: .technician, .events: .technician, .plans: .technician,
        .attach: .technician, .detach: .technician, .provision: .technician, .topUp: .technician, .unlock: .technician,
        .verifyLedger: .technician, .ledgerAnchor: .technician,
        .vouchers: .technicianUnlessRevealing, .unknownVouchers: .technicianUnlessRevealing, .report: .technicianUnlessRevealing,
        .history: .technicianUnlessRevealing, .ledger: .technicianUnlessRevealing,
        .importVouchers: .supervisor, .settleVoucher: .supervisor, .exportLedger: .supervisor, .backupLedger: .supervisor,
        .orders: .supervisor, .cancelOrder: .supervisor, .reloadConfiguration: .supervisor,
    ]

    @Test func everyRouteHasAReviewedAccessLevel() {
        let unreviewed = StationRoute.Kind.allCases.filter { Self.reviewedAccess[$0] == nil }
        #expect(unreviewed.isEmpty, "routes without a reviewed access level: \(unreviewed)")
        for kind in StationRoute.Kind.allCases {
            #expect(kind.access == Self.reviewedAccess[kind], "\(kind)")
        }
    }

    @Test func revealingIdentifiersNeedsASupervisorEverywhereButHealth() {
        for kind in StationRoute.Kind.allCases {
            let needed = AccessPolicy.required(kind: kind, reveal: false, revealIdentifiers: true)
            #expect(needed == (kind == .health ? .none : .supervisor), "\(kind)")
        }
        #expect(AccessPolicy.required(kind: nil, reveal: false, revealIdentifiers: false) == .supervisor)
        #expect(AccessPolicy.required(kind: .ledger, reveal: true, revealIdentifiers: false) == .supervisor)
        #expect(AccessPolicy.required(kind: .ledger, reveal: false, revealIdentifiers: false) == .technician)
    }

    @Test func moneyOperationsAreTheRoutesThatMoveMoneyOrFillTheDisk() {
        let money = Set(StationRoute.Kind.allCases.filter(\.isMoneyOperation))
        #expect(money == [.attach, .provision, .topUp, .importVouchers, .settleVoucher, .backupLedger])
    }

    @Test func aRequestNamingNoRouteOrABadParameterIsRefusedWithItsCode() {
        func failure(_ method: String, _ path: String, _ query: [String: String] = [:]) -> StationRouteError? {
            do {
                _ = try StationRoute.parse(method: method, path: path, query: query)
                return nil
            } catch {
                return error
            }
        }
        #expect(failure("GET", "/devices")?.code == .noSuchRoute)
        #expect(failure("PUT", "/v1/devices")?.reason == .noSuchRoute)
        #expect(failure("GET", "/v1/devices/d1/provision")?.reason == .noSuchRoute)   // provision is a POST
        #expect(failure("POST", "/v1/orders/abc/cancel")?.code == .orderNotFound)
        #expect(failure("POST", "/v1/vouchers/0/settle")?.reason == .noSuchResource)
        #expect(failure("GET", "/v1/orders", ["limit": "0"])?.code == .invalidLimit)
        #expect(failure("GET", "/v1/ledger", ["limit": "100001"])?.code == .invalidLimit)
        #expect(failure("GET", "/v1/ledger", ["since": "yesterday"])?.code == .invalidDate)
        #expect(failure("GET", "/v1/vouchers", ["since": ""])?.code == .invalidDate)
        #expect(failure("GET", "/v1/ledger/verify", ["anchor": "12:xyz"])?.code == .invalidAnchor)
        #expect(failure("GET", "/v1/ledger/export", ["format": "xml"])?.code == .invalidFormat)
        // A limit is checked before a date, as the daemon always did.
        #expect(failure("GET", "/v1/ledger", ["since": "bad", "limit": "x"])?.code == .invalidLimit)
    }

    /// The statuses scripts see: each kind of station failure keeps its HTTP status.
    @Test func eachKindOfFailureHasItsStatusInTheRouter() {
        let expected: [Int] = [400, 403, 404, 409, 410, 422, 429, 500, 502, 503, 504, 507]
        #expect(StationError.Kind.allCases.map(APIRouter.status(of:)) == expected)
        let limited = APIRouter.error(StationError(.rateLimited(retryAfterSeconds: 7), code: .rateLimited, message: "slow down"))
        #expect(limited.status == 429)
        #expect(limited.headers.contains { $0.0 == "Retry-After" && $0.1 == "7" })
    }

    /// Outside the router, the station names kinds of failure, never HTTP statuses.
    @Test func noStationSourceOutsideTheRouterPicksAnHTTPStatus() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources")
        let statusArgument = try Regex(#"(?:StationError\(status:|status: *(?:4|5)\d\d\b)"#)
        var offenders: [String] = []
        for directory in ["Station", "HiLinkStation"] {
            let folder = sources.appendingPathComponent(directory)
            let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension == "swift" && $0.lastPathComponent != "APIRouter.swift" }
            #expect(!files.isEmpty, "no sources at \(folder.path)")
            for file in files where try String(contentsOf: file, encoding: .utf8).contains(statusArgument) {
                offenders.append(file.lastPathComponent)
            }
        }
        #expect(offenders.isEmpty, "HTTP statuses chosen outside APIRouter: \(offenders)")
    }
}
