import Foundation
import Glibc
import Ledger
import Logging
import SerialPort
@testable import Station
import StationAPI
import Synchronization
import Testing
import TestSupport
import UnixHTTP

/// What `attach` takes (serial devices only, pseudo-terminals by configuration), that nothing in it blocks the station,
/// and `detach`, which gives a port back.
@Suite(.serialized) struct AttachSafetyTests {
    /// `body`'s result if it comes within `limit`, else nil; the body goes on in the background, and is never waited
    /// for (a body stuck on a blocked actor cannot hang the test).
    static func within<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async -> T) async -> T? {
        let result = Mutex<T?>(nil)
        Task {
            let value = await body()
            result.withLock { $0 = value }
        }
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let value = result.withLock({ $0 }) { return value }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return result.withLock { $0 }
    }

    /// Every path that is no serial device gets the same answer, which says nothing about the path: the API caller
    /// cannot learn whether a file exists, and nothing is opened for real, written or made exclusive.
    @Test func attachRefusesWhatIsNoSerialDeviceWithOneMessage() async throws {
        let rig = try SettlementRig(startingBalanceMB: 1000)
        let temporary = try TemporaryDirectory(prefix: "attach-safety")
        let directory = temporary.path
        let file = directory + "/notes.txt"
        try "secret\n".write(toFile: file, atomically: false, encoding: .utf8)
        let fifo = directory + "/fifo"
        try #require(mkfifo(fifo, 0o600) == 0)
        var paths = [directory + "/missing", "/nonexistent/ttyUSB9", directory, file, fifo, "/etc/passwd", "/dev/null",
                     "/dev/zero", "/proc/self/mem"]
        paths += ["/dev/console", "/dev/tty0", "/dev/tty"].filter { access($0, F_OK) == 0 }

        for (index, path) in paths.enumerated() {
            let started = ContinuousClock.now
            // One uid per request: attach is a money operation, limited per caller.
            let response = try await rig.request("POST", "/v1/devices", body: AttachRequest(path: path), uid: UInt32(2000 + index))
            // Nothing may block on the path (a FIFO without writer, a console): a hang would take the request's whole
            // deadline. The bound leaves room for a loaded machine running the other suites in the same process.
            #expect(ContinuousClock.now - started < .seconds(10), "\(path) took long")
            #expect(response.status == 422, "\(path)")
            let body = try SettlementRig.decode(APIErrorBody.self, response)
            #expect(body.error.code == "port-not-serial-device", "\(path)")
            #expect(body.error.message == Station.notSerialDeviceMessage(path), "\(path): \(body.error.message)")
        }
        #expect(await rig.station.deviceCount == 0)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "secret\n")
        await rig.stop()
    }

    /// The simulator's devices are pseudo-terminals: a station takes them only when its configuration says so.
    @Test func pseudoTerminalsAreTakenOnlyWhenTheConfigurationAllowsThem() async throws {
        let rig = try SettlementRig(startingBalanceMB: 1000)
        #expect(rig.config.allowPseudoTerminals == true)
        var config = rig.config
        config.allowPseudoTerminals = nil
        let strict = Station(config: config, ledger: rig.ledger, logger: Logger(label: "station-test-strict"))
        do {
            _ = try await strict.attach(path: rig.port)
            Issue.record("a pseudo-terminal was attached without allowPseudoTerminals")
        } catch {
            #expect(error.code == "port-not-serial-device")
            #expect(error.message == Station.notSerialDeviceMessage(rig.port))
        }
        #expect(await strict.deviceCount == 0)
        await strict.shutdown()
        // Left as it was: the station that allows pseudo-terminals takes it and identifies the device.
        let status = try await rig.station.attach(path: rig.port)
        try await rig.waitForDevice(status.id, in: [.awaitingPlan])
        await rig.stop()
    }

    /// Another user's terminal is refused even where pseudo-terminals are allowed: it gets no `ATE0`, and keeps what
    /// its user typed.
    @Test func anotherUsersPseudoTerminalIsRefusedAndGetsNoByte() async throws {
        let rig = try SettlementRig(startingBalanceMB: 1000)
        let pty = try TestPseudoTerminal(.quiet)
        defer { pty.close() }
        try #require(chown(pty.path, 4242, 4242) == 0, "tests run as root")
        #expect(write(pty.master, "ls\n", 3) == 3)

        let response = try await rig.request("POST", "/v1/devices", body: AttachRequest(path: pty.path))
        #expect(response.status == 422)
        #expect(try SettlementRig.decode(APIErrorBody.self, response).error.message == Station.notSerialDeviceMessage(pty.path))
        try await Task.sleep(for: .milliseconds(300))
        var buffer = [UInt8](repeating: 0, count: 64)
        #expect(read(pty.master, &buffer, buffer.count) == -1 && errno == EAGAIN, "bytes reached another user's terminal")
        var waiting: Int32 = 0
        #expect(ioctl(pty.slave, UInt(FIONREAD), &waiting) == 0 && waiting == 3, "the user's input was taken")
        await rig.stop()
    }

    /// `mkfifo /var/lock/LCK..<tty>` by any user: the attach neither hangs nor holds up the station's other calls,
    /// and the port is taken without a lock file (the FIFO stays where it is).
    @Test func aFIFOInPlaceOfALockBlocksNeitherTheAttachNorOtherCalls() async throws {
        let rig = try SettlementRig(startingBalanceMB: 1000)
        let temporary = try TemporaryDirectory(prefix: "attach-safety")
        let locks = temporary.path
        var config = rig.config
        config.lockDirectory = locks
        let station = Station(config: config, ledger: rig.ledger, logger: Logger(label: "station-test-locks"))
        let fifo = locks + "/" + UUCPLockFile.fileName(forDevice: rig.port)
        try #require(mkfifo(fifo, 0o666) == 0)
        // Lets a reader blocked on the FIFO go (on a station that reads lock files blocking).
        let feed: @Sendable () -> Void = {
            let fd = open(fifo, O_WRONLY | O_NONBLOCK)
            if fd >= 0 {
                _ = write(fd, "x\n", 2)
                close(fd)
            }
        }

        let port = rig.port
        let attach = Task { try await station.attach(path: port) }
        try await Task.sleep(for: .milliseconds(300))  // the attach is reading the lock by now
        let answered = await Self.within(.seconds(2)) { await station.devices(reveal: false).count }
        #expect(answered != nil, "the station did not answer while an attach read a FIFO lock")
        var outcome = await Self.within(.seconds(3)) { await attach.result }
        if outcome == nil {
            Issue.record("the attach blocked on a FIFO lock")
            let finished = Mutex(false)
            let feeder = Thread {
                while !finished.withLock({ $0 }) {
                    feed()
                    usleep(50_000)
                }
            }
            feeder.start()
            outcome = await attach.result
            finished.withLock { $0 = true }
        }
        let status = try #require(try outcome?.get())
        try await rig.waitForDevice(status.id, in: [.awaitingPlan], station: station)
        var info = stat()
        #expect(lstat(fifo, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO, "the FIFO is not the station's to remove")
        await station.shutdown()
        await rig.stop()
    }

    /// `DELETE /v1/devices/{ref}`: the session ends, the port is released (another program can take it exclusively)
    /// and it can be attached again.
    @Test func detachReleasesThePortAndItCanBeAttachedAgain() async throws {
        let rig = try SettlementRig(startingBalanceMB: 1000)
        let attached = try await rig.request("POST", "/v1/devices", body: AttachRequest(path: rig.port))
        #expect(attached.status == 201)
        try await rig.waitForDevice("d1", in: [.awaitingPlan])

        let response = await rig.request("DELETE", "/v1/devices/d1")
        #expect(response.status == 200)
        let detached = try SettlementRig.decode(DeviceStatus.self, response)
        #expect(detached.id == "d1")
        #expect(detached.state == .gone)
        #expect(await rig.station.devices(reveal: false).isEmpty)
        #expect(await rig.request("DELETE", "/v1/devices/d1").status == 404)

        // Released: descriptor, exclusive mode and flock are gone.
        let fd = try SerialPort.openExclusive(path: rig.port)
        SerialPort.closeExclusive(fd: fd)
        let again = try await rig.request("POST", "/v1/devices", body: AttachRequest(path: rig.port), uid: 1001)
        #expect(again.status == 201)
        let status = try SettlementRig.decode(DeviceStatus.self, again)
        try await rig.waitForDevice(status.id, in: [.awaitingPlan])
        #expect(try await rig.station.device(status.id, reveal: true).imei == SettlementRig.imei)
        await rig.stop()
    }

    /// A configured port a person detached stays detached: its watcher does not take it back, until it is attached
    /// by hand again.
    @Test func aDetachedConfiguredPortIsNotTakenBackByItsWatcher() async throws {
        let rig = try SettlementRig(startingBalanceMB: 1000)
        try await rig.station.attachConfigured(path: rig.port)
        try await rig.waitForDevice("d1", in: [.awaitingPlan])
        let detached = try await rig.station.detach(rig.port, actor: 1000)
        #expect(detached.state == .gone)
        try await Task.sleep(for: .milliseconds(1500))
        #expect(await rig.station.deviceCount == 0, "the watcher attached the detached port again")
        let status = try await rig.station.attach(path: rig.port, actor: 1000)
        try await rig.waitForDevice(status.id, in: [.awaitingPlan])
        await rig.stop()
    }
}
