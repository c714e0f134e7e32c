/// `+COPS?` (27.007 §7.3): how the operator is selected and which one is used.
public struct OperatorSelection: Sendable, Equatable {
    /// 0 automatic, 1 manual, 2 deregister, 3 set format only, 4 manual/automatic.
    public var mode: Int
    /// 0 long alphanumeric, 1 short alphanumeric, 2 numeric; nil when not registered.
    public var format: Int?
    /// The operator in `format`, nil when not registered.
    public var operatorName: String?
    /// Access technology (0 GSM, 2 UTRAN, 7 E-UTRAN, ...), when sent.
    public var accessTechnology: Int?

    /// Creates a record.
    public init(mode: Int, format: Int? = nil, operatorName: String? = nil, accessTechnology: Int? = nil) {
        self.mode = mode
        self.format = format
        self.operatorName = operatorName
        self.accessTechnology = accessTechnology
    }
}

/// `+CREG` / `+CGREG` / `+CEREG` (27.007 §7.2, §10.1.20, §10.1.22): registration state.
///
/// Query answers carry `<n>` first; unsolicited reports do not. `lac` (or TAC for `+CEREG`) and
/// `ci` are uppercase hex without quotes or `0x`.
public struct RegistrationStatus: Sendable, Equatable {
    /// The report mode `<n>`, present only in query answers.
    public var n: Int?
    /// 0 not searching, 1 home, 2 searching, 3 denied, 4 unknown, 5 roaming, ...
    public var stat: Int
    /// Location (or tracking) area code, uppercase hex.
    public var lac: String?
    /// Cell id, uppercase hex.
    public var ci: String?
    /// Access technology, when sent.
    public var act: Int?

    /// Creates a record.
    public init(n: Int? = nil, stat: Int, lac: String? = nil, ci: String? = nil, act: Int? = nil) {
        self.n = n
        self.stat = stat
        self.lac = lac
        self.ci = ci
        self.act = act
    }

    /// True for "registered, home network" (1) or "registered, roaming" (5).
    public var isRegistered: Bool { stat == 1 || stat == 5 }
}

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

/// One entry of Huawei `^GETPORTMODE`: a USB function name and its interface number.
public struct PortAssignment: Sendable, Equatable {
    /// The function (`PCUI`, `MDM`, `NDIS`, `CDROM`, `SD`, `DIAG`, ...).
    public var name: String
    /// The interface number as the device reports it (may start at 0 or 1).
    public var index: Int

    /// Creates a record.
    public init(name: String, index: Int) {
        self.name = name
        self.index = index
    }
}
