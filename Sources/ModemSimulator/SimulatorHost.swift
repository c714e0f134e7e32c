import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a set of fake devices, one pseudo-terminal and one thread each, over one shared network.
///
/// `start` opens every terminal first, then starts the threads, then writes the ports file (so
/// its appearance means every device answers) and the links. `stop` ends the threads and removes
/// the ports file and links it created.
public final class SimulatorHost: @unchecked Sendable {
    // @unchecked Sendable: the mutable fields are only touched under `lock`; device state lives
    // on each device's own thread inside `DeviceLoop`.
    private let lock = NSLock()
    private let devices: [DeviceSetup]
    /// The network shared by all devices.
    public let network: OperatorNetwork
    private let verbose: Bool
    private var started: [(port: Port, done: DispatchSemaphore, unplug: (read: Int32, write: Int32))] = []
    private var stopPipe: (read: Int32, write: Int32)?
    private var portsFile: String?
    private var links: [String] = []
    private var stopping = false

    /// One running device: its label and the path the client opens.
    public struct Port: Sendable, Equatable {
        /// The device's label.
        public var label: String
        /// The pty slave path, e.g. `/dev/pts/4`.
        public var path: String
        /// How many times the device came back after a hangup (`faults.replugAfterMs`).
        public var replugs: Int

        /// Creates a port record.
        public init(label: String, path: String, replugs: Int = 0) {
            self.label = label
            self.path = path
            self.replugs = replugs
        }
    }

    /// Prepares devices over a network; nothing is opened until `start`.
    public init(devices: [DeviceSetup], network: OperatorNetwork, verbose: Bool = false) {
        self.devices = devices
        self.network = network
        self.verbose = verbose
    }

