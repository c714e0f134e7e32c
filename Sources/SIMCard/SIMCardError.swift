import FailureCodes

/// Why a SIM could not be read or unlocked: a stable kebab-case `code` and a sentence free of the card's
/// identifiers and of any PIN.
///
/// Nothing read before such a failure is registered as fact: a reading is all or nothing.
public enum SIMCardError: Error, Sendable, Equatable {
    /// The card was removed (or reset) during the exchange.
    case cardRemoved
    /// The reader went away (unplugged) during the exchange.
    case readerGone
    /// The reader or its daemon failed in another way; the text names the PC/SC error.
    case transport(String)
    /// The card answered fewer than two bytes.
    case responseTooShort(Int)
    /// The card answered more bytes than a short response may carry, or a chain of answers grew too long.
    case responseTooLong(Int)
    /// The card kept announcing more data (`61xx`/`9Fxx`/`6Cxx`) beyond any sensible chain.
    case endlessChain
    /// A status word that makes no sense at this point of the exchange (a GSM `9Fxx` to a UICC command, a
    /// `61xx` to a GSM command, anything but `9000` where the file system of a SIM answers).
    case unexpectedStatus(StatusWord, during: String)
    /// The card answers neither as a UICC nor as a GSM SIM (a bank or identity card).
    case notASIM
    /// EF_ICCID held bytes that are not an E.118 serial number (bad BCD, wrong prefix or length).
    case malformedICCID(String)
    /// EF_IMSI held bytes that are not an IMSI.
    case malformedIMSI(String)
    /// The PIN given is not 4 to 8 decimal digits; nothing was sent to the card.
    case pinFormat
    /// The PIN is blocked: only the PUK (from the operator) can unblock it. Nothing was sent.
    case pinBlocked
    /// The card needs no PIN (disabled or already verified). Nothing was sent.
    case pinNotRequired

    /// A stable code for APIs and the ledger.
    public var code: FailureCode {
        switch self {
        case .cardRemoved: .cardRemoved
        case .readerGone: .readerGone
        case .transport: .readerFailed
        case .responseTooShort: .cardReplyTooShort
        case .responseTooLong: .cardReplyTooLong
        case .endlessChain: .cardReplyEndless
        case .unexpectedStatus: .cardStatusUnexpected
        case .notASIM: .notASIM
        case .malformedICCID: .iccidMalformed
        case .malformedIMSI: .imsiMalformed
        case .pinFormat: .pinFormat
        case .pinBlocked: .simPUKRequired
        case .pinNotRequired: .pinNotRequired
        }
    }

    /// A sentence for people.
    public var message: String {
        switch self {
        case .cardRemoved: "The card was removed or reset while it was being read."
        case .readerGone: "The reader went away while the card was being read."
        case .transport(let what): "The card reader failed (\(what))."
        case .responseTooShort(let count): "The card answered \(count) byte(s), less than a status word."
        case .responseTooLong(let count): "The card answered \(count) bytes, more than a SIM ever sends; refused."
        case .endlessChain: "The card kept announcing more data; the read was stopped."
        case .unexpectedStatus(let status, let during): "The card answered \(status) to \(during)."
        case .notASIM: "This card is not a SIM (it answers neither as a UICC nor as a GSM SIM)."
        case .malformedICCID(let why): "The card's serial number (EF_ICCID) is not valid: \(why)."
        case .malformedIMSI(let why): "The card's subscriber identity (EF_IMSI) is not valid: \(why)."
        case .pinFormat: "A SIM PIN is 4 to 8 digits; nothing was sent to the card."
        case .pinBlocked: "The SIM PIN is blocked; the operator's PUK is needed. Nothing was sent to the card."
        case .pinNotRequired: "The SIM needs no PIN; nothing was sent to the card."
        }
    }
}
