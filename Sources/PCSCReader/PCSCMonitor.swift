import CPCSCLite
import Glibc
import OwnThread
import Synchronization

/// A change pcscd reported.
public enum PCSCEvent: Sendable, Equatable {
    /// A reader appeared (plugged in, or present when the monitor started).
    case readerAdded(String)
    /// A reader went away (unplugged, or pcscd stopped). A card it held is reported removed first.
    case readerRemoved(String)
    /// A card is in the reader and answered the reset with this ATR.
    case cardInserted(reader: String, atr: [UInt8])
    /// The card left the reader.
    case cardRemoved(reader: String)
    /// pcscd cannot be reached (not installed, not running, socket not accessible); the text names the error.
    /// The monitor keeps trying and reports readers again once it is back.
    case serviceUnavailable(String)
}

/// Watches pcscd for readers and cards with `SCardGetStatusChange`, on a thread of its own with a context of its
/// own, and hands the changes out as an `AsyncStream`.
///
/// The watch includes pcsc-lite's `\\?PnP?\Notification` pseudo-reader, so a reader plugged in wakes the call
/// at once; nothing polls on a timer. A card swapped faster than one wake-up is still reported as removed then
/// inserted: pcsc-lite counts card events in the high 16 bits of the reader state.
public final class PCSCMonitor: Sendable {
    private let shared = Mutex(Shared())
    /// How long to wait before asking again after pcscd could not be reached.
    private let serviceRetry: Duration

    private struct Shared {
        var context: SCARDCONTEXT?
        var stopped = false
    }

    /// Creates a monitor; nothing runs until `events()` is called.
    public init(serviceRetry: Duration = .seconds(2)) {
        self.serviceRetry = serviceRetry
    }

