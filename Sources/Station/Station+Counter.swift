#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Provisioning
import Ledger
import StationAPI

/// Names for the desk's USB sockets (configuration `sockets`: USB path → label).
enum SocketLabels {
    /// What a socket is shown as: its label, else its USB path; nil for a port that did not come from USB discovery.
    static func label(usbPath: String?, labels: [String: String]) -> String? {
        guard let usbPath else { return nil }
        return labels[usbPath] ?? usbPath
    }

    /// Problems with the configured labels, by key path: a USB path is `B-P[.P…]` (bus, then ports), a label 1–12
    /// printable characters (it is a column of an 80-column screen).
    static func problems(_ labels: [String: String]) -> [(key: String, reason: String)] {
        var found: [(String, String)] = []
        for (path, label) in labels.sorted(by: { $0.key < $1.key }) {
            if !isUSBPath(path) {
                found.append(("sockets.\(path.prefix(32))", "is not a USB path such as 1-1.2 (bus, then ports)"))
            }
            if label.isEmpty || label.count > 12 || label.contains(where: { $0.isNewline || $0.unicodeScalars.contains { $0.properties.generalCategory == .control } }) {
                found.append(("sockets.\(path.prefix(32))", "a socket label is 1 to 12 printable characters"))
            }
        }
        return found
    }

    /// Whether `text` is a USB device path as udev names it: `1-1`, `2-1.4.3`.
    static func isUSBPath(_ text: String) -> Bool {
        let halves = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard halves.count == 2, !halves[0].isEmpty, halves[0].allSatisfy(\.isASCIIDigit) else { return false }
        let ports = halves[1].split(separator: ".", omittingEmptySubsequences: false)
        return !ports.isEmpty && ports.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCIIDigit) }
    }
}

