import Foundation
import Testing
@testable import hotspotctl

/// Round trips through a real decoder, `zbarimg` (Debian `zbar-tools`), when it is installed.
@Suite(.enabled(if: ZBar.path != nil, "zbarimg is not installed (apt-get install zbar-tools)"))
struct QRCodeScanTests {
    @Test(arguments: [
        "WIFI:T:WPA;S:Connexion-0121;P:abc;;",
        #"WIFI:T:WPA;S:Caf\;e\,1;P:k\:ey\\\"x;;"#,
        "WIFI:T:WPA;S:WebTrotter-4G-0042;P:" + String(repeating: "Zq7x", count: 16) + ";;",
        String(repeating: "0123456789abcdef", count: 8),    // 128 bytes: version 8-M, version information
        String(repeating: "station ", count: 26) + "ok",      // 210 bytes: version 10-M, 5 blocks of two lengths
        String(repeating: "L", count: 260),                   // falls back to version 10-L
    ])
    func zbarReadsBackWhatWeEncode(payload: String) throws {
        let code = try QRCode.encode(Array(payload.utf8))
        #expect(try ZBar.scan(code) == payload)
    }

    @Test func zbarReadsEveryMaskAndLevel() throws {
        let payload = Array("WIFI:T:WPA;S:Connexion-0121;P:correct horse;;".utf8)
        for level in QRCode.ErrorCorrection.allCases {
            for mask in 0..<8 {
                let version = try QRCode.encode(payload, levels: [level]).version
                let code = QRCode.make(payload, version: version, level: level, mask: mask)
                #expect(try ZBar.scan(code) == String(decoding: payload, as: UTF8.self), "level \(level) mask \(mask)")
            }
        }
    }
}

/// Writes a symbol as a PBM image and asks zbarimg what it says.
enum ZBar {
    static let path: String? = ["/usr/bin/zbarimg", "/usr/local/bin/zbarimg"].first { FileManager.default.isExecutableFile(atPath: $0) }

    enum Failure: Error { case notInstalled, failed(status: Int32, stderr: String) }

    static func scan(_ code: QRCode, scale: Int = 4, quietZone: Int = 4) throws -> String {
        guard let path else { throw Failure.notInstalled }
        let side = (code.size + 2 * quietZone) * scale
        var pbm = "P1\n\(side) \(side)\n"
        for y in 0..<side {
            var line = ""
            for x in 0..<side {
                let row = y / scale - quietZone, column = x / scale - quietZone
                let dark = (0..<code.size).contains(row) && (0..<code.size).contains(column) && code.isDark(row: row, column: column)
                line += dark ? "1 " : "0 "
            }
            pbm += line + "\n"
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("hotspotctl-qr-\(UUID().uuidString).pbm")
        try Data(pbm.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", "-Sbinary", file.path]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure.failed(status: process.terminationStatus, stderr: String(decoding: errorData, as: UTF8.self))
        }
        var text = String(decoding: data, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}
