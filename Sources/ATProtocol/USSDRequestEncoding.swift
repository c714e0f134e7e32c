/// How a USSD request string is written into `AT+CUSD`.
public enum USSDRequestEncoding: String, Sendable, Codable {
    /// Plain characters, for firmwares in `^USSDMODE=0` or standard modems.
    case text
    /// Packed GSM 7-bit as hex, for Huawei firmwares in transparent mode (`^USSDMODE=1`).
    case packedGSM7
    /// The hex of the request's 8-bit characters (`*888*5#` → `2A3838382A3523`), for Huawei's older firmwares that
    /// speak 8-bit hex both ways (gammu issue 513 records such a device).
    case eightBitHex
}
