#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Who may use the connections a server keeps in reserve, and which requests are still answered on a
/// connection over the limits.
///
/// The server knows callers only by the kernel's `SO_PEERCRED` (uid, primary gid, pid); the daemon
/// decides what makes one privileged (root, its own user, a supervisors group).
public struct AdmissionPolicy: Sendable {
    /// True for callers that may take `Limits.reservedConnections` and are not held to
    /// `Limits.maxConnectionsPerUID`.
    public var isPrivileged: @Sendable (PeerCredentials) -> Bool
    /// True for requests answered even on a connection over the limits (e.g. `GET /v1/health`):
    /// called with the method and the raw path (no query); keep such routes cheap.
    public var isServedOverLimits: @Sendable (_ method: String, _ path: String) -> Bool
    /// A larger body limit than `Limits.maxRequestBodyBytes` for one route and caller (e.g. a voucher book a
    /// supervisor uploads), decided on the request's head before any of its body is read; nil keeps the default.
    public var bodyLimit: @Sendable (_ method: String, _ path: String, _ peer: PeerCredentials?) -> Int?

    /// Creates a policy.
    public init(
        isPrivileged: @escaping @Sendable (PeerCredentials) -> Bool,
        isServedOverLimits: @escaping @Sendable (_ method: String, _ path: String) -> Bool = { _, _ in false },
        bodyLimit: @escaping @Sendable (_ method: String, _ path: String, _ peer: PeerCredentials?) -> Int? = { _, _, _ in nil }
    ) {
        self.isPrivileged = isPrivileged
        self.isServedOverLimits = isServedOverLimits
        self.bodyLimit = bodyLimit
    }

    /// Root and the server process's own effective uid are privileged; nothing is served over the limits.
    public static var `default`: AdmissionPolicy {
        let ownUID = geteuid()
        return AdmissionPolicy(isPrivileged: { $0.uid == 0 || $0.uid == ownUID })
    }
}

/// Where an accepted connection stands against `UnixHTTPServer.Limits`.
enum ConnectionSlot: Sendable, Equatable {
    /// Served normally; counted against the global cap and, unless privileged, its uid's cap.
    case served(uid: UInt32?, privileged: Bool)
    /// Over the limits: may send one request, which gets 503 unless the policy serves it anyway.
    case overLimit(uid: UInt32?)
    /// Over every limit: closed at once without an answer.
    case refused
}

/// The connection counts behind admission, per uid; kept under the server's lock.
///
/// A caller whose credentials the kernel did not give is counted under the uid `nil`, never privileged.
struct ConnectionCounts: Sendable {
    private(set) var served = 0
    private(set) var servedUnprivileged = 0
    private(set) var servedByUID: [UInt32?: Int] = [:]
    private(set) var overLimit = 0
    private(set) var overLimitByUID: [UInt32?: Int] = [:]

    /// Decides the slot of a new connection from `uid` and counts it.
    ///
    /// Privileged callers may fill all of `maxConnections`; the others together at most
    /// `maxConnections - reservedConnections` of it, at most `maxConnectionsPerUID` each. A
    /// connection that does not fit gets one of the over-limit slots if its uid has fewer than
    /// `maxOverLimitConnectionsPerUID` of them, else none.
    mutating func admit(uid: UInt32?, privileged: Bool, limits: UnixHTTPServer.Limits) -> ConnectionSlot {
        var fits = served < limits.maxConnections
        if !privileged {
            let shared = limits.maxConnections - max(0, limits.reservedConnections)
            fits = fits && servedUnprivileged < shared && servedByUID[uid, default: 0] < limits.maxConnectionsPerUID
        }
        if fits {
            served += 1
            if !privileged { servedUnprivileged += 1 }
            servedByUID[uid, default: 0] += 1
            return .served(uid: uid, privileged: privileged)
        }
        guard overLimit < limits.maxOverLimitConnections,
              overLimitByUID[uid, default: 0] < limits.maxOverLimitConnectionsPerUID else {
            return .refused
        }
        overLimit += 1
        overLimitByUID[uid, default: 0] += 1
        return .overLimit(uid: uid)
    }

    /// Gives back the slot of a connection that closed.
    mutating func release(_ slot: ConnectionSlot) {
        switch slot {
        case .served(let uid, let privileged):
            served -= 1
            if !privileged { servedUnprivileged -= 1 }
            Self.decrement(&servedByUID, uid)
        case .overLimit(let uid):
            overLimit -= 1
            Self.decrement(&overLimitByUID, uid)
        case .refused:
            break
        }
    }

    private static func decrement(_ counts: inout [UInt32?: Int], _ uid: UInt32?) {
        let left = counts[uid, default: 0] - 1
        counts[uid] = left > 0 ? left : nil
    }
}
