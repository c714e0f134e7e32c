#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import StationAPI

/// Who may do what at the station, decided by the daemon from the caller's credentials (`SO_PEERCRED`).
///
/// Two roles besides the daemon's own account and root (who may do everything): **technicians** watch devices,
/// attach, provision and top up, and see a device's Wi-Fi key for hand-over; **supervisors** may also import and settle
/// vouchers, see voucher codes and full identifiers, back up and export the ledger. Anyone else who can reach the
/// socket gets `/v1/health` and a 403 naming the group needed. Groups are configuration (`access`), shipped in the
/// sysusers file; uids may be listed too (small stations, tests).
public struct AccessSettings: Codable, Sendable, Equatable {
    /// The group whose members are technicians (default `hotspot`).
    public var technicianGroup: String?
    /// The group whose members are supervisors (default `hotspot-admin`).
    public var supervisorGroup: String?
    /// Uids that are technicians whatever their groups.
    public var technicianUIDs: [Int]?
    /// Uids that are supervisors whatever their groups.
    public var supervisorUIDs: [Int]?

    /// Creates settings.
    public init(technicianGroup: String? = nil, supervisorGroup: String? = nil, technicianUIDs: [Int]? = nil,
                supervisorUIDs: [Int]? = nil) {
        self.technicianGroup = technicianGroup
        self.supervisorGroup = supervisorGroup
        self.technicianUIDs = technicianUIDs
        self.supervisorUIDs = supervisorUIDs
    }

    /// The technicians' group name in effect.
    public var technicians: String { technicianGroup ?? "hotspot" }
    /// The supervisors' group name in effect.
    public var supervisors: String { supervisorGroup ?? "hotspot-admin" }
}

/// A caller's role; each includes the ones before it.
public enum CallerRole: Int, Sendable, Comparable, CustomStringConvertible {
    /// Neither technician nor supervisor: health only.
    case none = 0
    /// May watch, attach, provision, top up, see Wi-Fi keys.
    case technician = 1
    /// May also handle vouchers, see codes and identifiers, back up and export.
    case supervisor = 2

    public static func < (lhs: CallerRole, rhs: CallerRole) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .none: return "none"
        case .technician: return "technician"
        case .supervisor: return "supervisor"
        }
    }
}

/// The pure part of the decision: a caller's role from their uid and groups, and the role a request needs.
public struct AccessPolicy: Sendable {
    /// The settings in effect.
    public let settings: AccessSettings
    /// The daemon's own uid (its account may do everything, like root).
    public let daemonUID: UInt32
    /// Gids of the technicians' and supervisors' groups (nil: the group does not exist on this system).
    public let technicianGID: UInt32?
    public let supervisorGID: UInt32?

    /// Creates a policy from settings and the groups resolved on this system.
    public init(settings: AccessSettings, daemonUID: UInt32, technicianGID: UInt32?, supervisorGID: UInt32?) {
        self.settings = settings
        self.daemonUID = daemonUID
        self.technicianGID = technicianGID
        self.supervisorGID = supervisorGID
    }

    /// The role of a caller with this uid and these groups (primary and supplementary); nil uid: an in-process call.
    public func role(uid: UInt32?, groups: Set<UInt32>) -> CallerRole {
        guard let uid else { return .supervisor }
        if uid == 0 || uid == daemonUID { return .supervisor }
        if settings.supervisorUIDs?.contains(Int(uid)) == true { return .supervisor }
        if let gid = supervisorGID, groups.contains(gid) { return .supervisor }
        if settings.technicianUIDs?.contains(Int(uid)) == true { return .technician }
        if let gid = technicianGID, groups.contains(gid) { return .technician }
        return .none
    }

    /// The role a request needs: `method` and the route's segments after `/v1`, and whether it asks to reveal secrets.
    ///
    /// Revealing on a device (its Wi-Fi key, for the hand-over card) is a technician's; revealing voucher codes or
    /// ledger identifiers is a supervisor's.
    public static func required(method: String, route: [String], reveal: Bool) -> CallerRole {
        required(method: method, route: route, reveal: reveal, revealIdentifiers: false)
    }

    /// The role a request needs when it may ask for identifiers explicitly (`reveal=ids`): a supervisor's on every
    /// route, device routes included; otherwise as `required(method:route:reveal:)`. `GET /v1/devices/{ref}/card`
    /// holds the Wi-Fi key and is a technician's, like `status` with the key revealed.
    public static func required(method: String, route: [String], reveal: Bool, revealIdentifiers: Bool) -> CallerRole {
        required(kind: StationRoute.Kind(method: method, segments: ["v1"] + route), reveal: reveal,
                 revealIdentifiers: revealIdentifiers)
    }

    /// The role a route needs, from the access level the route declares (`StationRoute.Kind.access`); a request
    /// that names no route needs a supervisor, so a stranger learns nothing of which routes exist.
    public static func required(kind: StationRoute.Kind?, reveal: Bool, revealIdentifiers: Bool) -> CallerRole {
        guard let kind else { return .supervisor }
        switch kind.access.level(revealsRecords: reveal, revealsIdentifiers: revealIdentifiers) {
        case .anyone: return .none
        case .technician: return .technician
        case .supervisor: return .supervisor
        }
    }

    /// The sentence a refused caller reads: which group gives the role.
    public func refusal(needed: CallerRole) -> String {
        switch needed {
        case .none: return "Allowed."
        case .technician:
            return "This needs a technician: membership of group '\(settings.technicians)' (or '\(settings.supervisors)')."
        case .supervisor:
            return "This needs a supervisor: membership of group '\(settings.supervisors)'."
        }
    }
}

/// The system side: group names to gids, and a uid's groups, through the C library (NSS: /etc/group, …).
enum SystemGroups {
    /// The gid of group `name`, or nil when it does not exist.
    static func gid(named name: String) -> UInt32? {
        var group = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        let status = getgrnam_r(name, &group, &buffer, buffer.count, &result)
        guard status == 0, result != nil else { return nil }
        return group.gr_gid
    }

    /// Every group of `uid`: its primary group and the ones /etc/group (or NSS) lists it in, plus `primary` (the gid
    /// the kernel gave the connecting process). An unknown uid has only `primary`.
    static func groups(uid: UInt32, primary: UInt32) -> Set<UInt32> {
        var passwd = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        guard getpwuid_r(uid, &passwd, &buffer, buffer.count, &result) == 0, result != nil, let name = passwd.pw_name else {
            return [primary]
        }
        var count: Int32 = 64
        var gids = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(name, passwd.pw_gid, &gids, &count) < 0 {
            // Too many groups for the first buffer: `count` now holds how many there are.
            gids = [gid_t](repeating: 0, count: Int(max(count, 1)))
            guard getgrouplist(name, passwd.pw_gid, &gids, &count) >= 0 else { return [primary, passwd.pw_gid] }
        }
        return Set(gids.prefix(Int(count))).union([primary, passwd.pw_gid])
    }
}
