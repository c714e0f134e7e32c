import Foundation
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Remembers which interface of a device answered as its AT port, per device serial, so a device seen again (re-plug,
/// daemon restart) is not probed again.
///
/// Keyed by vendor:product plus a SHA-256 of the USB iSerial when the device has one, else by vendor:product plus the
/// USB path (a socket of the station). The interface number is stored, not the tty name: tty names change when a
/// device re-enumerates, interface numbers do not.
///
/// **Why a hash of the serial.** The iSerial of Huawei devices is often the IMEI, which must not be stored in clear.
/// The key holds the first 128 bits of SHA-256("hotspotd-at-port\0" + serial), in hex. That keeps the IMEI out of the
/// file, its backups and a casual glance, and 128 bits make a collision between two devices of one product
/// practically impossible (a collision would only hand one device the other's interface number). It is a
/// pseudonym, not encryption: an IMEI has about 10⁶ possible values once its model's TAC is known, so whoever can read
/// the file can test candidates. The file is therefore written mode 0600 in the daemon's state directory.
///
/// **Persistence.** With a `file`, the memory is loaded at init and rewritten atomically (a temporary file in the same
/// directory, `fsync`, `rename`, then `fsync` of the directory) each time a remembered port changes; writes happen on
/// the caller's thread while a lock is held, which is rare (once per new device) and small (a few hundred bytes). A
/// missing file is an empty memory. A file that cannot be read or is not the documented format is reported
/// (`loadError`, logged as a warning) and treated as empty, never fatal; it is replaced at the next change. A write that
/// fails (read-only directory, full disk) is logged and returned by `remember`, and the port stays remembered in memory
/// for this run. Format: `{"version":1,"ports":{"serial:12d1:1506:<32 hex>":2,"path:12d1:1506:1-4":0}}`.
public final class ATPortMemory: Sendable {
    /// The file format version this code reads and writes.
    public static let fileVersion = 1
    /// The largest file read (1 MiB).
    static let maxFileBytes = 1 << 20

    /// The backing file, or `nil` for memory only.
    public let file: String?
    /// Why the backing file could not be loaded at init (`portMemoryUnreadable`), or `nil` when it loaded, was missing,
    /// or there is no file.
    public let loadError: DiscoveryError?

    private let remembered: Mutex<[String: Int]>
    private let logger: Logger

    /// Creates an empty memory that lives only as long as this process.
    public init() {
        self.file = nil
        self.loadError = nil
        self.remembered = Mutex([:])
        self.logger = Logger(label: "hotspotd.portmemory")
    }

    /// Creates a memory backed by `file` (loaded now, rewritten on each change), or memory only when `file` is `nil`.
    ///
    /// Never throws: an unreadable or corrupt file is logged through `logger`, kept in `loadError`, and read as empty.
    public init(file: String?, logger: Logger = Logger(label: "hotspotd.portmemory")) {
        self.file = file
        self.logger = logger
        var loaded: [String: Int] = [:]
        var problem: DiscoveryError?
        if let file {
            switch Self.load(file) {
            case .success(let ports): loaded = ports
            case .failure(let error): problem = error
            }
        }
        self.loadError = problem
        self.remembered = Mutex(loaded)
        if let problem {
            logger.warning("AT port memory file ignored; starting with an empty memory", metadata: ["error": "\(problem)"])
        }
    }

    /// The key of a snapshot in this memory: `serial:<vendor:product>:<32 hex of SHA-256>` or `path:<vendor:product>:<usb path>`.
    public static func key(for snapshot: USBDeviceSnapshot) -> String {
        if let serial = snapshot.serial, !serial.isEmpty {
            let digest = SHA256Digest.hex(Array("hotspotd-at-port\u{0}".utf8) + Array(serial.utf8))
            return "serial:\(snapshot.usbID):\(digest.prefix(32))"
        }
        return "path:\(snapshot.usbID):\(snapshot.usbPath)"
    }

    /// The remembered AT port of this snapshot, as one of its current tty nodes.
    public func port(for snapshot: USBDeviceSnapshot) -> String? {
        // An empty memory (the usual case on a fresh station) answers without hashing the serial into a key.
        guard let number = remembered.withLock({ $0.isEmpty ? nil : $0[Self.key(for: snapshot)] }) else { return nil }
        return snapshot.ttys.first { $0.interfaceNumber == number }?.devnode
    }

    /// Remembers that `port` of this snapshot speaks AT (ignored when its interface is unknown), and writes the file when
    /// the memory changed.
    ///
    /// Returns the write failure (`portMemoryUnwritable`, also logged), or `nil` when the port is remembered and, with a
    /// file, stored. After a failure the port is still remembered in memory.
    @discardableResult
    public func remember(_ port: String, of snapshot: USBDeviceSnapshot) -> DiscoveryError? {
        guard let number = snapshot.ttys.first(where: { $0.devnode == port })?.interfaceNumber else { return nil }
        let key = Self.key(for: snapshot)
        let file = self.file
        let failure: DiscoveryError? = remembered.withLock { ports in
            guard ports[key] != number else { return nil }
            ports[key] = number
            guard let file else { return nil }
            return Self.store(ports, to: file)
        }
        if let failure {
            logger.warning("AT port memory not written; kept in memory for this run",
                           metadata: ["error": "\(failure)", "usb.path": "\(snapshot.usbPath)"])
        }
        return failure
    }

    /// The file's ports, an empty memory when it does not exist, or why it cannot be used.
    static func load(_ path: String) -> Result<[String: Int], DiscoveryError> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { return .success([:]) }
            return .failure(DiscoveryError(.portMemoryUnreadable, errno: code, context: "open \(path)"))
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else {
                return .failure(DiscoveryError(.portMemoryUnreadable, errno: errno, context: "read \(path)"))
            }
            if count == 0 { break }
            bytes += chunk[0..<count]
            // A memory of every device ever seen stays far below this; more is not our file.
            guard bytes.count <= maxFileBytes else {
                return .failure(DiscoveryError(.portMemoryUnreadable, context: "\(path) is larger than \(maxFileBytes) bytes"))
            }
        }
        let data = Data(bytes)
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            return .failure(DiscoveryError(.portMemoryUnreadable, context: "\(path) is not a JSON object"))
        }
        guard let version = object["version"] as? Int, version == fileVersion else {
            return .failure(DiscoveryError(.portMemoryUnreadable,
                                           context: "\(path) has version \(object["version"].map { "\($0)" } ?? "none"), expected \(fileVersion)"))
        }
        guard let entries = object["ports"] as? [String: Any] else {
            return .failure(DiscoveryError(.portMemoryUnreadable, context: "\(path) has no \"ports\" object"))
        }
        var ports: [String: Int] = [:]
        for (key, value) in entries {
            guard let number = value as? Int, (0...255).contains(number) else {
                return .failure(DiscoveryError(.portMemoryUnreadable, context: "\(path): port \(key) is not an interface number 0–255"))
            }
            ports[key] = number
        }
        return .success(ports)
    }

    /// Writes `ports` to `path` atomically; the failure, or `nil`.
    static func store(_ ports: [String: Int], to path: String) -> DiscoveryError? {
        let object: [String: Any] = ["version": fileVersion, "ports": ports]
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else {
            return DiscoveryError(.portMemoryUnwritable, context: "cannot encode the AT port memory for \(path)")
        }
        let directory = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        let temporary = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { return DiscoveryError(.portMemoryUnwritable, errno: errno, context: "create \(temporary)") }
        var failure: DiscoveryError?
        let bytes = [UInt8](data) + [0x0a]
        var offset = 0
        while offset < bytes.count && failure == nil {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                failure = DiscoveryError(.portMemoryUnwritable, errno: errno, context: "write \(temporary)")
            } else {
                offset += written
            }
        }
        if failure == nil && fsync(fd) != 0 {
            failure = DiscoveryError(.portMemoryUnwritable, errno: errno, context: "fsync \(temporary)")
        }
        if close(fd) != 0 && failure == nil {
            failure = DiscoveryError(.portMemoryUnwritable, errno: errno, context: "close \(temporary)")
        }
        if failure == nil && rename(temporary, path) != 0 {
            failure = DiscoveryError(.portMemoryUnwritable, errno: errno, context: "rename \(temporary) to \(path)")
        }
        if failure != nil {
            unlink(temporary)
            return failure
        }
        // The rename is durable only once the directory entry is; a failure here leaves a correct file behind.
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            _ = fsync(directoryFD)
            close(directoryFD)
        }
        return nil
    }
}
