/// `+CSQ` (27.007 §8.5): received signal strength and bit error rate indices.
public struct SignalQuality: Sendable, Equatable {
    /// 0–31 (−113 dBm + 2·rssi), 99 = unknown; some firmwares use 100–199 for other RATs.
    public var rssi: Int
    /// 0–7, 99 = unknown.
    public var ber: Int

    /// Creates a record.
    public init(rssi: Int, ber: Int) {
        self.rssi = rssi
        self.ber = ber
    }

    /// The signal strength in dBm for rssi 0–31, nil when unknown or out of that range.
    public var dBm: Int? { (0...31).contains(rssi) ? -113 + 2 * rssi : nil }
}
