import Foundation
import StationAPI
import Testing

/// The built executables: `--version`, global options before the subcommand, French from the locale.
@Suite(.enabled(if: HotspotctlBinary.url != nil, "the hotspotctl executable is not next to the test bundle"))
struct BinaryConventionsTests {
    @Test func bothProgramsPrintTheirVersion() throws {
        #expect(try HotspotctlBinary.run(["--version"]).stdout == SoftwareVersion.current + "\n")
        let daemon = try #require(HotspotctlBinary.url).deletingLastPathComponent().appendingPathComponent("hotspotd")
        try #require(FileManager.default.isExecutableFile(atPath: daemon.path), "hotspotd is not built next to hotspotctl")
        let process = Process()
        process.executableURL = daemon
        process.arguments = ["--version"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0 && text == SoftwareVersion.current + "\n")
    }

    @Test func globalOptionsBeforeTheSubcommandAndTheLocalesLanguage() throws {
        let path = UnixSocketTransportTests.socketPath()
        let json = try HotspotctlBinary.run(["--json", "--socket", path, "plans"])
        #expect(json.status == 3)
        #expect(json.stdout.contains("\"code\" : \"daemon-unreachable\""))
        let french = try HotspotctlBinary.run(["--socket", path, "plans"], environment: ["LANG": "fr_FR.UTF-8"])
        #expect(french.stderr.hasPrefix("hotspotctl: Le service de la station (hotspotd) est injoignable. [daemon-unreachable]\n"))
        let forcedEnglish = try HotspotctlBinary.run(["--lang", "en", "--socket", path, "plans"], environment: ["LANG": "fr_FR.UTF-8"])
        #expect(forcedEnglish.stderr == "hotspotctl: cannot reach hotspotd at \(path): is the daemon running?\n")
        // Completion never prints errors into the line being typed.
        let completion = try HotspotctlBinary.run(["__complete", "devices", "--socket", path])
        #expect(completion.status == 0 && completion.stdout.isEmpty && completion.stderr.isEmpty)
    }
}
