import ATProtocol
import Foundation

/// A fresh, valid device and SIM identity for test number `serial`: Luhn-valid IMEI and ICCID, an IMSI of SimuNet
/// (MCC-MNC 00101), so every test device is a SIM the ledger and the operator have never seen.
struct SimIdentity: Sendable, Equatable {
    let imei: String
    let iccid: String
    let imsi: String

    /// `prefix` (one or two digits) keeps families of tests apart; `serial` must be below 10^8.
    init(prefix: Int, serial: Int) {
        let body = String(format: "%02d%08d", prefix % 100, serial % 100_000_000)
        imei = SimIdentity.withLuhn("3520" + body)  // 14 digits + check
        iccid = SimIdentity.withLuhn("890010100" + body)  // 19 digits + check
        imsi = "00101" + body  // 15 digits
    }

    /// `digits` followed by its Luhn (mod 10) check digit (`digits` are always decimal here).
    static func withLuhn(_ digits: String) -> String {
        digits + String(Luhn.checkDigit(for: digits) ?? 0)
    }
}