    /// Starts the watch and returns its events. Call once. The watch ends when the stream's consumer goes away or
    /// `stop()` is called.
    public func events() -> AsyncStream<PCSCEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: PCSCEvent.self, bufferingPolicy: .unbounded)
        continuation.onTermination = { [weak self] _ in self?.stop() }
        Task.detached { [self] in
            _ = await OwnThread.run { self.watch { continuation.yield($0) } }
            continuation.finish()
        }
        return stream
    }

    /// Ends the watch: wakes the blocked `SCardGetStatusChange` with `SCardCancel`.
    public func stop() {
        let context = shared.withLock { state -> SCARDCONTEXT? in
            state.stopped = true
            return state.context
        }
        if let context { SCardCancel(context) }
    }

    private var isStopped: Bool { shared.withLock { $0.stopped } }

    /// The body of the watch thread.
    private func watch(_ emit: (PCSCEvent) -> Void) {
        var reported: String?
        while !isStopped {
            var context: SCARDCONTEXT = 0
            let established = PCSCStatus(SCardEstablishContext(DWORD(SCARD_SCOPE_SYSTEM), nil, nil, &context))
            if established.isSuccess {
                let keep = shared.withLock { state -> Bool in
                    if state.stopped { return false }
                    state.context = context
                    return true
                }
                if keep {
                    reported = nil
                    let ended = watchContext(context, emit)
                    shared.withLock { $0.context = nil }
                    SCardReleaseContext(context)
                    if ended == nil { return }
                    if let ended, reported != ended.description {
                        emit(.serviceUnavailable(ended.description))
                        reported = ended.description
                    }
                } else {
                    SCardReleaseContext(context)
                    return
                }
            } else if reported != established.description {
                emit(.serviceUnavailable(established.description))
                reported = established.description
            }
            guard !isStopped else { return }
            // pcscd is down: nothing to wait on but time. (pcscd.socket starts it on the next connection.)
            let nanoseconds = serviceRetry.components.seconds * 1_000_000_000 + serviceRetry.components.attoseconds / 1_000_000_000
            var pause = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
            var remaining = timespec()
            while nanosleep(&pause, &remaining) != 0, errno == EINTR { pause = remaining }
        }
    }

    /// What the watch knows of one reader.
    private struct ReaderState {
        var name: UnsafeMutablePointer<CChar>
        var state: DWORD = DWORD(SCARD_STATE_UNAWARE)
        var cardPresent = false
    }

    /// Watches on one context until it is cancelled (returns nil) or pcscd goes away (returns why).
    private func watchContext(_ context: SCARDCONTEXT, _ emit: (PCSCEvent) -> Void) -> PCSCStatus? {
        var readers: [String: ReaderState] = [:]
        let notification = strdup("\\\\?PnP?\\Notification")
        defer {
            free(notification)
            for reader in readers.values { free(reader.name) }
            // Whatever the watch saw is no longer known: say so, so no row outlives pcscd.
            for (name, reader) in readers.sorted(by: { $0.key < $1.key }) {
                if reader.cardPresent { emit(.cardRemoved(reader: name)) }
                emit(.readerRemoved(name))
            }
        }
        var relist = true
        while true {
            if relist {
                relist = false
                let listed: [String]
                switch Self.listReaders(context) {
                case .success(let names): listed = names
                case .failure(let status):
                    if status.code == PCSCStatus.cancelled { return nil }
                    return status
                }
                for name in readers.keys.sorted() where !listed.contains(name) {
                    if let gone = readers.removeValue(forKey: name) {
                        if gone.cardPresent { emit(.cardRemoved(reader: name)) }
                        free(gone.name)
                        emit(.readerRemoved(name))
                    }
                }
                for name in listed where readers[name] == nil {
                    guard let copy = strdup(name) else { continue }
                    readers[name] = ReaderState(name: copy)
                    emit(.readerAdded(name))
                }
            }
            let names = readers.keys.sorted()
            var states = names.map { name -> SCARD_READERSTATE in
                var entry = SCARD_READERSTATE()
                entry.szReader = UnsafePointer(readers[name]?.name)
                entry.dwCurrentState = readers[name]?.state ?? DWORD(SCARD_STATE_UNAWARE)
                return entry
            }
            var pnp = SCARD_READERSTATE()
            pnp.szReader = UnsafePointer(notification)
            // pcsc-lite compares the high word with its reader count and wakes when they differ.
            pnp.dwCurrentState = DWORD(names.count) << 16
            states.append(pnp)
            let status = PCSCStatus(SCardGetStatusChange(context, DWORD(INFINITE), &states, DWORD(states.count)))
            if status.code == PCSCStatus.cancelled { return nil }
            if status.code == PCSCStatus.timeout { continue }
            if status.code == PCSCStatus.unknownReader || status.code == PCSCStatus.readerUnavailable {
                relist = true
                continue
            }
            guard status.isSuccess else { return status }
            if let last = states.last, last.dwEventState & DWORD(SCARD_STATE_CHANGED) != 0 { relist = true }
            for (index, name) in names.enumerated() {
                let entry = states[index]
                guard entry.dwEventState & DWORD(SCARD_STATE_CHANGED) != 0, var known = readers[name] else { continue }
                let now = entry.dwEventState & ~DWORD(SCARD_STATE_CHANGED)
                if now & DWORD(SCARD_STATE_UNKNOWN | SCARD_STATE_IGNORE) != 0 {
                    relist = true
                    continue
                }
                let present = now & DWORD(SCARD_STATE_PRESENT) != 0 && now & DWORD(SCARD_STATE_MUTE) == 0
                let swapped = known.cardPresent && present && (now >> 16) != (known.state >> 16)
                    && known.state != DWORD(SCARD_STATE_UNAWARE)
                if known.cardPresent && (!present || swapped) {
                    emit(.cardRemoved(reader: name))
                    known.cardPresent = false
                }
                if present && !known.cardPresent {
                    let atr = withUnsafeBytes(of: entry.rgbAtr) { Array($0.prefix(Int(min(entry.cbAtr, 33)))) }
                    emit(.cardInserted(reader: name, atr: atr))
                    known.cardPresent = true
                }
                known.state = now
                readers[name] = known
            }
        }
    }

    /// The readers pcscd knows, from `SCardListReaders`' NUL-separated multi-string.
    static func listReaders(_ context: SCARDCONTEXT) -> Result<[String], PCSCStatus> {
        var length: DWORD = 0
        var status = PCSCStatus(SCardListReaders(context, nil, nil, &length))
        if status.code == PCSCStatus.noReadersAvailable { return .success([]) }
        guard status.isSuccess else { return .failure(status) }
        var buffer = [CChar](repeating: 0, count: Int(length))
        status = PCSCStatus(SCardListReaders(context, nil, &buffer, &length))
        if status.code == PCSCStatus.noReadersAvailable { return .success([]) }
        guard status.isSuccess else { return .failure(status) }
        let bytes = buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }
        return .success(bytes.split(separator: 0).map { String(decoding: $0, as: UTF8.self) })
    }
}
