import ATProtocol
import Provisioning
import SIMCard

/// The `DeviceDriver` of a SIM in a PC/SC card reader: identity and PIN only. A reader has no IMEI, carries no
/// USSD and has no Wi-Fi, so the workflow can identify a SIM through it (filed under its ICCID) and never spend
/// money through it.
public struct SIMReaderDriver: DeviceDriver {
    /// The reader's PC/SC name (also the identity's hardware name).
    public let reader: String
    /// How the card is read and unlocked.
    public let access: any SIMCardAccess

    /// Creates the driver of the card in `reader`.
    public init(reader: String, access: any SIMCardAccess) {
        self.reader = reader
        self.access = access
    }

    /// The family name identities from this driver carry.
    public static let family = "pcsc-reader"

    public func identify() async throws(DriverFailure) -> DeviceIdentity {
        let reading = try Self.driverResult(await access.read(reader: reader))
        var unreadable = ["imei": "a SIM reader has no IMEI"]
        unreadable["imsi"] = reading.imsiUnreadable
        return DeviceIdentity(manufacturer: nil, model: reader, firmware: nil, imei: nil, iccid: reading.iccid,
                              imsi: reading.imsi, pinState: reading.pin.state, pinTriesLeft: reading.pin.triesLeft,
                              family: Self.family, hasWiFi: false, hardwareID: reader, unreadable: unreadable)
    }

    public func enterPIN(_ pin: String) async throws(DriverFailure) -> SIMPinState? {
        try Self.driverResult(await access.attemptPIN(pin, reader: reader)).after.state
    }

    public func readIMSI() async throws(DriverFailure) -> IMSI? {
        try Self.driverResult(await access.read(reader: reader)).imsi
    }

    /// Never: a card reader has no radio.
    public func canSendUSSD(_ request: String) -> Bool { false }

    public func ussd(_ request: String, replyTimeout: Duration, redacted: String?,
                     accepting isOwnReply: @escaping @Sendable (USSDReply) -> Bool) async throws(DriverFailure) -> USSDReply {
        throw DriverFailure(code: .ussdNotSupported, message: "A SIM in a card reader cannot send USSD; put it in a hotspot or modem.")
    }

    /// None: a card reader has no Wi-Fi.
    public var wifiStore: (any WiFiStore)? { nil }

    /// A card failure as the workflow's failure: a card or reader gone is `device-gone`.
    static func driverResult<T>(_ result: Result<T, SIMCardError>) throws(DriverFailure) -> T {
        switch result {
        case .success(let value): return value
        case .failure(let error) where error == .cardRemoved || error == .readerGone:
            throw .deviceGone(error.message)
        case .failure(let error):
            throw DriverFailure(code: error.code, message: error.message)
        }
    }
}
