import ATProtocol

/// Which command set the card speaks.
public enum SIMCardFamily: String, Sendable, Equatable, Codable {
    /// A UICC (ETSI TS 102 221, class `00`), with a USIM application: every SIM sold today.
    case uicc = "UICC"
    /// A GSM-only SIM (3GPP TS 51.011, class `A0`): answers class `00` with `6E00`.
    case gsm = "GSM"
}

/// What the station learned from a SIM in a reader.
public struct SIMCardReading: Sendable, Equatable {
    /// Which command set the card speaks.
    public var family: SIMCardFamily
    /// The card's serial number (always read: EF_ICCID needs no PIN).
    public var iccid: ICCID
    /// The subscriber identity, when it could be read without a PIN.
    public var imsi: IMSI?
    /// Why the IMSI is missing (`pin-required`, `EF_IMSI is erased`, `no USIM application`), nil when read.
    public var imsiUnreadable: String?
    /// The PIN state and tries left.
    public var pin: SIMPINStatus

    /// What `imsiUnreadable` says when the PIN is needed to read the IMSI.
    public static let imsiNeedsPIN = "pin-required"

    /// Creates a reading.
    public init(family: SIMCardFamily, iccid: ICCID, imsi: IMSI?, imsiUnreadable: String?, pin: SIMPINStatus) {
        self.family = family
        self.iccid = iccid
        self.imsi = imsi
        self.imsiUnreadable = imsiUnreadable
        self.pin = pin
    }
}

/// What one PIN attempt did.
public struct SIMPINAttempt: Sendable, Equatable {
    /// Whether the card accepted the PIN.
    public var accepted: Bool
    /// Tries left before the attempt.
    public var triesBefore: Int?
    /// The state and tries left after the attempt.
    public var after: SIMPINStatus

    /// Creates an attempt record.
    public init(accepted: Bool, triesBefore: Int?, after: SIMPINStatus) {
        self.accepted = accepted
        self.triesBefore = triesBefore
        self.after = after
    }
}

/// Reads a SIM's identity over any `APDUTransport`, and makes a PIN attempt when a technician asks for one.
///
/// The order follows the field notes: class `00` first, class `A0` when the card answers `6E00`/`6D00`; EF_ICCID
/// under the MF; EF_IMSI under ADF.USIM (partial AID) or DF.GSM. The PIN state comes from VERIFY with no data
/// on a UICC (answers `63Cx` and spends no try) and from the MF's status bytes on a GSM SIM. The inspector never
/// sends a PIN on its own: only `attemptPIN` does, with the PIN it is given.
public struct SIMCardInspector<Transport: APDUTransport> {
    /// The exchange commands run through.
    public let exchange: APDUExchange<Transport>

    /// Creates an inspector over `transport`.
    public init(transport: Transport) {
        exchange = APDUExchange(transport: transport)
    }

    /// ADF.USIM's registered application provider id and application code (TS 101 220), selected by partial AID.
    public static var usimPartialAID: [UInt8] { [0xA0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02] }

    /// Reads family, ICCID, PIN state and (when no PIN stands in the way) IMSI. Throws when the card is not a
    /// SIM or answers out of line: a reading is complete or it is nothing.
    public func read() throws(SIMCardError) -> SIMCardReading {
        let (family, masterFile) = try selectMasterFile()
        let iccid = try readICCID(family: family)
        var pin = try pinStatus(family: family, masterFile: masterFile)
        let (imsi, imsiUnreadable) = try readIMSI(family: family)
        if imsi != nil, pin.state == .simPIN {
            // The IMSI file opened, so no PIN stands in the way: disabled or already verified this session.
            pin.state = .ready
        } else if imsiUnreadable == SIMCardReading.imsiNeedsPIN, pin.state == .ready || pin.state == nil {
            pin.state = .simPIN
        }
        return SIMCardReading(family: family, iccid: iccid, imsi: imsi, imsiUnreadable: imsiUnreadable, pin: pin)
    }

