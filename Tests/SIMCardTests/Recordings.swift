/// Exchanges with a UICC and a GSM-only SIM, command by command.
///
/// Source: the command sequences and status words of ETSI TS 102 221 (§10, §11.1.1 SELECT, §11.1.9 VERIFY with
/// empty data, §13.2 EF_ICCID), 3GPP TS 51.011 (§9.2.1 GSM SELECT response, §9.4 status words 9Fxx/9804/67xx),
/// 3GPP TS 31.102 §4.2.2 (EF_IMSI coding), and the field notes in DOMAIN-HILINK-PCSC.md ("PC/SC SIM cards"),
/// which were checked against pcscd with a virtual card. The FCP bytes are shaped as TS 102 221 §11.1.1.3 lays
/// them out; the inspector does not parse them. Identifiers are made up: ICCID 8944101234567890128 (Luhn valid),
/// 8931440400001234567 (check digit wrong on purpose), IMSI 234150123456789 and 20404123456789.
enum Recordings {
    static let uiccMF = [
        x("00A4000402 3F00", "611E"),
        x("00C000001E", "621C8202782183023F00A5038001718A01058B032F0601C606900100830101 9000"),
    ]
    static let uiccICCID = [
        x("00A4000C02 2FE2", "9000"),
        x("00B000000A", "984401214365870921F8 9000"),
    ]
    static let uiccUSIM = [
        x("00A4040407 A0000000871002", "6120"),
        x("00C0000020", "621E8202782183027FFF8410A0000000871002FF49FF0589000000008A01 9000"),
        x("00A4000C02 6F07", "9000"),
    ]
    static let uiccIMSIRead = [x("00B0000009", "082943511032547698 9000")]

    /// The GSM MF answer (22 bytes, TS 51.011 §9.2.1) with CHV1 enabled (file characteristics `31`) and three
    /// tries left (CHV1 status `83`).
    static let gsmMFResponsePINEnabled = "00001F403F00010000000000 09 31 02 0B 04 00 83 8A 83 8A"
    static let gsmMF = [
        x("00A4000402 3F00", "6E00"),
        x("A0A4000002 3F00", "9F16"),
        x("A0C0000016", gsmMFResponsePINEnabled + " 9000"),
    ]
    static let gsmICCID = [
        x("A0A4000002 2FE2", "9F0F"),
        x("A0C000000F", "0000000A2FE204000400FF0101 0002 9000"),
        x("A0B000000A", "981344400000214365F7 9000"),
    ]
    static let gsmIMSISelect = [
        x("A0A4000002 7F20", "9F16"),
        x("A0C0000016", "00001F407F20020000000000 09 31 02 0B 04 00 83 8A 83 8A 9000"),
        x("A0A4000002 6F07", "9F0F"),
        x("A0C000000F", "000000096F0704001401FF0101 0002 9000"),
    ]
}
