import ATProtocol
import FailureCodes

/// What the provisioning workflow asks of a device, whatever it speaks (AT on a serial port, a HiLink web API,
/// a PC/SC card reader).
///
/// The workflow holds the money rules and the order of steps; a driver only reads and writes the device. A new
/// family is a dialect data file for the AT driver, or a new driver type: never an edit of the workflow.
/// Every call must end by its own deadline. A device that goes away fails the call with `device-gone`.
public protocol DeviceDriver: Sendable {
    /// Reads what the device says about itself and its SIM: maker, model, firmware, IMEI (nil when the device has
    /// none or gave none that can be trusted), ICCID (only a value of E.118's form), SIM lock state, and the IMSI
    /// when the SIM is ready. Fields that cannot be read are nil and named in `identity.unreadable`.
    func identify() async throws(DriverFailure) -> DeviceIdentity

    /// Makes one attempt with a SIM PIN and returns the SIM's state afterwards (nil when it cannot be read).
    /// The workflow calls it at most once per identification; a driver never retries a PIN on its own.
    func enterPIN(_ pin: String) async throws(DriverFailure) -> SIMPinState?

    /// Reads the subscriber identity of a ready SIM.
    func readIMSI() async throws(DriverFailure) -> IMSI?

    /// Whether a USSD request can be carried to the network by this device. Asked before a voucher is marked
    /// `sending`, so a code the wire cannot carry is never recorded as sent.
    func canSendUSSD(_ request: String) -> Bool

    /// One USSD exchange: sends `request` (`*100#`, a recharge string) and returns the network's reply within
    /// `replyTimeout`. `redacted` is what logs may show instead of the request. `isOwnReply` says which replies can
    /// answer this request (a reply owed to an earlier request is skipped). Once this is called the request may
    /// have reached the network: a failure after that point means "unknown", and the caller never resends.
    func ussd(_ request: String, replyTimeout: Duration, redacted: String?,
              accepting isOwnReply: @escaping @Sendable (USSDReply) -> Bool) async throws(DriverFailure) -> USSDReply

    /// The device's Wi-Fi store, or nil when it has no Wi-Fi (a modem stick, a SIM reader).
    var wifiStore: (any WiFiStore)? { get }
}

/// A hotspot's Wi-Fi settings, as a driver reads and writes them.
public protocol WiFiStore: Sendable {
    /// Checks, without touching the device, that it can store this name and key. Called before any money moves.
    /// Returns nil when it can, or a sentence saying why not (free of the key).
    func problem(with settings: WiFiSettings) -> String?
    /// Writes the name and the key.
    func write(_ settings: WiFiSettings) async throws(DriverFailure)
    /// Reads back what the device now reports.
    func readBack() async throws(DriverFailure) -> WiFiReadBack
}

/// What a hotspot reports of its Wi-Fi after a write.
public struct WiFiReadBack: Sendable, Equatable {
    /// The network name, when it could be read.
    public var ssid: String?
    /// The key, when the device lets it be read (some firmwares never do: `keyReadable` is then false).
    public var key: String?
    /// Whether this device can report its key at all.
    public var keyReadable: Bool

    /// Creates a read-back.
    public init(ssid: String?, key: String?, keyReadable: Bool = true) {
        self.ssid = ssid
        self.key = key
        self.keyReadable = keyReadable
    }
}

/// Why a driver call failed: a stable kebab-case code (`device-gone`, `device-timeout`, `ussd-refused-by-device`,
/// `wifi-refused`, `login-failed` …) and a sentence for people, free of secrets and of the device's raw lines.
public struct DriverFailure: Error, Sendable, Equatable {
    /// Stable code.
    public var code: FailureCode
    /// A sentence for people.
    public var message: String

    /// Creates a failure.
    public init(code: FailureCode, message: String) {
        self.code = code
        self.message = message
    }

    /// The device went away (unplug, end of file, interface gone).
    public static func deviceGone(_ message: String = "the device went away") -> DriverFailure {
        DriverFailure(code: .deviceGone, message: message)
    }

    /// Whether the device is gone.
    public var isDeviceGone: Bool { code == .deviceGone }
}
