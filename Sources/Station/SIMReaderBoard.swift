import ATProtocol
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import PCSCReader
import SIMCard
import StationAPI

/// Reads and unlocks SIMs in named card readers: PC/SC in the daemon, a fake in tests.
public protocol SIMCardAccess: Sendable {
    /// Reads the SIM in `reader`.
    func read(reader: String) async -> Result<SIMCardReading, SIMCardError>
    /// Makes one PIN attempt on the SIM in `reader`.
    func attemptPIN(_ pin: String, reader: String) async -> Result<SIMPINAttempt, SIMCardError>
}

extension PCSCCardAccess: SIMCardAccess {}

/// The card readers the station sees and the SIM in each: the `sim-reader` rows of the devices list.
///
/// Fed by reader and card events (`SIMReaderService`). Each card insertion gets a generation number; a read
/// finishing after its card was pulled or swapped is dropped, so a row never shows one card's ICCID for another.
public actor SIMReaderBoard {
    /// What the board knows of one reader.
    struct Row {
        var id: String
        var reader: String
        var generation = 0
        var cardPresent = false
        var reading: SIMCardReading?
        var failure: SIMCardError?
        var readInFlight = false
        var updatedAt = Date()
    }

    private var rows: [String: Row] = [:]
    private var nextNumber = 1
    /// How cards are read and unlocked.
    public private(set) var access: any SIMCardAccess

    /// Creates a board reading cards through `access` (PC/SC by default).
    public init(access: any SIMCardAccess = PCSCCardAccess()) {
        self.access = access
    }

    /// Replaces the card access (tests).
    public func use(access: any SIMCardAccess) {
        self.access = access
    }

    /// A reader appeared; returns its row id.
    @discardableResult
    func readerAdded(_ reader: String) -> String {
        if let row = rows[reader] { return row.id }
        let id = "r\(nextNumber)"
        nextNumber += 1
        rows[reader] = Row(id: id, reader: reader)
        return id
    }

    /// A reader went away; returns its row id.
    func readerRemoved(_ reader: String) -> String? {
        rows.removeValue(forKey: reader)?.id
    }

    /// A card was inserted; returns the row id and the insertion's generation, which its read must present.
    func cardInserted(_ reader: String) -> (id: String, generation: Int) {
        readerAdded(reader)
        var row = rows[reader] ?? Row(id: "", reader: reader)
        row.generation += 1
        row.cardPresent = true
        row.reading = nil
        row.failure = nil
        row.readInFlight = true
        row.updatedAt = Date()
        rows[reader] = row
        return (row.id, row.generation)
    }

    /// The card left; returns the row id.
    func cardRemoved(_ reader: String) -> String? {
        guard var row = rows[reader] else { return nil }
        row.generation += 1
        row.cardPresent = false
        row.reading = nil
        row.failure = nil
        row.readInFlight = false
        row.updatedAt = Date()
        rows[reader] = row
        return row.id
    }

    /// A read ended. Applied (true) only when the card it read is still the one in the reader.
    func readFinished(_ reader: String, generation: Int, result: Result<SIMCardReading, SIMCardError>) -> Bool {
        guard var row = rows[reader], row.generation == generation, row.cardPresent else { return false }
        row.readInFlight = false
        switch result {
        case .success(let reading):
            row.reading = reading
            row.failure = nil
        case .failure(let error):
            row.reading = nil
            row.failure = error
        }
        row.updatedAt = Date()
        rows[reader] = row
        return true
    }

    /// The current generation of `reader`'s card, when a card is in it.
    func currentGeneration(_ reader: String) -> Int? {
        guard let row = rows[reader], row.cardPresent else { return nil }
        return row.generation
    }

    /// The reader a reference names: a row id (`r1`), a reader name, or the ICCID of the SIM in it (whole or its
    /// unique last digits). Nil when none or more than one match.
    public func resolve(_ reference: String) -> String? {
        if let row = rows.values.first(where: { $0.id == reference || $0.reader == reference }) { return row.reader }
        let matches = rows.values.filter { Redaction.matches(reference, $0.reading?.iccid.digits) }
        return matches.count == 1 ? matches.first?.reader : nil
    }

    /// What was read from the SIM in `reader`, if anything.
    public func reading(in reader: String) -> SIMCardReading? {
        rows[reader]?.reading
    }

    /// The row of `reader`, unredacted.
    public func status(of reader: String) -> DeviceStatus? {
        rows[reader].map(Self.status)
    }

    /// Every reader's row, unredacted, in row order.
    public func statuses() -> [DeviceStatus] {
        rows.values.sorted { ($0.id.count, $0.id) < ($1.id.count, $1.id) }.map(Self.status)
    }

    private static func status(_ row: Row) -> DeviceStatus {
        let state: DeviceState
        let step: String?
        if !row.cardPresent {
            (state, step) = (.connecting, "no-card")
        } else if row.readInFlight {
            (state, step) = (.identifying, "read-sim")
        } else if row.failure != nil {
            (state, step) = (.failed, "read-sim")
        } else {
            (state, step) = (.done, "read-sim")
        }
        var status = DeviceStatus(id: row.id, port: "pcsc:" + row.reader, state: state, step: step, role: .simReader,
                                  model: row.reader, imsi: row.reading?.imsi?.digits, iccid: row.reading?.iccid.digits,
                                  iccidLuhnValid: row.reading?.iccid.luhnValid, simState: row.reading?.pin.state?.code,
                                  failure: row.failure.map { FailureInfo(code: $0.code, message: $0.message) },
                                  updatedAt: row.updatedAt)
        status.simType = row.reading?.family.rawValue
        status.pinTriesLeft = row.reading?.pin.triesLeft
        if let why = row.reading?.imsiUnreadable { status.unreadable = ["imsi": why] }
        return status
    }
}
