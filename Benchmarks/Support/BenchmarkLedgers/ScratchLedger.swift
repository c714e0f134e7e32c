// A ledger in a directory of its own for one benchmark, opened in the benchmark's setup and removed in its teardown.
import Foundation
import Ledger
import Synchronization

/// A real, durable ledger (WAL, `synchronous=FULL`) in a new directory under `HOTSPOT_BENCH_DIR`, else the temporary
/// directory. That directory must be on a disk, not a tmpfs, or fsync costs nothing and group commit saves nothing.
public final class ScratchLedger: Sendable {
    private let state = Mutex<(directory: URL, ledger: Ledger)?>(nil)

    /// Creates an empty holder; `open()` makes the ledger.
    public init() {}

    /// Opens a fresh ledger (replacing any earlier one of this holder) and returns it.
    @discardableResult
    public func open() throws -> Ledger {
        close()
        let base = ProcessInfo.processInfo.environment["HOTSPOT_BENCH_DIR"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory
        let directory = base.appendingPathComponent("hotspot-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let ledger = try Ledger(path: directory.appendingPathComponent("ledger.sqlite").path)
        state.withLock { $0 = (directory, ledger) }
        return ledger
    }

    /// The ledger opened by `open()`; stops the benchmark with a message if there is none.
    public var ledger: Ledger {
        guard let ledger = state.withLock({ $0?.ledger }) else {
            fatalError("ScratchLedger: the ledger is used before the benchmark's setup opened it")
        }
        return ledger
    }

    /// Forgets the ledger and removes its directory.
    public func close() {
        let directory = state.withLock { current -> URL? in
            defer { current = nil }
            return current?.directory
        }
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }
}
