/// The process on the other end of an accepted Unix socket, as the kernel recorded it at connect
/// time (getsockopt(2) `SO_PEERCRED`, see unix(7)).
///
/// These are the credentials of the process that called connect(2), not of whoever holds the
/// descriptor now; that is what an audit ledger wants ("who asked"), and it cannot be forged by
/// the client.
public struct PeerCredentials: Sendable, Equatable, Hashable {
    /// Process id of the connecting process.
    public var pid: Int32
    /// Effective user id of the connecting process.
    public var uid: UInt32
    /// Effective group id of the connecting process.
    public var gid: UInt32

    /// Creates credentials; the server fills these from the kernel, tests may build their own.
    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }
}

/// Linux `struct ucred` (pid_t, uid_t, gid_t): three 32-bit fields, 12 bytes, no padding.
///
/// Glibc's Swift module hides `ucred` behind `_GNU_SOURCE`, so we mirror it. A Swift struct of
/// three 32-bit integers is laid out in declaration order without padding; `PeerCredentialReader`
/// checks the size before trusting it.
struct LinuxUcred: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}
