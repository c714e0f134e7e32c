import ATProtocol
import HiLinkProtocol
import Provisioning

/// What a HiLink unit says about itself, before it becomes the workflow's `DeviceIdentity`.
public struct HiLinkIdentity: Sendable, Equatable {
    /// Model (`DeviceName`).
    public var model: String?
    /// Firmware (`SoftwareVersion`).
    public var firmware: String?
    /// The IMEI, when it is 15 digits with a good check digit.
    public var imei: IMEI?
    /// The ICCID, when it has E.118's form.
    public var iccid: ICCID?
    /// The IMSI, when the SIM is ready and it is 6–15 digits.
    public var imsi: IMSI?
    /// The SIM's lock state.
    public var pinState: SIMPinState?
    /// PIN tries left, when the unit says.
    public var pinTriesLeft: Int?
    /// The unit's serial number: names it when no IMEI can be trusted.
    public var serialNumber: String?
    /// Whether the unit has Wi-Fi.
    public var hasWiFi: Bool
    /// Field → why it is missing.
    public var unreadable: [String: String]
}

/// The `DeviceDriver` of Huawei HiLink units (E3372h sticks, E8372h / E5576 MiFis): their web API over HTTP
/// instead of AT commands. The workflow's money rules are the same; only the wire differs.
public final class HiLinkDriver: DeviceDriver {
    /// The session with the unit.
    public let client: HiLinkClient
    /// Whether the unit has Wi-Fi (found when the driver was opened).
    public let hasWiFi: Bool
    /// The Wi-Fi store of a unit that has Wi-Fi.
    public let wifiStore: (any WiFiStore)?

    init(client: HiLinkClient, hasWiFi: Bool) {
        self.client = client
        self.hasWiFi = hasWiFi
        wifiStore = hasWiFi ? HiLinkWiFiStore(client: client) : nil
    }

    /// Opens a driver: reads `basic_information` (no login needed) and finds whether the unit has Wi-Fi (its
    /// class, else whether it has the Wi-Fi endpoints).
    public static func open(_ configuration: HiLinkConfiguration) async throws(DriverFailure) -> HiLinkDriver {
        let client = HiLinkClient(configuration: configuration)
        let basic = try await client.get("/api/device/basic_information")
        let classify = (basic["classify"] ?? basic["Classify"] ?? "").lowercased()
        let hasWiFi: Bool
        switch classify {
        case "mobile-wifi", "wingle", "cpe": hasWiFi = true
        case "hilink", "datacard", "stick": hasWiFi = false
        default:
            switch try await client.request(.GET, "/api/wlan/basic-settings", body: nil) {
            case .error(let code) where code == .unknownEndpoint: hasWiFi = false
            case .error(let code): throw HiLinkClient.failure(code, "/api/wlan/basic-settings")
            case .ok, .fields: hasWiFi = true
            }
        }
        return HiLinkDriver(client: client, hasWiFi: hasWiFi)
    }

    /// Reads identity and SIM state (`device/information`, `pin/status`), validating every identifier.
    public func readIdentity() async throws(DriverFailure) -> HiLinkIdentity {
        let info = HiLinkDeviceInformation(try await client.get("/api/device/information"))
        var unreadable: [String: String] = [:]
        var pinState: SIMPinState?
        var triesLeft: Int?
        if let status = try? await client.get("/api/pin/status") {
            let pin = HiLinkPinStatus(status)
            triesLeft = pin.pinTriesLeft
            switch pin.stateName {
            case "ready": pinState = .ready
            case "pin": pinState = .simPIN
            case "puk": pinState = .simPUK
            case "absent": pinState = .other("SIM NOT INSERTED")
            default: pinState = pin.simState.map { .other("SimState \($0)") }
            }
        } else {
            unreadable["pin"] = "pin/status did not answer"
        }
        let imei = info.imei.flatMap(IMEI.init(validating:))
        if imei == nil { unreadable["imei"] = info.imei == nil ? "not reported" : "not 15 digits with a valid check digit" }
        let iccid = info.iccid.flatMap { text -> ICCID? in
            let digits = text.uppercased().hasSuffix("F") ? String(text.dropLast()) : text
            guard (18...20).contains(digits.count), digits.allSatisfy({ $0.isHexDigit }), digits.prefix(2) == "89" else { return nil }
            return ICCID(digits: digits)
        }
        if iccid == nil { unreadable["iccid"] = info.iccid == nil ? "not reported" : "not of E.118's form" }
        let imsi = pinState == .ready ? info.imsi.flatMap(IMSI.init(validating:)) : nil
        if imsi == nil { unreadable["imsi"] = pinState == .ready ? "not reported" : "SIM not ready" }
        return HiLinkIdentity(model: info.deviceName, firmware: info.softwareVersion, imei: imei, iccid: iccid, imsi: imsi,
                              pinState: pinState, pinTriesLeft: triesLeft, serialNumber: info.serialNumber, hasWiFi: hasWiFi,
                              unreadable: unreadable)
    }

    /// The workflow's identity of this unit.
    public func identify() async throws(DriverFailure) -> DeviceIdentity {
        Self.deviceIdentity(try await readIdentity())
    }

