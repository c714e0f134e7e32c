// swift-tools-version:6.1
// hotspot-station: a daemon and CLI that provisions mobile hotspots, modem sticks and SIMs.
// Targets follow ../shared/DESIGN.md: pure protocol and workflow logic, thin OS adapters at the edges.
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
]

let package = Package(
    name: "hotspot-station",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "hotspotd", targets: ["hotspotd"]),
        .executable(name: "hotspotctl", targets: ["hotspotctl"]),
        .executable(name: "hotspot-sim", targets: ["hotspot-sim"]),
        // Libraries for the benchmark package in Benchmarks/ (it depends on this package by path).
        .library(name: "ATProtocol", targets: ["ATProtocol"]),
        .library(name: "Ledger", targets: ["Ledger"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        // FileDescriptor, Errno and writeAll for the OS adapters (already resolved through swift-nio).
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
    ],
    targets: [
        // Pure: bytes in, typed values out. Foundation only.
        .target(name: "ATProtocol", swiftSettings: strict),
        // Pure: the typed failure codes every layer reports and the catalog translates. No Foundation.
        .target(name: "FailureCodes", swiftSettings: strict),
        // Pure: device dialects and operator profiles as data.
        .target(name: "DeviceCatalog", dependencies: ["ATProtocol"], swiftSettings: strict),
        // Pure: the provisioning workflow over DeviceChannel / LedgerWriting / clock protocols.
        .target(name: "Provisioning", dependencies: ["ATProtocol", "DeviceCatalog", "FailureCodes"], swiftSettings: strict),
        // Pure: the French and English message catalog, units, money and dates. No Foundation.
        .target(name: "Localization", dependencies: ["FailureCodes"], swiftSettings: strict),
        // The AT device driver: the workflow's DeviceDriver over an AT channel, from dialect data.
        .target(name: "ATDevice", dependencies: ["ATProtocol", "DeviceCatalog", "Provisioning", "FailureCodes"], swiftSettings: strict),
        // Codable API shared by daemon and CLI. Foundation only.
        .target(name: "StationAPI", dependencies: ["FailureCodes"], swiftSettings: strict),
        // OS adapter: termios serial port + AT session (one command in flight, deadlines, URCs).
        // The one executor for blocking work of the OS adapters: a detached thread per call.
        .target(name: "OwnThread", swiftSettings: strict),
        .target(name: "SerialPort", dependencies: [
            "ATProtocol",
            "OwnThread",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "SystemPackage", package: "swift-system"),
        ], swiftSettings: strict),
        // OS adapter: the SQLite ledger.
        .target(name: "Ledger", dependencies: [
            "OwnThread", "FailureCodes",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        // OS adapter: HTTP/1.1 over a Unix socket, server and client, no domain knowledge.
        .target(name: "UnixHTTP", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ], swiftSettings: strict),
        // The services: sessions, API routes, lifecycle.
        .target(name: "Station", dependencies: [
            "ATProtocol", "DeviceCatalog", "Provisioning", "ATDevice", "StationAPI", "SerialPort", "Ledger", "UnixHTTP", "DeviceDiscovery",
            "SIMCard", "PCSCReader", "FailureCodes",
            "Localization",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "SystemPackage", package: "swift-system"),
        ], swiftSettings: strict),
        .executableTarget(name: "hotspotd", dependencies: [
            "Station", "DeviceCatalog", "HiLinkStation",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], swiftSettings: strict),
        .executableTarget(name: "hotspotctl", dependencies: [
            "StationAPI", "ATProtocol", "UnixHTTP", "Ledger", "Localization", "HandOverCard", "FailureCodes",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict),
        // System-library shims (libudev, libusb-1.0; libumockdev for tests only).
        .systemLibrary(name: "CUdev", pkgConfig: "libudev", providers: [.apt(["libudev-dev"])]),
        .systemLibrary(name: "CLibUSB", pkgConfig: "libusb-1.0", providers: [.apt(["libusb-1.0-0-dev"])]),
        .systemLibrary(name: "CCairo", pkgConfig: "cairo", providers: [.apt(["libcairo2-dev"])]),
        .systemLibrary(name: "CQREncode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        // The beneficiary's hand-over card: its content (pure), as text, and drawn with cairo (PDF, PNG) and libqrencode.
        .target(name: "HandOverCard", dependencies: ["Localization", "StationAPI", "CCairo", "CQREncode"], swiftSettings: strict),
        .systemLibrary(name: "CUMockdev", pkgConfig: "umockdev-1.0", providers: [.apt(["libumockdev-dev"])]),
        // OS adapter: libudev enumerate/monitor on one thread, USB classification, libusb mode switch.
        .target(name: "DeviceDiscovery", dependencies: [
            "CUdev", "CLibUSB", "SerialPort", "ATProtocol",
            "StationAPI",
            "FailureCodes",
            "OwnThread",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        // Pure: HiLink web API (flat XML under limits, CSRF tokens, login derivations, error codes, RSA bodies).
        .target(name: "HiLinkProtocol", dependencies: ["FailureCodes", .product(name: "Crypto", package: "swift-crypto"), .product(name: "_CryptoExtras", package: "swift-crypto")], swiftSettings: strict),
        // OS adapter: HiLink units over HTTP (SwiftNIO, SO_BINDTODEVICE per interface) and their DeviceDriver.
        .target(name: "HiLink", dependencies: ["HiLinkProtocol", "Provisioning", "ATProtocol", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio")], swiftSettings: strict),
        // Glue: discovery's network-device opener for HiLink units (Station's seam, HiLink's driver).
        .target(name: "HiLinkStation", dependencies: ["HiLink", "Station", "Provisioning"], swiftSettings: strict),
        // Pure: SIM card APDUs (class detection, GET RESPONSE, EF_ICCID / EF_IMSI, PIN state) over a transmit protocol.
        .target(name: "SIMCard", dependencies: ["ATProtocol", "FailureCodes"], swiftSettings: strict),
        // System-library shim: pcsc-lite's client library (winscard.h), which talks to pcscd.
        .systemLibrary(name: "CPCSCLite", pkgConfig: "libpcsclite", providers: [.apt(["libpcsclite-dev"])]),
        // OS adapter: PC/SC reader and card events (SCardGetStatusChange) and card reads, each on a thread of its own.
        .target(name: "PCSCReader", dependencies: ["CPCSCLite", "SIMCard", "OwnThread"], swiftSettings: strict),
        // Fake devices on pseudo-terminals, driven by personality files.
        .target(name: "ModemSimulator", dependencies: ["ATProtocol"], swiftSettings: strict),
        // Fake HiLink units over HTTP (SwiftNIO), sharing the AT simulator's operator truth.
        .target(name: "HiLinkSimulator", dependencies: ["ModemSimulator", "HiLinkProtocol", .product(name: "_CryptoExtras", package: "swift-crypto"), .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio")], swiftSettings: strict),
        .executableTarget(name: "hotspot-sim", dependencies: [
            "ModemSimulator",
            "HiLinkSimulator",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict),

        // Test support, used by test targets only: the pty fake on the simulator's engine, `eventually`, temporary
        // directories, a manual clock, the station rig, and the umockdev testbed with its USB device builder.
        .target(name: "TestSupport", dependencies: [
            "ModemSimulator", "Station", "StationAPI", "Ledger",
            "CUMockdev",
            .product(name: "Logging", package: "swift-log"),
        ], path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "ATProtocolTests", dependencies: ["ATProtocol"], resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(name: "DeviceCatalogTests", dependencies: ["DeviceCatalog", "ATProtocol"], swiftSettings: strict),
        .testTarget(name: "ProvisioningTests", dependencies: ["TestSupport", "Provisioning", "ATDevice", "ATProtocol", "DeviceCatalog"], swiftSettings: strict),
        .testTarget(name: "SerialPortTests", dependencies: ["TestSupport", "SerialPort", "ATProtocol"], swiftSettings: strict),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger"], swiftSettings: strict),
        .testTarget(name: "UnixHTTPTests", dependencies: ["TestSupport", "UnixHTTP"], swiftSettings: strict),
        .testTarget(name: "SIMCardTests", dependencies: ["SIMCard", "ATProtocol"], swiftSettings: strict),
        .testTarget(name: "PCSCReaderTests", dependencies: ["PCSCReader", "SIMCard", "ModemSimulator"], swiftSettings: strict),
        .testTarget(name: "ModemSimulatorTests", dependencies: ["ModemSimulator", "ATProtocol"], swiftSettings: strict),
        .testTarget(name: "StationTests", dependencies: ["TestSupport", "Localization", "DeviceDiscovery", "CUMockdev", "Station", "StationAPI", "Ledger", "ATProtocol", "ModemSimulator", "UnixHTTP", "SIMCard", "PCSCReader", "Provisioning", .product(name: "Logging", package: "swift-log")], swiftSettings: strict),
        .testTarget(name: "DeviceDiscoveryTests", dependencies: ["TestSupport", "DeviceDiscovery", "SerialPort", "CUMockdev", "StationAPI", "ModemSimulator", "ATProtocol"], swiftSettings: strict),
        .testTarget(name: "HotspotctlTests", dependencies: ["TestSupport", "hotspotctl", "StationAPI", "HandOverCard", "Localization", "UnixHTTP", "Ledger", .product(name: "ArgumentParser", package: "swift-argument-parser")], swiftSettings: strict),
        .testTarget(name: "LocalizationTests", dependencies: ["Localization", "StationAPI", "Provisioning", "FailureCodes"], swiftSettings: strict),
        .testTarget(name: "HandOverCardTests", dependencies: ["HandOverCard", "Localization", "StationAPI"], swiftSettings: strict),
        .testTarget(name: "HiLinkProtocolTests", dependencies: ["HiLinkProtocol", .product(name: "_CryptoExtras", package: "swift-crypto")], swiftSettings: strict),
        .testTarget(name: "HiLinkTests", dependencies: ["TestSupport", "HiLink", "HiLinkProtocol", "HiLinkSimulator", "ModemSimulator", "Provisioning", "ATProtocol", "DeviceCatalog", "Station", "Ledger", "HiLinkStation"], swiftSettings: strict),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport", "StationAPI", "ATProtocol", "SerialPort", "Ledger", "ModemSimulator", "Provisioning", "ATDevice", "DeviceCatalog", "Station", .product(name: "Logging", package: "swift-log")], swiftSettings: strict),
    ]
)
