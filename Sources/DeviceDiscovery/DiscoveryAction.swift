import FailureCodes
import Logging
import StationAPI

/// What a discovery decision asks to be done: the I/O that `DiscoveryCoordinator` carries out, in order.
///
/// Returned by `DiscoveryDecisions`' transitions, so every decision can be tested without a device, a thread or a
/// station.
public enum DiscoveryAction: Sendable, Equatable {
    /// List (or update) the device on a USB path that has no session, with its state and the reason.
    case list(DiscoveryListing)
    /// Write one log line.
    case log(DiscoveryLogLine)
    /// Wait for the rest of a device's ttys: the grace period, then at most the patience
    /// (`DiscoveryDecisions.portGrace`, `.portPatience`), each reported back when it is over.
    case awaitPorts(usbPath: String)
    /// Choose the AT port of the device on the path (probe, `^GETPORTMODE`) and then attach it.
    case choosePort(usbPath: String)
    /// Remember the chosen port for the device's serial and attach it (the device has `role`).
    case attachATPort(usbPath: String, choice: ATPortChoice, snapshot: USBDeviceSnapshot, role: DeviceRole)
    /// Send the plan's mode switch and wait for the device to come back (one retry).
    case switchMode(ModeSwitchPlan)
    /// Open the device behind its USB network interface through its driver (replaces an opening under way).
    case openNetworkDevice(usbPath: String, interface: String)
    /// Look at a device whose ports another program holds again after `busyRecheck`.
    case recheckWhenFree(usbPath: String)
    /// Cancel the timer or opening under way for the path (it left).
    case cancelWork(usbPath: String)
    /// End the sessions of the device that left the path and drop its listing; `logged`: the removal is logged even
    /// when no session ended (discovery had decided something about it).
    case detach(usbPath: String, reason: String, logged: Bool)
}

/// A device discovery lists without a session: where it is, what it is and why it has no session.
public struct DiscoveryListing: Sendable, Equatable {
    /// The USB path (`1-2`).
    public var usbPath: String
    /// What it is listed on: a tty, a network interface, or `usb:<path>`.
    public var port: String
    /// `connecting` (a mode switch under way) or `failed`.
    public var state: DeviceState
    /// What it is for, as far as known.
    public var role: DeviceRole
    /// The step it stopped at (`mode-switch`, `identify`, `attach`), if any.
    public var step: String?
    /// Why it has no session, when it failed.
    public var failure: FailureInfo?
    /// The event's message.
    public var message: String

    /// Creates a listing.
    public init(usbPath: String, port: String, state: DeviceState, role: DeviceRole, step: String?, failure: FailureInfo?,
                message: String) {
        self.usbPath = usbPath
        self.port = port
        self.state = state
        self.role = role
        self.step = step
        self.failure = failure
        self.message = message
    }
}

/// One log line a decision asks for: level, message and metadata (never a secret: paths, ids, ports, codes).
public struct DiscoveryLogLine: Sendable, Equatable {
    /// The level.
    public var level: Logger.Level
    /// The message.
    public var message: String
    /// The metadata, as text.
    public var metadata: [String: String]

    /// Creates a line.
    public init(_ level: Logger.Level, _ message: String, _ metadata: [String: String]) {
        self.level = level
        self.message = message
        self.metadata = metadata
    }
}

/// Why the station did not take a device discovery handed it (a stable code and a sentence), or why a network device
/// could not be opened.
public struct DiscoveryRefusal: Error, Sendable, Equatable {
    /// The stable failure code (`port-in-use`, `no-address`, …).
    public var code: FailureCode
    /// One sentence for the technician.
    public var message: String

    /// Creates a refusal.
    public init(code: FailureCode, message: String) {
        self.code = code
        self.message = message
    }
}
