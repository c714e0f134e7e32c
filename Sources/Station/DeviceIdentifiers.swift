#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The station's device ids (`d1`, `d2`…), kept across daemon restarts so that an id a technician read on the screen
/// before a restart never names another device after it.
///
/// A session gets a number never handed out before (the counter is persisted). Once the device is identified, the
/// identity it showed (its IMEI, or its SIM's ICCID when it has no IMEI) is looked up: a device seen before is shown
/// under the id it had then (its *stable* id), a new one keeps its session's id as its stable id. References to a
/// stable id find the session that device has now.
///
/// Persisted as JSON (`device-ids.json` in the state directory, written to a temporary file and renamed). The file
/// holds identifiers as the ledger beside it does; it is private to the daemon's account (mode 0600).
struct DeviceIdentifiers: Sendable {
    /// What is persisted.
    struct Stored: Codable, Sendable, Equatable {
        /// The next number to hand out.
        var next: Int
        /// `imei:<digits>` or `iccid:<digits>` → stable id.
        var ids: [String: String]
    }

    /// Where the ids are kept; nil keeps them in memory only (tests).
    let file: String?
    private(set) var stored: Stored
    /// Session id → the stable id it is shown under (in memory: sessions do not outlive the daemon).
    private(set) var shownAs: [String: String] = [:]
    /// Stable id → the session the device has now.
    private(set) var sessionOf: [String: String] = [:]
    /// Session id → when it was handed out (the session's start).
    private(set) var allocatedAt: [String: Date] = [:]

    /// Loads the ids from `file`; a missing file starts at `d1`, an unreadable one starts past any id it might have
    /// handed out (see `problem`).
    init(file: String?) {
        self.file = file
        stored = Stored(next: 1, ids: [:])
        guard let file, let data = FileManager.default.contents(atPath: file) else { return }
        if let decoded = try? JSONDecoder().decode(Stored.self, from: data), decoded.next >= 1 {
            stored = decoded
        } else {
            // A damaged file must not bring `d1` back: start far past anything it can have counted.
            stored = Stored(next: 1_000, ids: [:])
            problem = "\(file) could not be read; device ids continue from d1000"
        }
    }

    /// A problem found while loading or saving, for the log; nil when all went well.
    private(set) var problem: String?

    /// The key an identity is remembered under: the IMEI, else the ICCID; nil when neither is known.
    static func identityKey(imei: String?, iccid: String?) -> String? {
        if let imei, !imei.isEmpty { return "imei:" + imei }
        if let iccid, !iccid.isEmpty { return "iccid:" + iccid.uppercased() }
        return nil
    }

    /// A new session id, never handed out before by this station.
    mutating func allocate() -> String {
        let id = "d\(stored.next)"
        stored.next += 1
        allocatedAt[id] = Date()
        save()
        return id
    }

    /// Records the identity a session's device showed; returns the stable id it is shown under from now on.
    @discardableResult
    mutating func bind(sessionID: String, imei: String?, iccid: String?) -> String {
        guard let key = Self.identityKey(imei: imei, iccid: iccid) else { return shown(sessionID) }
        let stable: String
        if let known = stored.ids[key] {
            stable = known
        } else {
            stable = shownAs[sessionID] ?? sessionID
            stored.ids[key] = stable
            save()
        }
        shownAs[sessionID] = stable
        sessionOf[stable] = sessionID
        return stable
    }

    /// The id a session is shown under: its stable id once identified, its own id before.
    func shown(_ sessionID: String) -> String { shownAs[sessionID] ?? sessionID }

    /// The session id a reference stands for when it is a stable id (case-insensitive: `D3` is `d3`); else the
    /// reference unchanged.
    func sessionID(for reference: String) -> String {
        let lowered = reference.lowercased()
        if let session = sessionOf[lowered] { return session }
        return Self.isDeviceID(lowered) ? lowered : reference
    }

    /// Whether `text` has the form of a device id: `d` and a number.
    static func isDeviceID(_ text: String) -> Bool {
        text.count >= 2 && text.hasPrefix("d") && text.dropFirst().allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// Writes the stored ids atomically; a failure is kept in `problem` (ids still work in memory).
    private mutating func save() {
        guard let file else { return }
        do {
            let data = try JSONEncoder().encode(stored)
            let temporary = file + ".tmp"
            let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            let written = data.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            let synced = fsync(descriptor)
            close(descriptor)
            guard written == data.count, synced == 0, rename(temporary, file) == 0 else {
                unlink(temporary)
                throw POSIXError(.EIO)
            }
            problem = nil
        } catch {
            problem = "device ids could not be saved to \(file): \(error)"
        }
    }
}
