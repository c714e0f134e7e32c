import Foundation
import Ledger
import StationAPI

/// A ledger file opened read-only with `LedgerSnapshot`, answering as the daemon's ledger routes would.
///
/// The verification, anchor and export are the ledger's own (the code the daemon runs), turned into the API's shapes
/// the same way, so `--database` output matches the daemon path. Reads run on a thread of their own: a long chain walk
/// must not hold one of the cooperative pool's few threads.
struct LedgerFileSource: LedgerIntegritySource {
    /// The file, as given.
    let path: String
    private let snapshot: LedgerSnapshot

    /// Opens `path` read-only; a missing file or a file that is not a ledger fails with a sentence naming it.
    init(path: String) throws(HotspotctlError) {
        self.path = path
        do {
            snapshot = try LedgerSnapshot(path: path)
        } catch {
            throw Self.failure(error, path: path)
        }
    }

    func verifyLedger(anchor: LedgerAnchorInfo?) async throws(HotspotctlError) -> LedgerVerifyInfo {
        let result = try await reading { snapshot in
            let started = ContinuousClock.now
            let verification = try snapshot.verifyChain(anchor: anchor.map { ChainAnchor(seq: $0.seq, hash: $0.hash) })
            return (verification, started.duration(to: .now))
        }
        let (verification, elapsed) = result
        let milliseconds = Int(elapsed.components.seconds) * 1000 + Int(elapsed.components.attoseconds / 1_000_000_000_000_000)
        return LedgerVerifyInfo(
            ok: verification.isValid, rowsChecked: verification.rowsChecked,
            lastGood: LedgerAnchorInfo(seq: verification.lastGood.seq, hash: verification.lastGood.hash), anchor: anchor,
            failure: verification.failure.map { .init(seq: $0.seq, reason: $0.reason.rawValue, message: $0.message) },
            elapsedMS: milliseconds)
    }

    func ledgerAnchor() async throws(HotspotctlError) -> LedgerAnchorInfo {
        let head = try await reading { snapshot in try snapshot.headHash() }
        return LedgerAnchorInfo(seq: head.seq, hash: head.hash)
    }

    /// The export split into lines as the HTTP client splits the daemon's stream (on LF, a trailing CR removed).
    func exportLedger(format: String) async throws(HotspotctlError) -> AsyncThrowingStream<[UInt8], any Error> {
        guard let exportFormat = LedgerExportFormat(rawValue: format) else {
            throw .localInput("unknown export format \(format): use csv or jsonl")
        }
        let snapshot = self.snapshot
        let path = self.path
        let (lines, continuation) = AsyncThrowingStream.makeStream(of: [UInt8].self, throwing: (any Error).self)
        let worker = Thread {
            var pending: [UInt8] = []
            do {
                try snapshot.exportEvents(format: exportFormat) { chunk in
                    pending.append(contentsOf: chunk)
                    var start = 0
                    while let end = pending[start...].firstIndex(of: 0x0A) {
                        var line = Array(pending[start..<end])
                        if line.last == 0x0D { line.removeLast() }
                        continuation.yield(line)
                        start = end + 1
                    }
                    pending.removeFirst(start)
                }
                if !pending.isEmpty { continuation.yield(pending) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: Self.exportFailure(error, path: path))
            }
        }
        worker.start()
        return lines
    }

    /// Runs ledger reads on the copy's reader queue (`LedgerReading.reading`) without blocking the caller's thread.
    private func reading<T: Sendable>(_ body: @escaping @Sendable (LedgerSnapshot) throws -> T) async throws(HotspotctlError) -> T {
        do {
            return try await snapshot.reading(body)
        } catch let error as LedgerError {
            throw Self.failure(error, path: path)
        } catch {
            throw Self.failure(LedgerError(.io, String(describing: error)), path: path)
        }
    }

    /// A ledger failure as one sentence naming the file.
    static func failure(_ error: LedgerError, path: String) -> HotspotctlError {
        switch error.code {
        case .notFound:
            .ledgerFile(path: path, detail: "no such file")
        case .corrupt:
            .ledgerFile(path: path, detail: "not a ledger (\(error.message))")
        default:
            .ledgerFile(path: path, detail: "cannot be read (\(error.message))")
        }
    }

    /// Any error thrown while exporting, named after the file.
    static func exportFailure(_ error: any Error, path: String) -> HotspotctlError {
        if let ledgerError = error as? LedgerError { return failure(ledgerError, path: path) }
        return .ledgerFile(path: path, detail: "cannot be read (\(error))")
    }
}