extension Character {
    /// `0`–`9` only (not other scripts' digits).
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension Station {
    // MARK: - How devices are shown

    /// Records the identity a session's device showed, so its stable id holds from now on (ledger events name it too).
    func bindStableID(_ sessionID: String, identity: DeviceIdentity) {
        identifiers.bind(sessionID: sessionID, imei: identity.imei?.digits, iccid: identity.iccid?.digits)
    }

    /// A session's status as the API shows it: redacted, under its stable id, with its socket and start time.
    ///
    /// Records the identity the device showed first, so that its stable id is known from now on.
    func shownStatus(_ session: DeviceSession, reveal: Bool, identifiers showIdentifiers: Bool) async -> DeviceStatus {
        let raw = await session.snapshot()
        let stable = identifiers.bind(sessionID: session.id, imei: raw.imei, iccid: raw.iccid)
        var status = Self.redact(raw, reveal: reveal, identifiers: showIdentifiers)
        status.id = stable
        status.socket = SocketLabels.label(usbPath: discovered.usbPathOfSession[session.id], labels: config.sockets ?? [:])
        status.attachedAt = identifiers.allocatedAt[session.id]
        return status
    }

    /// The session id a reference stands for, before any other matching: a stable id known for a device whose
    /// session is live, else the reference itself. Binds the identities of devices identified since the last look.
    func resolveStableID(_ reference: String) async -> String {
        for session in sessions where identifiers.shownAs[session.id] == nil {
            let raw = await session.snapshot()
            identifiers.bind(sessionID: session.id, imei: raw.imei, iccid: raw.iccid)
        }
        return identifiers.sessionID(for: reference)
    }

    /// Whether a reference names an identifier by its last digits: digits (or an ICCID's `F` filler), with or without
    /// the `…` the station prints before them, case-insensitive.
    static func identifierDigits(_ reference: String) -> String? {
        var text = Substring(reference)
        while text.hasPrefix("…") { text = text.dropFirst() }
        while text.hasPrefix("...") { text = text.dropFirst(3) }
        let digits = text.uppercased()
        guard (4...32).contains(digits.count), digits.allSatisfy({ $0.isASCIIDigit || $0 == "F" }) else { return nil }
        return digits
    }

    // MARK: - Ledger views for the counter

    /// The newest `limit` ledger events (oldest first), identifiers matched by their last digits.
    public func recentLedgerEvents(iccid: String?, imei: String?, since: Date?, until: Date?, limit: Int,
                                   reveal: Bool) async throws(StationError) -> [LedgerEventInfo] {
        let iccidDigits = try iccid.map { (text) throws(StationError) -> String in try Self.digits(text, name: "iccid") }
        let imeiDigits = try imei.map { (text) throws(StationError) -> String in try Self.digits(text, name: "imei") }
        let rows = try await readLedger { ledger in
            try ledger.recentEvents(iccidSuffix: iccidDigits, imeiSuffix: imeiDigits, since: since, until: until, limit: limit)
        }
        return rows.map { event in
            LedgerEventInfo(seq: event.seq, at: event.at, kind: event.kind, provisioningID: event.provisioningID,
                            imei: Redaction.identifier(event.deviceIMEI, reveal: reveal),
                            iccid: Redaction.identifier(event.iccid, reveal: reveal), voucherID: event.voucherID,
                            actorUID: event.actorUID, detail: Self.redact(detail: event.detail, reveal: reveal),
                            hash: event.hash)
        }
    }

    /// The end-of-day report between `start` and `end`, priced with the configured plans.
    public func dayReport(from start: Date, to end: Date, reveal: Bool) async throws(StationError) -> DayReportInfo {
        let report = try await readLedger { ledger in try ledger.dayReport(from: start, to: end) }
        let prices = Dictionary(config.plans.map { ($0.name, $0.priceCents) }, uniquingKeysWith: { first, _ in first })
        var names = report.plans.map(\.plan)
        for plan in config.plans where !names.contains(plan.name) { names.append(plan.name) }
        let byName = Dictionary(report.plans.map { ($0.plan, $0) }, uniquingKeysWith: { first, _ in first })
        let plans = names.sorted().map { name -> DayReportInfo.PlanLine in
            let figures = byName[name] ?? LedgerDayReport.PlanFigures(plan: name)
            let price = prices[name] ?? nil
            return DayReportInfo.PlanLine(plan: name, sold: figures.sold, totalCents: price.map { $0 * figures.sold },
                                          rejected: figures.rejected, unknown: figures.unknown, manual: figures.manual,
                                          vouchersLeft: figures.left)
        }
        let handOvers = report.handOvers.map { row in
            DayReportInfo.HandOver(provisioningID: row.provisioningID, at: row.at,
                                   iccid: Redaction.identifier(row.iccid, reveal: reveal),
                                   imei: Redaction.identifier(row.imei, reveal: reveal) ?? "…", plan: row.plan,
                                   technicianUID: row.actorUID)
        }
        return DayReportInfo(from: start, to: end, plans: plans, handOvers: handOvers, failedRuns: report.failedRuns)
    }

    /// The provisionings of a device (by its id while attached) or of a SIM or device by its last digits, newest first.
    public func history(_ reference: String, limit: Int, reveal: Bool) async throws(StationError) -> [HistoryEntryInfo] {
        var suffix = Self.identifierDigits(reference)
        if suffix == nil {
            let session = try await find(reference)
            let raw = await session.snapshot()
            suffix = raw.imei ?? raw.iccid
        }
        guard let suffix else {
            throw StationError(.conflict, code: .deviceNotIdentified,
                               message: "\(reference) has not shown an IMEI or ICCID yet: wait until it is identified.")
        }
        let runs = try await readLedger { ledger in try ledger.history(identifierSuffix: suffix, limit: limit) }
        return runs.map { run in
            HistoryEntryInfo(provisioningID: run.id, startedAt: run.startedAt, finishedAt: run.finishedAt,
                             state: run.state.rawValue, plan: run.plan, failureCode: run.failureCode,
                             imei: Redaction.identifier(run.deviceIMEI, reveal: reveal),
                             iccid: Redaction.identifier(run.iccid, reveal: reveal), wifiSSID: run.wifiSSID,
                             actorUID: run.actorUID, orderID: run.orderID)
        }
    }

    /// Vouchers whose state changed at or after `since`, optionally of one state.
    public func vouchers(changedSince since: Date, state: String?, limit: Int, reveal: Bool) async throws(StationError) -> [VoucherInfo] {
        var filter: VoucherState?
        if let state {
            guard let parsed = VoucherState(rawValue: state) else {
                throw StationError(.unprocessable, code: .invalidState,
                                   message: "State must be one of \(VoucherState.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            filter = parsed
        }
        let list = try await readLedger { [filter] ledger in try ledger.vouchers(changedSince: since, state: filter, limit: limit) }
        return list.map { Self.voucherInfo($0, reveal: reveal) }
    }

    /// An identifier's digits from a query (`…` allowed before them), or 400 `invalid-identifier`.
    static func digits(_ text: String, name: String) throws(StationError) -> String {
        guard let digits = identifierDigits(text) else {
            throw StationError(.malformedRequest, code: .invalidIdentifier,
                               message: "\(name) takes the full identifier or its last 4 or more digits.")
        }
        return digits
    }
}

extension Station {
    /// The configured hooks (`CounterObserver` runs them).
    public var hookSettings: HookSettings? { config.hooks }
}
