/// Huawei `^SYSINFO`: service, domain, roaming, system mode and SIM state.
public struct SystemInfo: Sendable, Equatable {
    /// 0 no service, 1 restricted, 2 valid, 3 restricted regional, 4 power saving.
    public var srvStatus: Int
    /// 0 none, 1 CS only, 2 PS only, 3 PS+CS, 4 not registered.
    public var srvDomain: Int
    /// 0 not roaming, 1 roaming.
    public var roamStatus: Int
    /// 0 none, 3 GSM/GPRS, 5 WCDMA, 7 GSM/WCDMA, ...
    public var sysMode: Int
    /// 0 invalid, 1 valid, 240 ROMSIM, 255 not present.
    public var simState: Int

    /// Creates a record.
    public init(srvStatus: Int, srvDomain: Int, roamStatus: Int, sysMode: Int, simState: Int) {
        self.srvStatus = srvStatus
        self.srvDomain = srvDomain
        self.roamStatus = roamStatus
        self.sysMode = sysMode
        self.simState = simState
    }
}
