import ATProtocol
import DeviceCatalog
import Provisioning
import Synchronization

/// The device driver for anything that speaks AT on a serial port: 27.007 plus the dialect the device's maker and
/// model select (ICCID commands, USSD encoding, Wi-Fi store, deadlines), all read from dialect data.
///
/// The dialect is chosen when the device is identified; until then the catch-all applies.
public final class ATDriver: DeviceDriver {
    /// The AT exchange with the device.
    public let channel: any DeviceChannel
    private let dialects: DialectCatalog
    private let dataLockCode: String?
    private let hardwareID: String?
    private let chosen: Mutex<DeviceDialect?>
    /// What the waits of the driver's own (a SIM still starting) read and sleep on.
    private let clock: any Clock<Duration>

    /// Creates a driver over `channel`; `dataLockCode` opens a hotspot's data lock when a Wi-Fi write is refused;
    /// `hardwareID` (the USB serial number) names a device that gives no IMEI; `clock` times the driver's own waits
    /// (the channel keeps the deadlines of each command).
    public init(channel: any DeviceChannel, dialects: DialectCatalog = DialectCatalog(), dataLockCode: String? = nil,
                hardwareID: String? = nil, clock: any Clock<Duration> = ContinuousClock()) {
        self.channel = channel
        self.clock = clock
        self.dialects = dialects
        self.dataLockCode = dataLockCode
        self.hardwareID = hardwareID
        self.chosen = Mutex(nil)
    }

    /// The dialect in use: the one identification chose, or the catch-all before that.
    public var dialect: DeviceDialect {
        chosen.withLock { $0 } ?? dialects.dialect(manufacturer: nil, model: nil)
    }

    // MARK: Identity

    public func identify() async throws(DriverFailure) -> DeviceIdentity {
        // Before the model is known, the dialect for "any device" applies: its set-up (echo off, numeric errors) comes
        // before anything else; a device that refuses it is still usable.
        let generic = dialects.dialect(manufacturer: nil, model: nil)
        for command in generic.setupCommands {
            _ = try await optional(command, timeout: generic.timeout("default"))
        }
        let manufacturer = try await optionalText("AT+CGMI", prefix: "+CGMI", timeout: generic.timeout("identity"))
        let model = try await optionalText("AT+CGMM", prefix: "+CGMM", timeout: generic.timeout("identity"))
        let firmware = try await optionalText("AT+CGMR", prefix: "+CGMR", timeout: generic.timeout("identity"))
        let dialect = dialects.dialect(manufacturer: manufacturer, model: model)
        chosen.withLock { $0 = dialect }
        for command in dialect.setupCommands where !generic.setupCommands.contains(command) {
            _ = try await optional(command, timeout: dialect.timeout("default"))
        }

        var unreadable: [String: String] = [:]
        let imei = try await readIMEI(dialect: dialect, unreadable: &unreadable)
        let iccid = try await readICCID(dialect: dialect)
        if iccid == nil { unreadable["iccid"] = "no ICCID command gave a value of ITU-T E.118's form (is a SIM inserted?)" }
        let pin = try await readPINState(dialect: dialect)
        var imsi: IMSI?
        if pin.state == .ready {
            imsi = try await readIMSI()
            if imsi == nil { unreadable["imsi"] = "the SIM did not give its IMSI" }
        }
        return DeviceIdentity(manufacturer: manufacturer, model: model, firmware: firmware, imei: imei, iccid: iccid,
                              imsi: imsi, pinState: pin.state, pinTriesLeft: pin.triesLeft, family: dialect.name,
                              hasWiFi: dialect.hasWiFi, hardwareID: hardwareID, unreadable: unreadable)
    }

    /// `+CGSN` as firmwares print it (bare, prefixed, quoted, `IMEI,serial`), then `ATI`'s `IMEI:` line. A device that
    /// does not answer at all is a timeout, not a missing IMEI.
    private func readIMEI(dialect: DeviceDialect, unreadable: inout [String: String]) async throws(DriverFailure) -> IMEI? {
        let reply: ATResponse
        do {
            reply = try await channel.execute("AT+CGSN", timeout: dialect.timeout("identity"), redacted: nil)
        } catch {
            throw DriverFailure(code: error.failureCode, message: error.sentence)
        }
        var why = "+CGSN answered \(reply.final.shownText)"
        if reply.isOK {
            do {
                return try ATParse.imei(reply.lines)
            } catch {
                why = "+CGSN gave no IMEI (\(error.logDescription))"
            }
        }
        if let info = try await optional("ATI", timeout: dialect.timeout("identity")), info.isOK,
           let printed = ATParse.ati(info.lines).imei, let imei = IMEI(digits: printed) {
            return imei
        }
        unreadable["imei"] = why
        return nil
    }

