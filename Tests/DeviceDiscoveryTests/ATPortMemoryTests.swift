import Foundation
import Logging
import Testing
@testable import DeviceDiscovery

/// The AT port memory's file: kept across restarts, never fatal, never the serial in clear.
struct ATPortMemoryTests {
    static let imei = "861234567890123"
    /// The memory's warnings are expected here; keep them out of the test output.
    static let quiet: Logger = {
        var logger = Logger(label: "test.portmemory")
        logger.logLevel = .critical
        return logger
    }()

    static func stick(_ ttys: [(String, Int)], serial: String? = imei) -> USBDeviceSnapshot {
        USBDeviceSnapshot(usbPath: "1-4", syspath: "/sys/x/1-4", vendorID: 0x12d1, productID: 0x1506, serial: serial,
                          ttys: ttys.map { TTYPort(devnode: $0.0, interfaceNumber: $0.1) })
    }

    /// A fresh directory under the temporary directory, removed by the caller.
    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("hotspotd-portmemory-\(UInt32.random(in: 0...UInt32.max))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func sha256MatchesTheStandardTestVectors() {
        #expect(SHA256Digest.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256Digest.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // Two blocks after padding (56 bytes).
        #expect(SHA256Digest.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256Digest.hex([UInt8](repeating: 0x61, count: 1000)).hasPrefix("41edece42d63e8d9bf515a9ba6932e1c"))
    }

    @Test func rememberedPortIsFoundByANewMemoryOnTheSameFile() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/at-ports.json"
        let first = ATPortMemory(file: file, logger: Self.quiet)
        #expect(first.loadError == nil, "a missing file is an empty memory")
        #expect(first.remember("/dev/ttyUSB2", of: Self.stick([("/dev/ttyUSB0", 0), ("/dev/ttyUSB2", 2)])) == nil)

        // A restart: new memory, same file, the device re-enumerated under other tty names.
        let second = ATPortMemory(file: file, logger: Self.quiet)
        #expect(second.loadError == nil)
        #expect(second.port(for: Self.stick([("/dev/ttyUSB7", 0), ("/dev/ttyUSB9", 2)])) == "/dev/ttyUSB9")
        #expect(second.port(for: Self.stick([("/dev/ttyUSB9", 2)], serial: "OTHER")) == nil, "another serial is another device")

        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(!text.contains(Self.imei), "the serial (often the IMEI) is not stored in clear: \(text)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["version"] as? Int == 1)
        let ports = try #require(object["ports"] as? [String: Int])
        #expect(ports == [ATPortMemory.key(for: Self.stick([])): 2])
        #expect(ATPortMemory.key(for: Self.stick([])).hasPrefix("serial:12d1:1506:"))
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0 != "at-ports.json" }
        #expect(leftovers.isEmpty, "no temporary file is left behind: \(leftovers)")
    }

    @Test func corruptOrForeignFileIsReadAsEmptyAndReplacedAtTheNextChange() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/at-ports.json"
        for content in ["{\"version\":1,\"ports\":{\"serial:12d1:1506:ab\":", "[1,2]", "{\"version\":2,\"ports\":{}}",
                        "{\"version\":1,\"ports\":{\"k\":\"two\"}}", "\u{0}\u{1}garbage"] {
            try content.write(toFile: file, atomically: false, encoding: .utf8)
            let memory = ATPortMemory(file: file, logger: Self.quiet)
            #expect(memory.loadError?.code == .portMemoryUnreadable, "\(content)")
            #expect(memory.port(for: Self.stick([("/dev/ttyUSB2", 2)])) == nil)
        }
        let memory = ATPortMemory(file: file, logger: Self.quiet)
        #expect(memory.remember("/dev/ttyUSB2", of: Self.stick([("/dev/ttyUSB2", 2)])) == nil)
        #expect(ATPortMemory(file: file, logger: Self.quiet).port(for: Self.stick([("/dev/ttyUSB5", 2)])) == "/dev/ttyUSB5")
    }

    @Test func unreadableFileIsReportedNotFatal() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // A directory where the file should be: open succeeds, read fails with EISDIR.
        let file = directory + "/at-ports.json"
        try FileManager.default.createDirectory(atPath: file, withIntermediateDirectories: false)
        let memory = ATPortMemory(file: file, logger: Self.quiet)
        #expect(memory.loadError?.code == .portMemoryUnreadable)
        #expect(memory.loadError?.errno == EISDIR)
    }

    @Test func unwritableLocationStillRemembersInMemory() throws {
        // A directory that does not exist cannot be written, whoever runs the test (root ignores file modes).
        let file = "/nonexistent-hotspotd-\(UInt32.random(in: 0...UInt32.max))/at-ports.json"
        let memory = ATPortMemory(file: file, logger: Self.quiet)
        #expect(memory.loadError == nil, "missing file: empty memory")
        let failure = memory.remember("/dev/ttyUSB2", of: Self.stick([("/dev/ttyUSB0", 0), ("/dev/ttyUSB2", 2)]))
        #expect(failure?.code == .portMemoryUnwritable)
        #expect(failure?.errno == ENOENT)
        #expect(memory.port(for: Self.stick([("/dev/ttyUSB3", 2)])) == "/dev/ttyUSB3")
        // Remembering the same port again changes nothing and writes nothing.
        #expect(memory.remember("/dev/ttyUSB3", of: Self.stick([("/dev/ttyUSB3", 2)])) == nil)
    }

    @Test func memoryWithoutFileNeverTouchesTheDisk() {
        let memory = ATPortMemory(file: nil, logger: Self.quiet)
        #expect(memory.file == nil && memory.loadError == nil)
        #expect(memory.remember("/dev/ttyUSB2", of: Self.stick([("/dev/ttyUSB2", 2)])) == nil)
        #expect(memory.port(for: Self.stick([("/dev/ttyUSB4", 2)])) == "/dev/ttyUSB4")
    }

    @Test func devicesWithoutSerialAreKeyedByTheirSocket() {
        let key = ATPortMemory.key(for: Self.stick([], serial: nil))
        #expect(key == "path:12d1:1506:1-4")
    }
}
