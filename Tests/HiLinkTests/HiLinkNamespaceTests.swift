import Foundation
import HiLink
import Provisioning
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Two simulated units both at 192.168.8.1, each in a network namespace behind its own veth (as two sticks behind
/// two USB interfaces): with `SO_BINDTODEVICE` every request reaches the unit of its interface. Needs root and
/// `ip netns`; skipped with a printed reason otherwise.
@Suite(.serialized) struct HiLinkNamespaceTests {
    static let imeis = ["356789012345672", "356789012345680"]

    static var ipTool: String? {
        ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The built `hotspot-sim`, beside the test bundle.
    static var simulatorPath: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: exe).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("hotspot-sim").path), directory.path != "/" {
            directory = directory.deletingLastPathComponent()
        }
        return directory.appendingPathComponent("hotspot-sim").path
    }

    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    @Test func eachRequestReachesTheUnitOfItsInterface() async throws {
        guard geteuid() == 0 else {
            print("HiLinkNamespaceTests skipped: needs root (network namespaces and SO_BINDTODEVICE)")
            return
        }
        guard let ip = Self.ipTool else {
            print("HiLinkNamespaceTests skipped: the ip tool (iproute2) is not installed")
            return
        }
        let simulator = Self.simulatorPath
        guard FileManager.default.isExecutableFile(atPath: simulator) else {
            Issue.record("hotspot-sim is not built (run swift build first)")
            return
        }
        let tag = String(getpid() % 100_000)
        let namespaces = ["hilink\(tag)n0", "hilink\(tag)n1"]
        let interfaces = ["hk\(tag)a", "hk\(tag)b"]
        var servers: [Process] = []
        defer {
            for server in servers where server.isRunning {
                server.terminate()
                server.waitUntilExit()
            }
            for namespace in namespaces { _ = try? Self.run(ip, ["netns", "del", namespace]) }
            for interface in interfaces { _ = try? Self.run(ip, ["link", "del", interface]) }
        }
        guard try Self.run(ip, ["netns", "add", namespaces[0]]) == 0 else {
            print("HiLinkNamespaceTests skipped: `ip netns add` is not permitted here")
            return
        }
        for index in 0..<2 {
            let namespace = namespaces[index], interface = interfaces[index]
            if index > 0 { try #require(try Self.run(ip, ["netns", "add", namespace]) == 0) }
            for arguments in [["link", "add", interface, "type", "veth", "peer", "name", "unit0", "netns", namespace],
                              ["-n", namespace, "addr", "add", "192.168.8.1/24", "dev", "unit0"],
                              ["-n", namespace, "link", "set", "unit0", "up"],
                              ["-n", namespace, "link", "set", "lo", "up"],
                              ["addr", "add", "192.168.8.\(100 + index)/24", "dev", interface],
                              ["link", "set", interface, "up"]] {
                try #require(try Self.run(ip, arguments) == 0, "ip \(arguments.joined(separator: " "))")
            }
            let server = Process()
            server.executableURL = URL(fileURLWithPath: ip)
            server.arguments = ["netns", "exec", namespace, simulator, "hilink", "--personality", "e3372h-webui17",
                                "--listen", "192.168.8.1:80", "--imei", Self.imeis[index]]
            server.standardOutput = FileHandle.nullDevice
            try server.run()
            servers.append(server)
        }
        // Open a driver per interface, waiting for each unit to listen.
        var drivers: [HiLinkDriver] = []
        for index in 0..<2 {
            let configuration = HiLinkConfiguration(endpoint: HiLinkEndpoint(host: "192.168.8.1", port: 80, interface: interfaces[index]),
                                                    password: "admin", requestTimeout: .seconds(2))
            var opened: HiLinkDriver?
            let deadline = ContinuousClock.now + .seconds(15)
            while opened == nil && ContinuousClock.now < deadline {
                opened = try? await HiLinkDriver.open(configuration)
                if opened == nil { try await Task.sleep(for: .milliseconds(200)) }
            }
            drivers.append(try #require(opened, "the unit behind \(interfaces[index]) never answered"))
        }
        // Interleaved requests: each lands on its own unit, every time.
        for _ in 0..<3 {
            for index in [1, 0] {
                let identity = try await drivers[index].readIdentity()
                #expect(identity.imei?.digits == Self.imeis[index], "request through \(interfaces[index])")
            }
        }
        let balance = try await drivers[1].ussd("*100#", replyTimeout: .seconds(5), redacted: nil, accepting: { _ in true })
        #expect(balance.text?.contains("solde") == true)
        // An interface that is gone (the stick unplugged) fails the call as device-gone, never reaching another unit.
        let ghost = HiLinkConfiguration(endpoint: HiLinkEndpoint(host: "192.168.8.1", port: 80, interface: "nosuchif0"),
                                        requestTimeout: .seconds(2))
        let failed = await failure { try await HiLinkDriver.open(ghost) }
        #expect(failed?.isDeviceGone == true, "\(String(describing: failed))")
        #expect(failed?.message.contains("nosuchif0") == true)
    }
}
