import Foundation
import HandOverCard

/// Sends a card to a CUPS printer with `lp(1)`: the card is drawn as an A6 PDF in a private temporary file, handed to
/// `lp` (which copies it into the spool), and the file is removed whatever happens.
struct CardPrinter {
    /// The printer (`lp -d`); `nil` is lp's default destination.
    var printer: String?
    /// Where `lp` is looked for (`$PATH`).
    var searchPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"

    /// The `lp` program, or `nil` when none is on the search path.
    var lpPath: String? {
        for directory in searchPath.split(separator: ":") where !directory.isEmpty {
            let candidate = String(directory) + "/lp"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// The arguments given to `lp` for `file`.
    func arguments(file: String) -> [String] {
        (printer.map { ["-d", $0] } ?? []) + ["-t", "hotspot-card", "--", file]
    }

    /// Prints the card; returns what `lp` said (its request id), or fails with lp's own words.
    func print(_ card: HandOverCard) throws(HotspotctlError) -> String {
        guard let lp = lpPath else {
            throw .localInput("lp is not installed (apt-get install cups-client), or not on PATH")
        }
        let directory = FileManager.default.temporaryDirectory.path
        var template = Array((directory + "/hotspot-card-XXXXXX.pdf").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            return mkstemps(base, 4)
        }
        guard descriptor >= 0 else { throw .localInput("cannot create a temporary file in \(directory)") }
        close(descriptor)
        let file = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { unlink(file) }
        do {
            try CardDrawing.writePDF(card, to: file)
        } catch {
            throw .localInput(error.description)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: lp)
        process.arguments = arguments(file: file)
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw .localInput("cannot run \(lp): \(error.localizedDescription)")
        }
        let said = output.fileHandleForReading.readDataToEndOfFile()
        let complaint = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let reason = String(decoding: complaint, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw .localInput("lp failed (status \(process.terminationStatus))" + (reason.isEmpty ? "" : ": " + reason))
        }
        return String(decoding: said, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
