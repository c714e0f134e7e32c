/// How a simulated HiLink unit behaves: identity, firmware generation, login method, Wi-Fi variant, SIM and USSD
/// timing. The built-in personalities follow the behaviours recorded in DOMAIN-HILINK-PCSC.md.
public struct HiLinkPersonality: Sendable, Equatable {
    /// Personality name.
    public var name: String
    /// `DeviceName`.
    public var model: String
    /// `SoftwareVersion`.
    public var firmware: String
    /// `WebUIVersion` generation (17 for type-4 firmware, 10 for SCRAM firmware).
    public var webUI: Int
    /// `classify` in `basic_information`.
    public var classify: String
    /// IMEI, ICCID, IMSI, serial number.
    public var imei: String, iccid: String, imsi: String, serialNumber: String
    /// The web password; nil: no login needed.
    public var password: String?
    /// Whether login is SCRAM only (`extern_password_type=1`; type 4 answers 108006).
    public var scramOnly: Bool
    /// Whether headers are written `Name:value` without a space (E3372h-153 style).
    public var compactHeaders: Bool
    /// Whether `/api/webserver/token` answers 100002 (WebUI 17).
    public var tokenEndpointMissing: Bool
    /// Whether the unit has Wi-Fi.
    public var hasWiFi: Bool
    /// Whether the Wi-Fi settings are multi-SSID.
    public var multiSSID: Bool
    /// Whether keys and PINs are RSA-encrypted in transit (`encrypt_enabled`), with the padding `rsaPaddingType` names.
    public var encryptKeys: Bool
    /// `rsapadingtype`: 1 OAEP, 0 PKCS#1 v1.5.
    public var rsaPaddingType: Int
    /// The SIM PIN when the SIM starts locked; nil: the SIM is ready.
    public var simPIN: String?
    /// Wrong passwords before a lock-out.
    public var lockoutAfter: Int
    /// Lock-out length in seconds.
    public var lockoutSeconds: Int
    /// Milliseconds added to the operator's USSD reply delay.
    public var ussdExtraDelayMs: Int
    /// Whether the answer to a recharge (any USSD but the balance query) never comes (`ussd/get` answers 111019 for
    /// ever; the network still acts).
    public var ussdNeverAnswers: Bool

    /// An E3372h-320-like stick on WebUI 17: type-4 login, compact headers, no `webserver/token`, no Wi-Fi.
    public static let e3372hWebUI17 = HiLinkPersonality(
        name: "e3372h-webui17", model: "E3372h-320", firmware: "11.0.1.1(H697SP1C983)", webUI: 17, classify: "hilink",
        imei: "356789012345672", iccid: "89001012345678901239", imsi: "001010123456789", serialNumber: "G4PDW19A01234567",
        password: "admin", scramOnly: false, compactHeaders: true, tokenEndpointMissing: true, hasWiFi: false,
        multiSSID: false, encryptKeys: false, rsaPaddingType: 0, simPIN: nil, lockoutAfter: 3, lockoutSeconds: 60,
        ussdExtraDelayMs: 0, ussdNeverAnswers: false)

    /// An E8372h-like Wi-Fi stick on WebUI 17: type-4 login, single SSID, key readable.
    public static let e8372hWebUI17 = {
        var p = e3372hWebUI17
        p.name = "e8372h-webui17"
        p.model = "E8372h-320"
        p.classify = "wingle"
        p.hasWiFi = true
        p.imei = "356789012345680"
        p.iccid = "89001012345678901247"
        p.serialNumber = "G4PDW19A01234575"
        return p
    }()

    /// An E5576-like MiFi on WebUI 10: SCRAM only, multi-SSID, RSA-encrypted key with OAEP.
    public static let e5576WebUI10 = HiLinkPersonality(
        name: "e5576-webui10", model: "E5576-320", firmware: "21.327.62.00.1419", webUI: 10, classify: "mobile-wifi",
        imei: "867530012345672", iccid: "89001010000123456782", imsi: "001010000123456", serialNumber: "HZ8A1234567890",
        password: "s3cret-pass", scramOnly: true, compactHeaders: false, tokenEndpointMissing: false, hasWiFi: true,
        multiSSID: true, encryptKeys: true, rsaPaddingType: 1, simPIN: nil, lockoutAfter: 3, lockoutSeconds: 60,
        ussdExtraDelayMs: 0, ussdNeverAnswers: false)

    /// An E5573-like MiFi on WebUI 17: type-4 login, single SSID, the whole security-settings body RSA-encrypted with
    /// PKCS#1 v1.5 (`rsapadingtype=0`, key from `webserver/publickey`).
    public static let e5573WebUI17PKCS1 = {
        var p = e8372hWebUI17
        p.name = "e5573-webui17-pkcs1"
        p.model = "E5573Cs-322"
        p.classify = "mobile-wifi"
        p.encryptKeys = true
        p.rsaPaddingType = 0
        return p
    }()

    /// The WebUI-17 stick with a PIN-locked SIM (PIN 1234).
    public static let pinLocked = {
        var p = e3372hWebUI17
        p.name = "e3372h-pin-locked"
        p.simPIN = "1234"
        return p
    }()

    /// The WebUI-10 MiFi whose USSD answers take 2.5 s more.
    public static let ussdLate = {
        var p = e5576WebUI10
        p.name = "e5576-ussd-late"
        p.ussdExtraDelayMs = 2500
        return p
    }()

    /// The WebUI-10 MiFi whose recharge answers never come (balance queries are answered).
    public static let ussdTimeout = {
        var p = e5576WebUI10
        p.name = "e5576-ussd-timeout"
        p.ussdNeverAnswers = true
        return p
    }()

    /// Every built-in personality.
    public static let all: [HiLinkPersonality] = [e3372hWebUI17, e8372hWebUI17, e5573WebUI17PKCS1, e5576WebUI10, pinLocked,
                                                  ussdLate, ussdTimeout]

    /// The built-in personality of that name.
    public static func named(_ name: String) -> HiLinkPersonality? {
        all.first { $0.name == name }
    }
}

/// A misbehaviour the simulated unit can be switched into, to test the client's limits.
public enum HiLinkFault: String, Sendable, Equatable, CaseIterable {
    /// Normal behaviour.
    case none
    /// Every API answer is an HTML page.
    case htmlPage
    /// Every API answer is an entity-expansion bomb.
    case xmlBomb
    /// Every API answer is a 10 MB body.
    case hugeBody
    /// Every answer carries 1,500 more tokens (about 50 KB of header).
    case tokenStorm
    /// Every answer carries ten thousand more tokens (about 330 KB of header).
    case tokenFlood
    /// Every API answer is a redirect.
    case redirect
    /// Login POSTs are never answered.
    case loginNeverEnds
    /// `SesTokInfo` and `webserver/token` answer 100002: tokens come only from the home page's meta tags.
    case noTokenEndpoints
    /// `ussd/get` is never answered (the connection hangs).
    case ussdGetHangs
    /// `ussd/send` is acted on (the network gets it) and the connection then dropped without an answer.
    case dropAfterUSSDSend
}
