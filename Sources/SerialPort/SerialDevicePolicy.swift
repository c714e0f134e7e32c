import Glibc

/// Which device nodes a `SerialPort` drives, judged on `fstat` of a descriptor, never on a path.
///
/// Accepted (major numbers fixed by the kernel, Documentation/admin-guide/devices.txt):
/// - major 188, `ttyUSB*`: USB serial converters and modems (option, qcserial, sierra, huawei_cdc_ncm's AT ports, the
///   generic usb-serial driver): the Huawei sticks and hotspots the station provisions;
/// - major 166, `ttyACM*`: USB CDC ACM modems (generic 3GPP modems, LTE modules);
/// - majors 136–143, Unix98 pseudo-terminal slaves (`/dev/pts/N`), only when `allowsPseudoTerminals` is set and the
///   slave belongs to `owner` (devpts gives a slave to the user who opened `/dev/ptmx`): the simulator's devices.
///
/// Everything else is refused: the console (5:1), `/dev/tty` (5:0), `/dev/ptmx` (5:2), virtual terminals and on-board
/// UARTs (major 4: `ttyS*` is left out because one is often the serial console), other character devices, block
/// devices, FIFOs, sockets, directories and regular files. A tty that is some process's controlling terminal (a login,
/// a getty, a shell) is refused too (`controllingProcess(of:)`), even a `ttyUSB`.
struct SerialDevicePolicy: Sendable, Equatable {
    /// Whether pseudo-terminal slaves of `owner` are accepted.
    var allowsPseudoTerminals: Bool
    /// The only user whose pseudo-terminals may be driven: the station's effective uid.
    var owner: uid_t

    /// USB serial (`ttyUSB*`).
    static let usbSerialMajor: UInt32 = 188
    /// USB CDC ACM (`ttyACM*`).
    static let acmMajor: UInt32 = 166
    /// Unix98 pseudo-terminal slaves (`UNIX98_PTY_SLAVE_MAJOR` and the 7 majors after it).
    static let pseudoTerminalSlaveMajors: ClosedRange<UInt32> = 136...143

    /// The verdict on one node.
    enum Verdict: Equatable {
        /// A serial device this station drives.
        case accepted
        /// Anything else, with what it is (for the daemon's log only: callers get one message for every refusal).
        case refused(String)
    }

    /// Creates a policy for the station's user; pseudo-terminals only when `allowsPseudoTerminals`.
    init(allowsPseudoTerminals: Bool, owner: uid_t = geteuid()) {
        self.allowsPseudoTerminals = allowsPseudoTerminals
        self.owner = owner
    }

    /// Judges what `fstat` said about a descriptor.
    func judge(_ info: stat) -> Verdict {
        judge(mode: info.st_mode, device: info.st_rdev, nodeOwner: info.st_uid)
    }

    /// Judges a node from its `st_mode`, `st_rdev` and `st_uid`.
    func judge(mode: mode_t, device: dev_t, nodeOwner: uid_t) -> Verdict {
        switch mode & S_IFMT {
        case S_IFCHR: break
        case S_IFREG: return .refused("a regular file")
        case S_IFDIR: return .refused("a directory")
        case S_IFIFO: return .refused("a FIFO")
        case S_IFSOCK: return .refused("a socket")
        case S_IFBLK: return .refused("a block device")
        default: return .refused("not a device node (mode \(String(mode, radix: 8)))")
        }
        let major = SystemCall.major(device)
        let minor = SystemCall.minor(device)
        switch major {
        case Self.usbSerialMajor, Self.acmMajor:
            return .accepted
        case Self.pseudoTerminalSlaveMajors:
            guard allowsPseudoTerminals else {
                return .refused("a pseudo-terminal (\(major):\(minor)), and pseudo-terminals are not allowed")
            }
            guard nodeOwner == owner else {
                return .refused("a pseudo-terminal (\(major):\(minor)) of uid \(nodeOwner), not of the station's uid \(owner)")
            }
            return .accepted
        default:
            return .refused("\(Self.name(major: major, minor: minor)) (\(major):\(minor)), not a serial driver the station drives")
        }
    }

    /// What a refused character device is, for the log.
    static func name(major: UInt32, minor: UInt32) -> String {
        switch (major, minor) {
        case (5, 0): return "the controlling-terminal alias /dev/tty"
        case (5, 1): return "the console"
        case (5, 2): return "the pseudo-terminal multiplexer"
        case (4, 0..<64): return "a virtual terminal"
        case (4, _): return "an on-board UART (ttyS)"
        default: return "a character device"
        }
    }

    /// A process whose controlling terminal is the tty `device` (a login, a getty, a shell on it), read from the
    /// `tty_nr` field of /proc/<pid>/stat; nil when there is none. Processes /proc does not show (`hidepid`) are not
    /// seen. Every file is read with `SystemCall.readSmallFile`, which never blocks.
    static func controllingProcess(of device: dev_t) -> Int32? {
        guard let names = try? SystemCall.directoryEntries("/proc") else { return nil }
        let major = SystemCall.major(device)
        let minor = SystemCall.minor(device)
        for name in names {
            guard let pid = Int32(name), let bytes = SystemCall.smallFileContents("/proc/\(pid)/stat", limit: 512),
                  let terminal = terminalNumber(stat: bytes), terminal != 0 else { continue }
            // tty_nr is the kernel's new_encode_dev: minor bits 0–7 and 20–31, major bits 8–19.
            let ttyMajor = UInt32(truncatingIfNeeded: (terminal >> 8) & 0xfff)
            let ttyMinor = UInt32(truncatingIfNeeded: (terminal & 0xff) | ((terminal >> 12) & 0xfff00))
            if ttyMajor == major && ttyMinor == minor { return pid }
        }
        return nil
    }

    /// The `tty_nr` field (the 7th) of a /proc/<pid>/stat line; the command name (2nd, in parentheses) may itself hold
    /// spaces and parentheses, so fields are counted from the last `)`.
    static func terminalNumber(stat bytes: [UInt8]) -> Int64? {
        guard let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = bytes[(close + 1)...].split(separator: UInt8(ascii: " "))
        // After the name: state, ppid, pgrp, session, tty_nr.
        guard fields.count > 4 else { return nil }
        return Int64(String(decoding: fields[fields.startIndex + 4], as: UTF8.self))
    }
}