    /// Opens the terminals, starts the devices, then writes the ports file and links.
    ///
    /// Labels must be unique. On failure everything opened so far is closed again.
    @discardableResult
    public func start(portsFile: String? = nil, linkDirectory: String? = nil) throws(SimulatorError) -> [Port] {
        lock.lock()
        defer { lock.unlock() }
        precondition(stopPipe == nil, "SimulatorHost.start called twice")
        let labels = devices.map(\.label)
        guard Set(labels).count == labels.count else {
            throw SimulatorError(.invalidDeviceSpec, "device labels must be unique: \(labels.joined(separator: ", "))")
        }
        var terminals: [PseudoTerminal] = []
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else { throw SimulatorError(.pseudoTerminal, errno: errno, "pipe") }
        _ = fcntl(pipeFDs[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(pipeFDs[1], F_SETFD, FD_CLOEXEC)
        do throws(SimulatorError) {
            for _ in devices { terminals.append(try PseudoTerminal.open()) }
        } catch {
            terminals.forEach { $0.close() }
            close(pipeFDs[0])
            close(pipeFDs[1])
            throw error
        }
        // One more pipe per device: `unplug(label:comeBackAfterMs:)` writes the delay there.
        var unplugPipes: [(read: Int32, write: Int32)] = []
        for _ in devices {
            var fds: [Int32] = [0, 0]
            guard pipe(&fds) == 0 else {
                let code = errno
                terminals.forEach { $0.close() }
                for fd in [pipeFDs[0], pipeFDs[1]] + unplugPipes.flatMap({ [$0.read, $0.write] }) { close(fd) }
                throw SimulatorError(.pseudoTerminal, errno: code, "pipe")
            }
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            unplugPipes.append((fds[0], fds[1]))
        }
        stopPipe = (pipeFDs[0], pipeFDs[1])
        for ((setup, terminal), unplug) in zip(zip(devices, terminals), unplugPipes) {
            let done = DispatchSemaphore(value: 0)
            let label = setup.label
            let loop = DeviceLoop(
                engine: ModemEngine(personality: setup.personality, network: network),
                terminal: terminal, stopFD: pipeFDs[0], unplugFD: unplug.read, label: label, verbose: verbose,
                onReplug: { [weak self] path in self?.replugged(label: label, path: path) })
            let thread = Thread {
                var running = loop
                running.run()
                done.signal()
            }
            thread.name = "sim-\(setup.label)"
            thread.start()
            started.append((Port(label: setup.label, path: terminal.path), done, unplug))
        }
        let ports = started.map(\.port)
        do throws(SimulatorError) {
            if let linkDirectory {
                for port in ports {
                    let link = "\(linkDirectory)/\(port.label)"
                    var status = stat()
                    if lstat(link, &status) == 0 {
                        // Replace a stale link from an earlier run, never a real file.
                        guard status.st_mode & S_IFMT == S_IFLNK else {
                            throw SimulatorError(.link, errno: EEXIST, "\(link) exists and is not a symbolic link")
                        }
                        unlink(link)
                    }
                    guard symlink(port.path, link) == 0 else {
                        throw SimulatorError(.link, errno: errno, "symlink \(link) -> \(port.path)")
                    }
                    links.append(link)
                }
            }
            if let portsFile {
                let text = ports.map { "\($0.label)\t\($0.path)\n" }.joined()
                try AtomicFileWriter.write(Array(text.utf8), to: portsFile)
                self.portsFile = portsFile
            }
        } catch {
            lock.unlock()
            stop()
            lock.lock()
            throw error
        }
        return ports
    }

    /// The running devices, in start order.
    public var ports: [Port] {
        lock.withLock { started.map(\.port) }
    }

    /// Stops every device, closes the terminals, removes the ports file and links. Idempotent.
    public func stop() {
        lock.lock()
        guard let pipe = stopPipe, !stopping else {
            lock.unlock()
            return
        }
        stopping = true
        let devices = started
        lock.unlock()

        // Device threads may call `replugged` (which takes the lock) until they see the stop byte,
        // so wait for them without holding it.
        var byte: UInt8 = 1
        _ = write(pipe.write, &byte, 1)
        for device in devices {
            // A device thread wakes within one poll; the bound only guards against a stuck thread.
            _ = device.done.wait(timeout: .now() + 5)
        }

        lock.lock()
        defer { lock.unlock() }
        close(pipe.read)
        close(pipe.write)
        for device in devices {
            close(device.unplug.read)
            close(device.unplug.write)
        }
        stopPipe = nil
        started = []
        if let portsFile { unlink(portsFile) }
        portsFile = nil
        for link in links { unlink(link) }
        links = []
        stopping = false
    }

    /// Unplugs the device `label` now and plugs it back `comeBackAfterMs` later, as a person pulling a stick out of
    /// its socket and pushing it back in: its pty closes under the client (which reads end of file or EIO), replies
    /// still owed are lost, and the device comes back in its power-up state on a new pty, whose path differs from
    /// the one it left (the link moves, the ports file is rewritten, `ports` shows the new path and one more replug).
    ///
    /// Returns false when no running device has that label. The device acts within one poll of its thread.
    @discardableResult
    public func unplug(label: String, comeBackAfterMs: Int) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard stopPipe != nil, !stopping, let device = started.first(where: { $0.port.label == label }) else { return false }
        var delay = UInt32(clamping: max(0, comeBackAfterMs))
        // Four bytes are below PIPE_BUF: the device thread reads them in one piece.
        return withUnsafeBytes(of: &delay) { write(device.unplug.write, $0.baseAddress, $0.count) } == 4
    }

    /// A device came back on a new pty: record it, move its link, rewrite the ports file.
    private func replugged(label: String, path: String) {
        lock.lock()
        defer { lock.unlock() }
        guard !stopping, let index = started.firstIndex(where: { $0.port.label == label }) else { return }
        started[index].port.path = path
        started[index].port.replugs += 1
        if let link = links.first(where: { ($0 as NSString).lastPathComponent == label }) {
            // Swap the link atomically: a client never sees it missing.
            let temporary = "\(link).replug-\(getpid())"
            unlink(temporary)
            if symlink(path, temporary) != 0 || rename(temporary, link) != 0 { unlink(temporary) }
        }
        if let portsFile {
            let text = started.map { "\($0.port.label)\t\($0.port.path)\n" }.joined()
            try? AtomicFileWriter.write(Array(text.utf8), to: portsFile)
        }
    }

    deinit {
        stop()
    }
}