    /// Makes one attempt with `pin` through `pin/operate` (RSA-encrypted when the unit wants it) and reads the
    /// SIM state back. Never retried here.
    public func enterPIN(_ pin: String) async throws(DriverFailure) -> SIMPinState? {
        guard (4...8).contains(pin.count), pin.allSatisfy(\.isASCIIDigit) else {
            throw DriverFailure(code: "pin-invalid", message: "A SIM PIN is 4 to 8 digits.")
        }
        let body = HiLinkXML.request(["OperateType": "0", "CurrentPin": pin, "NewPin": "", "PukCode": ""])
        let answer: HiLinkResponse
        if try await encryptsInTransit() {
            answer = try await client.request(.POST, "/api/pin/operate", body: try await client.encrypt(body),
                                              extraHeaders: [("encrypt_transmit", "encrypt_transmit")])
        } else {
            answer = try await client.request(.POST, "/api/pin/operate", body: body)
        }
        // A wrong PIN is an answer, not a failure: the SIM's state (and tries left) says what happened.
        if case .error(let code) = answer, code != .wrongPIN {
            throw HiLinkClient.failure(code, "/api/pin/operate")
        }
        return try await readIdentity().pinState
    }

    /// Reads the IMSI of a ready SIM.
    public func readIMSI() async throws(DriverFailure) -> IMSI? {
        try await readIdentity().imsi
    }

    /// A USSD request the unit can carry: 1 to 160 characters among `0-9 * # +`.
    public func canSendUSSD(_ request: String) -> Bool {
        (1...160).contains(request.count) && request.allSatisfy { $0.isASCIIDigit || $0 == "*" || $0 == "#" || $0 == "+" }
    }

    /// Sends `request` with `ussd/send` and polls `ussd/get` while it answers 111019 until `replyTimeout`. Any
    /// failure once the POST was attempted (an HTTP error, a dropped interface, 111020, the deadline) is a
    /// `DriverFailure`: the request may have reached the network, and the caller never resends it.
    public func ussd(_ request: String, replyTimeout: Duration, redacted: String?,
                     accepting isOwnReply: @escaping @Sendable (USSDReply) -> Bool) async throws(DriverFailure) -> USSDReply {
        guard canSendUSSD(request) else {
            throw DriverFailure(code: "ussd-invalid", message: "The USSD request has characters the unit cannot carry.")
        }
        let clock = client.configuration.clock
        let deadline = ClockDeadline(after: replyTimeout, on: clock)
        // Every exchange of the wait ends by the wait's own deadline (half a second at least, to get an answer at all).
        func leftOfWait() -> Duration { max(deadline.remaining, .milliseconds(500)) }
        let sent = try await client.request(.POST, "/api/ussd/send",
                                            body: HiLinkXML.request(["content": request, "codeType": "CodeType", "timeout": ""]),
                                            timeout: leftOfWait())
        if case .error(let code) = sent { throw HiLinkClient.failure(code, "/api/ussd/send") }
        while !deadline.hasPassed {
            let answer = try await client.request(.GET, "/api/ussd/get", body: nil, timeout: leftOfWait())
            switch answer {
            case .fields(let element):
                let reply = USSDReply(status: 0, text: element["content"] ?? "", rawText: element["content"] ?? "")
                if isOwnReply(reply) { return reply }
            case .ok:
                break
            case .error(let code) where code == .ussdPending:
                break
            case .error(let code):
                await release()
                throw HiLinkClient.failure(code, "/api/ussd/get")
            }
            let pause = min(client.configuration.ussdPollInterval, deadline.remaining)
            guard pause > .zero else { break }
            do {
                try await clock.sleep(for: pause)
            } catch {
                throw DriverFailure(code: "cancelled", message: "The USSD wait was cancelled.")
            }
        }
        await release()
        throw DriverFailure(code: "device-timeout", message: "No USSD answer within \(replyTimeout) for \(redacted ?? "the request").")
    }

    /// Ends a pending USSD session (best effort, one second at most: the call's deadline has already come).
    func release() async {
        _ = try? await client.request(.GET, "/api/ussd/release", body: nil, timeout: .seconds(1))
    }

    /// Whether the unit wants keys and PINs RSA-encrypted (`module-switch` `encrypt_enabled`).
    func encryptsInTransit() async throws(DriverFailure) -> Bool {
        HiLinkModuleSwitch(try await client.get("/api/global/module-switch")).encryptEnabled
    }

    /// Maps the unit's identity onto the workflow's (family `hilink`; the serial number names a unit whose IMEI
    /// cannot be trusted).
    static func deviceIdentity(_ identity: HiLinkIdentity) -> DeviceIdentity {
        DeviceIdentity(manufacturer: "Huawei", model: identity.model, firmware: identity.firmware, imei: identity.imei,
                       iccid: identity.iccid, imsi: identity.imsi, pinState: identity.pinState,
                       pinTriesLeft: identity.pinTriesLeft, family: "hilink", hasWiFi: identity.hasWiFi,
                       hardwareID: identity.serialNumber, unreadable: identity.unreadable)
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
