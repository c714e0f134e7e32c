import Foundation
import HandOverCard
import Localization
import StationAPI
import Testing

/// Runs a program and returns its stdout, or `nil` when it is not installed.
enum Tool {
    static func path(_ name: String) -> String? {
        ["/usr/bin/", "/bin/", "/usr/local/bin/"].map { $0 + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func run(_ name: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(path(name)))
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// A fresh path in a private temporary directory.
    static func temporaryFile(_ name: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("card-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent(name).path
    }
}

/// The card drawn with cairo and read back with poppler's `pdftotext` and zbar's `zbarimg`, as a person and a phone
/// would read it.
@Suite(.enabled(if: Tool.path("pdftotext") != nil && Tool.path("zbarimg") != nil,
                "pdftotext and zbarimg are needed (apt-get install poppler-utils zbar-tools)"))
struct CardDrawingTests {
    static let utc = TimeZone(identifier: "UTC") ?? .current

    @Test func thePDFIsAnA6PageWithTheNameTheKeyAndTheFrenchSentences() throws {
        let card = HandOverCard(info: CardSample.info, language: .french, timeZone: Self.utc)
        let path = try Tool.temporaryFile("card.pdf")
        try CardDrawing.writePDF(card, to: path)
        let text = try Tool.run("pdftotext", ["-layout", path, "-"]).output
        #expect(text.contains("Connexion-0121"))
        #expect(text.contains("abcd efgh 1234"))
        #expect(text.contains("Votre accès Internet"))
        #expect(text.contains("Mot de passe Wi-Fi"))
        #expect(text.contains("500 Mo — 5,00 €"))
        #expect(text.contains("6 décembre 2026"))
        #expect(text.contains("*123#"))
        #expect(text.contains("12 rue des Lilas"))
        #expect(text.contains("Mardi et jeudi"))
        let info = try Tool.run("pdfinfo", [path]).output
        #expect(info.split(separator: "\n").contains { $0.hasPrefix("Pages:") && $0.hasSuffix(" 1") })
        #expect(info.contains("Page size:       297.638 x 419.528 pts"))  // 105 × 148 mm
        // The QR code on the page decodes to the network, as a phone's camera reads it.
        let png = try Tool.temporaryFile("page")
        #expect(try Tool.run("pdftoppm", ["-png", "-r", "300", "-singlefile", path, png]).status == 0)
        #expect(try Tool.run("zbarimg", ["--raw", "-q", png + ".png"]).output
            == "WIFI:T:WPA;S:Connexion-0121;P:abcdefgh1234;;\n")
    }

    @Test func thePNGIsA62MillimetreLabelWhoseQRCodeScans() throws {
        var info = CardSample.info
        info.ssid = "Café;Wi,Fi"
        info.key = #"k:e"y\Zq7x"#
        let card = HandOverCard(info: info, language: .french, timeZone: Self.utc)
        let path = try Tool.temporaryFile("label.png")
        try CardDrawing.writePNG(card, to: path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(bytes.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        // IHDR: width and height, big-endian, at bytes 16–23. 62 mm at 300 dpi is 732 pixels.
        let width = bytes[16..<20].reduce(0) { $0 << 8 | Int($1) }
        let height = bytes[20..<24].reduce(0) { $0 << 8 | Int($1) }
        #expect(width == 732)
        #expect(height > 1000 && height < 4000)
        #expect(try Tool.run("zbarimg", ["--raw", "-q", path]).output
            == #"WIFI:T:WPA;S:Café\;Wi\,Fi;P:k\:e\"y\\Zq7x;;"# + "\n")
    }

    @Test func theCardHoldsNoIdentifierEvenWhenTheStatusHadOne() throws {
        // HandOverCardInfo has no field for IMEI, IMSI or ICCID; the encoded card shows it.
        let json = String(decoding: try StationJSON.encoder().encode(CardSample.info), as: UTF8.self).lowercased()
        for field in ["imei", "imsi", "iccid"] { #expect(!json.contains(field)) }
    }

    @Test func anUnwritablePathIsAClearError() {
        let card = HandOverCard(info: CardSample.info, language: .french)
        #expect(throws: CardDrawing.Failure.self) { try CardDrawing.writePNG(card, to: "/nonexistent/dir/label.png") }
        #expect(throws: CardDrawing.Failure.self) { try CardDrawing.writePDF(card, to: "/nonexistent/dir/card.pdf") }
    }
}
