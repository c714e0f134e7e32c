/// `/api/device/information`: what the unit says about itself and its SIM. Values are as sent (trimmed); the
/// driver validates them into IMEI / ICCID / IMSI.
public struct HiLinkDeviceInformation: Sendable, Equatable {
    /// `DeviceName` (the model, e.g. `E3372h-320`).
    public var deviceName: String?
    /// `SerialNumber`.
    public var serialNumber: String?
    /// `Imei`.
    public var imei: String?
    /// `Imsi`.
    public var imsi: String?
    /// `Iccid`.
    public var iccid: String?
    /// `SoftwareVersion`.
    public var softwareVersion: String?
    /// `HardwareVersion`.
    public var hardwareVersion: String?
    /// `Classify` (`hilink`, `mobile-wifi`, `wingle`…), when sent.
    public var classify: String?

    /// Reads the fields of a `<response>`.
    public init(_ response: HiLinkElement) {
        func field(_ name: String) -> String? {
            guard let text = response[name]?.trimmingBlanks, !text.isEmpty else { return nil }
            return text
        }
        deviceName = field("DeviceName")
        serialNumber = field("SerialNumber")
        imei = field("Imei")
        imsi = field("Imsi")
        iccid = field("Iccid")
        softwareVersion = field("SoftwareVersion")
        hardwareVersion = field("HardwareVersion")
        classify = field("Classify") ?? field("classify")
    }
}

/// `/api/pin/status`.
public struct HiLinkPinStatus: Sendable, Equatable {
    /// `SimState`: 255 no SIM, 257 ready, 260 PIN required, 261 PUK required (others: not ready, blocked…).
    public var simState: Int?
    /// `PinOptState`: whether PIN checking is enabled.
    public var pinOptState: Int?
    /// `SimPinTimes`: PIN tries left.
    public var pinTriesLeft: Int?
    /// `SimPukTimes`: PUK tries left.
    public var pukTriesLeft: Int?

    /// Reads the fields of a `<response>`.
    public init(_ response: HiLinkElement) {
        simState = response["SimState"].flatMap { Int($0.trimmingBlanks) }
        pinOptState = response["PinOptState"].flatMap { Int($0.trimmingBlanks) }
        pinTriesLeft = response["SimPinTimes"].flatMap { Int($0.trimmingBlanks) }
        pukTriesLeft = response["SimPukTimes"].flatMap { Int($0.trimmingBlanks) }
    }

    /// The SIM state as a word: `ready`, `pin`, `puk`, `absent`, or nil for a state the station does not name.
    public var stateName: String? {
        switch simState {
        case 257: return "ready"
        case 260: return "pin"
        case 261: return "puk"
        case 255: return "absent"
        default: return nil
        }
    }
}

/// `/api/user/state-login`: whether the session is logged in and how to log in.
public struct HiLinkLoginState: Sendable, Equatable {
    /// `State`: 0 logged in, −1 logged out.
    public var state: Int?
    /// `password_type` (4 hashed with the token; 0 or 3 base64).
    public var passwordType: Int?
    /// `extern_password_type` = 1: the firmware uses SCRAM.
    public var externPasswordType: Int?
    /// `rsapadingtype`: 1 OAEP, otherwise PKCS#1 v1.5.
    public var rsaPaddingType: Int?
    /// `lockstatus` = 1: locked out.
    public var lockStatus: Int?
    /// `remainwaittime`: seconds left of a lock-out.
    public var remainWaitTime: Int?

    /// Reads the fields of a `<response>`.
    public init(_ response: HiLinkElement) {
        func int(_ name: String) -> Int? { response[name].flatMap { Int($0.trimmingBlanks) } }
        state = int("State")
        passwordType = int("password_type")
        externPasswordType = int("extern_password_type")
        rsaPaddingType = int("rsapadingtype")
        lockStatus = int("lockstatus")
        remainWaitTime = int("remainwaittime")
    }

    /// Whether the session is logged in.
    public var loggedIn: Bool { state == 0 }

    /// The login method the firmware asks for.
    public var method: HiLinkLoginMethod {
        if externPasswordType == 1 { return .scram }
        switch passwordType {
        case 0, 3: return .plain
        default: return .type4
        }
    }
}

/// How a firmware wants the password.
public enum HiLinkLoginMethod: String, Sendable, Equatable {
    /// `password_type` 4 (hashed with the token).
    case type4
    /// `password_type` 0 or 3 (base64).
    case plain
    /// Huawei SCRAM (`challenge_login` + `authentication_login`).
    case scram
}

/// `/api/global/module-switch`.
public struct HiLinkModuleSwitch: Sendable, Equatable {
    /// `multssid_enable`: the Wi-Fi settings live in `multi-basic-settings`.
    public var multiSSID: Bool
    /// `encrypt_enabled`: Wi-Fi keys and PINs are RSA-encrypted in transit.
    public var encryptEnabled: Bool
    /// `ussd_enabled`.
    public var ussdEnabled: Bool

    /// Reads the fields of a `<response>`.
    public init(_ response: HiLinkElement) {
        multiSSID = response["multssid_enable"]?.trimmingBlanks == "1"
        encryptEnabled = response["encrypt_enabled"]?.trimmingBlanks == "1"
        ussdEnabled = response["ussd_enabled"].map { $0.trimmingBlanks != "0" } ?? true
    }
}
