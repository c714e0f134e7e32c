import StationAPI

/// Where `ledger verify|anchor|export` read the ledger: the daemon's API, or a ledger file opened read-only.
///
/// Both answer in the API's own shapes, so the commands print the same text, JSON and exit status either way.
protocol LedgerIntegritySource: Sendable {
    /// Walks the hash chain, checking it against `anchor` when given.
    func verifyLedger(anchor: LedgerAnchorInfo?) async throws(HotspotctlError) -> LedgerVerifyInfo
    /// The head of the chain.
    func ledgerAnchor() async throws(HotspotctlError) -> LedgerAnchorInfo
    /// Every event as `csv` or `jsonl` lines, without their line ends (the CSV header is the first line).
    func exportLedger(format: String) async throws(HotspotctlError) -> AsyncThrowingStream<[UInt8], any Error>
}

extension StationClient: LedgerIntegritySource {}