    private func readICCID(dialect: DeviceDialect) async throws(DriverFailure) -> ICCID? {
        for form in dialect.iccidCommands {
            // Some SIMs answer the first READ BINARY with an error and the second with data.
            let attempts = form == .crsm ? 2 : 1
            for _ in 0..<attempts {
                guard let reply = try await optional(form.command, timeout: dialect.timeout("iccid")), reply.isOK else { continue }
                // A value outside E.118's form is a misread: the next command is asked instead.
                let parsed = form == .crsm ? try? ATParse.iccidFromCRSM(reply.lines) : try? ATParse.iccid(reply.lines)
                if let parsed { return parsed }
            }
        }
        return nil
    }

    /// `+CPIN?`, waiting out a SIM that is still starting (`+CME ERROR: 14`, `NOT READY`) within the dialect's bound,
    /// then Huawei's `^CPIN?` for the tries left when the dialect is Huawei's.
    private func readPINState(dialect: DeviceDialect) async throws(DriverFailure) -> (state: SIMPinState?, triesLeft: Int?) {
        let deadline = ClockDeadline(after: dialect.simBusyWait, on: clock)
        var state: SIMPinState?
        while true {
            guard let reply = try await optional("AT+CPIN?", timeout: dialect.timeout("default"), expecting: "+CPIN",
                                                 grace: dialect.finalResultGrace) else { break }
            if reply.isOK {
                state = try? ATParse.pinState(reply.lines)
                if case .other(let text)? = state, text.uppercased().contains("NOT READY"), !deadline.hasPassed {
                    try await pause()
                    continue
                }
                break
            }
            if case .cme(let error) = reply.final {
                if error.code == 10 { return (.other("SIM NOT INSERTED"), nil) }
                if error.code == 14, !deadline.hasPassed {   // SIM busy: still starting after power-up
                    try await pause()
                    continue
                }
            }
            break
        }
        var tries: Int?
        if state == .simPIN || state == .simPUK, dialect.name.hasPrefix("huawei"),
           let reply = try await optional("AT^CPIN?", timeout: dialect.timeout("default")), reply.isOK,
           let retries = try? ATParse.pinRetries(reply.lines) {
            tries = state == .simPIN ? retries.pinRemaining : retries.pukRemaining
        }
        return (state, tries)
    }

    private func pause() async throws(DriverFailure) {
        do {
            try await clock.sleep(for: .milliseconds(500))
        } catch {
            throw DriverFailure(code: "channel-closed", message: "identification was stopped")
        }
    }

    public func enterPIN(_ pin: String) async throws(DriverFailure) -> SIMPinState? {
        let dialect = self.dialect
        guard let command = try? ATCommand.enterPIN(pin) else {
            throw DriverFailure(code: "pin-invalid", message: "A SIM PIN is 4 to 8 digits.")
        }
        // Refused or accepted, the SIM's state afterwards is the answer (a refused PIN leaves it asking, one try less).
        guard try await optional(command, timeout: dialect.timeout("default"), redacted: "AT+CPIN=<pin>") != nil else { return nil }
        return try await readPINState(dialect: dialect).state
    }

    public func readIMSI() async throws(DriverFailure) -> IMSI? {
        guard let reply = try await optional("AT+CIMI", timeout: dialect.timeout("identity")), reply.isOK else { return nil }
        return try? ATParse.imsi(reply.lines)
    }

    /// A command whose failure identification survives (a missing answer is a missing field), except that the device
    /// going away ends identification as `device-gone`: an unplug must not read as an unreadable field.
    private func optional(_ command: String, timeout: Duration, redacted: String? = nil, expecting: String? = nil,
                          grace: Duration? = nil) async throws(DriverFailure) -> ATResponse? {
        do {
            return try await channel.execute(command, timeout: timeout, redacted: redacted, expecting: expecting, grace: grace)
        } catch .deviceGone {
            throw .deviceGone("The device went away while it was being read.")
        } catch .closed {
            throw .deviceGone("The device's port was closed while it was being read.")
        } catch {
            return nil
        }
    }

    private func optionalText(_ command: String, prefix: String, timeout: Duration) async throws(DriverFailure) -> String? {
        guard let reply = try await optional(command, timeout: timeout), reply.isOK else { return nil }
        return try? ATParse.identityText(reply.lines, prefix: prefix)
    }

    // MARK: USSD

    public func canSendUSSD(_ request: String) -> Bool {
        (try? ATCommand.ussd(request, encoding: dialect.ussdEncoding)) != nil
    }

    public func ussd(_ request: String, replyTimeout: Duration, redacted: String?,
                     accepting isOwnReply: @escaping @Sendable (USSDReply) -> Bool) async throws(DriverFailure) -> USSDReply {
        try await channel.ussd(request, dialect: dialect, replyTimeout: replyTimeout,
                               redacted: redacted.map { "AT+CUSD=1,<\($0)>,15" }, accepting: isOwnReply)
    }

    // MARK: Wi-Fi

    public var wifiStore: (any WiFiStore)? {
        let dialect = self.dialect
        guard let spec = dialect.wifiStore else { return nil }
        return ATWiFiStore(channel: channel, spec: spec, timeout: dialect.timeout("wifi"),
                           unlockTimeout: dialect.timeout("default"), dataLockCode: dataLockCode)
    }
}