    /// Makes exactly one PIN attempt with `pin` (4–8 digits), after checking that the PIN is needed and not
    /// blocked: a blocked, disabled or already verified PIN is never presented.
    public func attemptPIN(_ pin: String) throws(SIMCardError) -> SIMPINAttempt {
        let digits = Array(pin.utf8)
        guard (4...8).contains(digits.count), digits.allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw .pinFormat
        }
        let (family, masterFile) = try selectMasterFile()
        let before = try pinStatus(family: family, masterFile: masterFile)
        switch before.state {
        case .simPUK?: throw .pinBlocked
        case .ready?: throw .pinNotRequired
        default: break
        }
        let padded = digits + Array(repeating: 0xFF, count: 8 - digits.count)
        let verify = APDUCommand(cla: family.cla, ins: APDUInstruction.verify, p1: 0, p2: 0x01, data: padded)
        let answer = try exchange.run(verify, during: "VERIFY PIN")
        let status = answer.status
        if status.isSuccess {
            return SIMPINAttempt(accepted: true, triesBefore: before.triesLeft, after: SIMPINStatus(state: .ready, triesLeft: nil))
        }
        if let tries = status.pinTriesLeft {
            return SIMPINAttempt(accepted: false, triesBefore: before.triesLeft,
                                 after: SIMPINStatus(state: tries == 0 ? .simPUK : .simPIN, triesLeft: tries))
        }
        if status.isPINBlocked {
            return SIMPINAttempt(accepted: false, triesBefore: before.triesLeft, after: SIMPINStatus(state: .simPUK, triesLeft: 0))
        }
        if status.isSecurityNotSatisfied, family == .gsm {
            // 9804 on a GSM VERIFY CHV: wrong PIN; the tries left come from the MF's status again.
            let (_, masterFileAfter) = try selectMasterFile()
            let after = try pinStatus(family: .gsm, masterFile: masterFileAfter)
            return SIMPINAttempt(accepted: false, triesBefore: before.triesLeft, after: after)
        }
        throw .unexpectedStatus(status, during: "VERIFY PIN")
    }

    /// Selects the MF with class `00`, then `A0`; the family that answered and the MF's answer data.
    private func selectMasterFile() throws(SIMCardError) -> (SIMCardFamily, [UInt8]) {
        let uicc = try exchange.run(select([0x3F, 0x00], family: .uicc, returningFCP: true), during: "SELECT MF")
        if uicc.status.isSuccess { return (.uicc, uicc.data) }
        let gsm = try exchange.run(select([0x3F, 0x00], family: .gsm, returningFCP: true), during: "SELECT MF (GSM)")
        if gsm.status.isSuccess { return (.gsm, gsm.data) }
        throw .notASIM
    }

    /// Selects EF_ICCID and reads its 10 bytes.
    private func readICCID(family: SIMCardFamily) throws(SIMCardError) -> ICCID {
        let selected = try exchange.run(select([0x2F, 0xE2], family: family, returningFCP: false), during: "SELECT EF_ICCID")
        if selected.status.isNotFound { throw .notASIM }
        guard selected.status.isSuccess else { throw .unexpectedStatus(selected.status, during: "SELECT EF_ICCID") }
        let content = try readBinary(length: 10, family: family, during: "READ EF_ICCID")
        guard content.status.isSuccess else { throw .unexpectedStatus(content.status, during: "READ EF_ICCID") }
        return try SIMFileCodec.iccid(from: content.data)
    }

    /// The PIN state without spending a try.
    private func pinStatus(family: SIMCardFamily, masterFile: [UInt8]) throws(SIMCardError) -> SIMPINStatus {
        switch family {
        case .gsm:
            return SIMFileCodec.gsmPINStatus(fromDirectoryResponse: masterFile) ?? SIMPINStatus(state: nil, triesLeft: nil)
        case .uicc:
            // VERIFY with no data (case 1: P3 absent): TS 102 221 §11.1.9 answers the retry counter, spends nothing.
            let probe = APDUCommand(cla: 0x00, ins: APDUInstruction.verify, p1: 0, p2: 0x01)
            let answer = try exchange.run(probe, during: "PIN status")
            if answer.status.isSuccess { return SIMPINStatus(state: .ready, triesLeft: nil) }
            if let tries = answer.status.pinTriesLeft {
                return SIMPINStatus(state: tries == 0 ? .simPUK : .simPIN, triesLeft: tries)
            }
            if answer.status.isPINBlocked { return SIMPINStatus(state: .simPUK, triesLeft: 0) }
            return SIMPINStatus(state: nil, triesLeft: nil)
        }
    }

    /// Reads EF_IMSI when it can be read without a PIN; otherwise nil and why.
    private func readIMSI(family: SIMCardFamily) throws(SIMCardError) -> (IMSI?, String?) {
        var directory: APDUResponse
        switch family {
        case .uicc:
            let usim = APDUCommand(cla: 0x00, ins: APDUInstruction.select, p1: 0x04, p2: 0x04, data: Self.usimPartialAID)
            directory = try exchange.run(usim, during: "SELECT ADF.USIM")
            if directory.status.isNotFound {
                directory = try exchange.run(select([0x7F, 0x20], family: .uicc, returningFCP: true), during: "SELECT DF.GSM")
            }
        case .gsm:
            directory = try exchange.run(select([0x7F, 0x20], family: .gsm, returningFCP: true), during: "SELECT DF.GSM")
        }
        if directory.status.isNotFound { return (nil, "no USIM application or DF.GSM") }
        guard directory.status.isSuccess else { throw .unexpectedStatus(directory.status, during: "SELECT ADF.USIM/DF.GSM") }
        let file = try exchange.run(select([0x6F, 0x07], family: family, returningFCP: false), during: "SELECT EF_IMSI")
        if file.status.isNotFound { return (nil, "no EF_IMSI") }
        if file.status.isSecurityNotSatisfied { return (nil, SIMCardReading.imsiNeedsPIN) }
        guard file.status.isSuccess else { throw .unexpectedStatus(file.status, during: "SELECT EF_IMSI") }
        let content = try readBinary(length: 9, family: family, during: "READ EF_IMSI")
        if content.status.isSecurityNotSatisfied { return (nil, SIMCardReading.imsiNeedsPIN) }
        guard content.status.isSuccess else { throw .unexpectedStatus(content.status, during: "READ EF_IMSI") }
        guard let imsi = try SIMFileCodec.imsi(from: content.data) else { return (nil, SIMFileCodec.imsiErased) }
        return (imsi, nil)
    }

    /// SELECT by file id: on a UICC `P2=04` returns the FCP (for the MF), `P2=0C` returns nothing; a GSM SIM
    /// always announces its answer with `9Fxx`.
    private func select(_ fileID: [UInt8], family: SIMCardFamily, returningFCP: Bool) -> APDUCommand {
        switch family {
        case .uicc:
            APDUCommand(cla: 0x00, ins: APDUInstruction.select, p1: 0x00, p2: returningFCP ? 0x04 : 0x0C, data: fileID)
        case .gsm:
            APDUCommand(cla: 0xA0, ins: APDUInstruction.select, p1: 0x00, p2: 0x00, data: fileID)
        }
    }

    /// READ BINARY of `length` bytes from offset 0 of the selected EF.
    private func readBinary(length: Int, family: SIMCardFamily, during: String) throws(SIMCardError) -> APDUResponse {
        let command = APDUCommand(cla: family.cla, ins: APDUInstruction.readBinary, p1: 0, p2: 0, expectedLength: length)
        let answer = try exchange.run(command, during: during)
        if answer.status.isSuccess, answer.data.count != length {
            throw length == 10 ? .malformedICCID("\(answer.data.count) bytes read, 10 expected")
                               : .malformedIMSI("\(answer.data.count) bytes read, \(length) expected")
        }
        return answer
    }
}

extension SIMCardFamily {
    /// The class byte of this family's commands.
    public var cla: UInt8 { self == .gsm ? 0xA0 : 0x00 }
}
