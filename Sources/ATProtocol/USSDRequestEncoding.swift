/// How a USSD request string is written into `AT+CUSD`.
public enum USSDRequestEncoding: String, Sendable, Codable {
    /// Plain characters, for firmwares in `^USSDMODE=0` or standard modems.
    case text
    /// Packed GSM 7-bit as hex, for Huawei firmwares in transparent mode (`^USSDMODE=1`).
    case packedGSM7
}
