/// Huawei `^SYSINFOEX`: like `^SYSINFO` with named system mode and sub-mode.
public struct SystemInfoEx: Sendable, Equatable {
    /// Service status, as in `^SYSINFO`.
    public var srvStatus: Int
    /// Service domain, as in `^SYSINFO`.
    public var srvDomain: Int
    /// Roaming status.
    public var roamStatus: Int
    /// SIM state.
    public var simState: Int
    /// 0 none, 1 GSM, 3 WCDMA, 6 LTE, ...
    public var sysMode: Int
    /// The firmware's name for `sysMode` (`LTE`), when sent.
    public var sysModeName: String?
    /// The sub-mode number, when sent.
    public var subMode: Int?
    /// The firmware's name for `subMode`, when sent.
    public var subModeName: String?

    /// Creates a record.
    public init(srvStatus: Int, srvDomain: Int, roamStatus: Int, simState: Int, sysMode: Int,
                sysModeName: String? = nil, subMode: Int? = nil, subModeName: String? = nil) {
        self.srvStatus = srvStatus
        self.srvDomain = srvDomain
        self.roamStatus = roamStatus
        self.simState = simState
        self.sysMode = sysMode
        self.sysModeName = sysModeName
        self.subMode = subMode
        self.subModeName = subModeName
    }
}
