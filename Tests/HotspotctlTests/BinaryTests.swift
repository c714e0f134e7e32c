import Foundation
import StationAPI
import Testing
import UnixHTTP
@testable import hotspotctl

/// Runs the built `hotspotctl` executable: exit statuses from `main()`, stdin for `decode`, SIGINT for `watch`.
@Suite(.enabled(if: HotspotctlBinary.url != nil, "the hotspotctl executable is not next to the test bundle"))
struct BinaryTests {
    @Test func usageErrorsExitTwo() throws {
        let result = try HotspotctlBinary.run(["status"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("Missing expected argument '<device>'"))
        #expect(try HotspotctlBinary.run(["ledger", "--since", "soon"]).status == 2)
        #expect(try HotspotctlBinary.run(["frobnicate"]).status == 2)
    }

    @Test func helpExitsZero() throws {
        let result = try HotspotctlBinary.run(["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("SUBCOMMANDS:"))
    }

    @Test func anAbsentDaemonExitsThreeWithOneLine() throws {
        let path = UnixSocketTransportTests.socketPath()
        let result = try HotspotctlBinary.run(["plans", "--socket", path])
        #expect(result.status == 3)
        #expect(result.stderr == "hotspotctl: cannot reach hotspotd at \(path): is the daemon running?\n")
        let fromEnvironment = try HotspotctlBinary.run(["plans"], environment: ["HOTSPOTD_SOCKET": path])
        #expect(fromEnvironment.stderr == result.stderr)
    }

    @Test func decodeReadsRawBytesFromStdin() throws {
        let result = try HotspotctlBinary.run(["decode", "--command", "AT+CSQ", "--compact"], stdin: Array("AT+CSQ\r\r\n+CSQ: 17,99\r\n\r\nOK\r\n".utf8))
        #expect(result.status == 0)
        #expect(result.stdout.contains(#""rssi":17"#))
        #expect(result.stdout.hasSuffix("}\n"))
        #expect(!result.stdout.dropLast().contains("\n"))
    }

    @Test func decodeReadsEscapedTextAndExitsOneOnAnErrorReply() throws {
        let result = try HotspotctlBinary.run(["decode", "--escaped"], stdin: Array(#"AT+CPIN?\r\r\n+CME ERROR: 10\r\n"#.utf8) + [0x0A])
        #expect(result.status == 1)
        #expect(result.stdout.contains("\"error\""))
        #expect(result.stdout.contains("\n  "))  // pretty by default
    }

    @Test func decodeRefusesABadEscapeWithStatusTwo() throws {
        let result = try HotspotctlBinary.run(["decode", "--escaped"], stdin: Array(#"OK\q"#.utf8))
        #expect(result.status == 2)
        #expect(result.stderr == "hotspotctl: unknown escape \\q at byte 2 of stdin (use \\r \\n \\t \\\" \\\\ or \\xHH)\n")
    }

    @Test func statusWithRevealDrawsAQRCodeZbarCanRead() async throws {
        try await UnixSocketTransportTests.withServer({ _ in UnixSocketTransportTests.json(Sample.revealedHotspot) }) { path in
            let result = try HotspotctlBinary.run(["status", "d1", "--reveal", "--socket", path])
            #expect(result.status == 0)
            let drawing = try #require(result.stdout.components(separatedBy: "\n\n").last)
            let modules = try HalfBlocks.modules(from: drawing, lightOnDark: true, quietZone: 4)
            let expected = try QRCode.encode(Array("WIFI:T:WPA;S:Connexion-0121;P:abc\\;12345;;".utf8))
            #expect(modules == HalfBlocks.grid(of: expected))
            if ZBar.path != nil {
                #expect(try ZBar.scan(expected) == "WIFI:T:WPA;S:Connexion-0121;P:abc\\;12345;;")
            }
        }
    }

    @Test func watchExitsZeroOnSIGINT() async throws {
        let event = StationEvent(kind: "attached", deviceID: "d1", state: .identifying, at: Sample.date)
        let line = Array(try StationJSON.encoder().encode(event)) + [0x0A]
        try await UnixSocketTransportTests.withServer({ _ in
            HTTPResponse.ndjsonStream(AsyncStream { continuation in continuation.yield(line) })
        }) { path in
            let running = try HotspotctlBinary.start(["watch", "--socket", path])
            let deadline = ContinuousClock.now + .seconds(20)
            while running.stdoutSoFar().isEmpty, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(running.stdoutSoFar() == "14:03:22 d1 identifying attached\n")  // the child runs with TZ=UTC
            running.process.interrupt()
            let result = running.wait()
            #expect(result.status == 0)
            #expect(result.stderr == "")
        }
    }
}

/// Finds and runs the `hotspotctl` executable built beside the test bundle.
enum HotspotctlBinary {
    static let url: URL? = {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [directory, directory.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("hotspotctl")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }()

    enum Failure: Error { case notBuilt }

    /// A started process whose stdout and stderr are collected as they arrive.
    final class Running: @unchecked Sendable {
        // @unchecked Sendable: the buffers are only touched under `lock`; `process` is used from one test task.
        let process: Process
        private let lock = NSLock()
        private var stdout = Data()
        private var stderr = Data()
        private let outputPipe = Pipe(), errorPipe = Pipe()

        init(process: Process) {
            self.process = process
            process.standardOutput = outputPipe
            process.standardError = errorPipe
            outputPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
                let data = handle.availableData
                self?.lock.withLock { self?.stdout.append(data) }
            }
            errorPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
                let data = handle.availableData
                self?.lock.withLock { self?.stderr.append(data) }
            }
        }

        func stdoutSoFar() -> String { lock.withLock { String(decoding: stdout, as: UTF8.self) } }

        func wait() -> (stdout: String, stderr: String, status: Int32) {
            process.waitUntilExit()
            outputPipe.fileHandleForReading.readabilityHandler = nil
            errorPipe.fileHandleForReading.readabilityHandler = nil
            let restOut = outputPipe.fileHandleForReading.readDataToEndOfFile()
            let restErr = errorPipe.fileHandleForReading.readDataToEndOfFile()
            return lock.withLock {
                stdout.append(restOut)
                stderr.append(restErr)
                return (String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self), process.terminationStatus)
            }
        }
    }

    static func start(_ arguments: [String], environment: [String: String] = [:], stdin: [UInt8]? = nil) throws -> Running {
        guard let url else { throw Failure.notBuilt }
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        merged["HOTSPOTD_SOCKET"] = nil
        merged["TZ"] = "UTC"
        // These tests read English output: the binary must not pick French up from the machine's locale.
        for variable in ["HOTSPOT_LANG", "LC_ALL", "LC_MESSAGES"] { merged[variable] = nil }
        merged["LANG"] = "C.UTF-8"
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        let input = Pipe()
        process.standardInput = input
        let running = Running(process: process)
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin)) }
        try input.fileHandleForWriting.close()
        return running
    }

    static func run(_ arguments: [String], environment: [String: String] = [:], stdin: [UInt8]? = nil) throws
        -> (stdout: String, stderr: String, status: Int32) {
        try start(arguments, environment: environment, stdin: stdin).wait()
    }
}
