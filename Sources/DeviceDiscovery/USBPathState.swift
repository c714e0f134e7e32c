import FailureCodes
import StationAPI

/// Where the device on one USB path is on its way to a session: one value per path, each step carrying its own data.
///
/// ```
///   seen ──► waitingForPorts ──► probing ──► ready(port, role)
///     │            └───────────────┘  └────► failed(portBusy) ──(re-check)──► seen
///     ├──► switching(attempt) ──(came back)──► seen          └────► failed(noPortAnswered / attachRefused)
///     ├──► failed(modeSwitchDisabled)        └──(no return)──► failed(modeSwitchFailed)
///     └──► failed(noATPort(listed port)) ──(network device attached)──► ready(port, role)
/// ```
/// A path whose device left is dropped (gone), except while `switching`: the storage personality's departure is the
/// switch working. Transitions are `DiscoveryDecisions`' methods; they do no I/O.
public enum USBPathState: Sendable, Equatable {
    /// Known to discovery, nothing decided: not a device the catalog knows (yet), back from a mode switch, or a busy
    /// device about to be looked at again.
    case seen
    /// An AT device waiting for the rest of its ttys before its AT port is chosen. `graceOver` once the short first
    /// wait has passed: from then on the udev event that completes its ports ends the wait.
    case waitingForPorts(graceOver: Bool)
    /// Its AT port is being chosen (memory, catalog, probe, `^GETPORTMODE`) and attached.
    case probing
    /// A mode switch was sent (`attempt` of `DiscoveryDecisions.modeSwitchAttempts`); waiting for the device to come
    /// back on the same path.
    case switching(attempt: Int)
    /// A session drives it on `port` (a tty, or the network device's address), with the role discovery gave it.
    case ready(port: String, role: DeviceRole)
    /// Listed without a session, for this reason; looked at again only after it leaves (or, busy, at its re-check).
    case failed(USBPathFailure)
}

/// Why a device is listed without a session.
public enum USBPathFailure: Sendable, Equatable {
    /// No AT port: a HiLink unit (its network device may still be opened) or a device the catalog marks so.
    /// `listedPort` is its network interface, or `usb:<path>` before it has one.
    case noATPort(listedPort: String)
    /// In its CD-ROM personality and mode switching is off.
    case modeSwitchDisabled
    /// The mode switch could not be sent, or the device did not come back.
    case modeSwitchFailed
    /// Another program holds its ports; it is probed again after a while.
    case portBusy
    /// None of its ports answered `AT`.
    case noPortAnswered
    /// The station refused to attach the chosen port, with the station's failure code.
    case attachRefused(code: FailureCode)

    /// The failure code the device is listed with.
    public var code: FailureCode {
        switch self {
        case .noATPort: return .noATPort
        case .modeSwitchDisabled: return .modeSwitchDisabled
        case .modeSwitchFailed: return .modeSwitchFailed
        case .portBusy: return .portBusy
        case .noPortAnswered: return .noATPortAnswered
        case .attachRefused(let code): return code
        }
    }
}
