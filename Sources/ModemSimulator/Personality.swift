import Foundation

/// A fake device's behaviour, read from a JSON personality file (see docs/simulator.md).
///
/// Every field except `name`, `identity` and `sim` has a default, so a captured device can be
/// described with a short file plus a `rawReplies` table.
public struct Personality: Sendable, Codable, Equatable {
    /// Short name, also the default device label prefix.
    public var name: String
    /// Free text for humans.
    public var description: String?
    /// Maker, model, firmware, IMEI and the ATI lines.
    public var identity: Identity
    /// The SIM card in the device.
    public var sim: SIM
    /// Whether command echo is on after power-up and `ATZ`.
    public var echo: Bool
    /// The `+CMEE` mode after power-up and `ATZ`: 0 plain ERROR, 1 numeric, 2 verbose.
    public var cmee: Int
    /// Periodic unsolicited reports.
    public var unsolicited: Unsolicited
    /// How long the device takes to answer.
    public var latency: Latency
    /// The final result for commands the device does not know, e.g. `ERROR` or `COMMAND NOT SUPPORT`.
    public var unknownCommandReply: String
    /// How USSD requests and replies are encoded and delivered.
    public var ussd: USSD
    /// The Wi-Fi settings store; nil for devices without Wi-Fi (modem sticks).
    public var wifi: WiFi?
    /// Radio and registration figures.
    public var network: Network
    /// Command → exact reply bytes, consulted before any built-in behaviour.
    ///
    /// Keys match the command line case-insensitively (a trailing `*` makes a prefix pattern).
    /// Values are JSON strings; `\xHH` (written `\\xHH` in JSON) stands for one raw byte.
    public var rawReplies: [String: String]
    /// Fault injection knobs.
    public var faults: Faults
    /// Where the recorded replies of this personality come from: a command (or a field such as `identity`,
    /// `ussd`) → the public log, test or manual it was transcribed from. Not used by the engine.
    public var sources: [String: String]

    /// Creates a personality with defaults for everything but the essentials.
    public init(name: String, identity: Identity, sim: SIM) {
        self.name = name
        self.description = nil
        self.identity = identity
        self.sim = sim
        self.echo = true
        self.cmee = 0
        self.unsolicited = Unsolicited()
        self.latency = Latency()
        self.unknownCommandReply = "ERROR"
        self.ussd = USSD()
        self.wifi = nil
        self.network = Network()
        self.rawReplies = [:]
        self.faults = Faults()
        self.sources = [:]
    }

    enum CodingKeys: String, CodingKey {
        case name, description, identity, sim, echo, cmee, unsolicited, latency, unknownCommandReply
        case ussd, wifi, network, rawReplies, faults, sources
    }

    /// Decodes a personality, filling in defaults for absent fields.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        identity = try c.decode(Identity.self, forKey: .identity)
        sim = try c.decode(SIM.self, forKey: .sim)
        echo = try c.decodeIfPresent(Bool.self, forKey: .echo) ?? true
        cmee = try c.decodeIfPresent(Int.self, forKey: .cmee) ?? 0
        unsolicited = try c.decodeIfPresent(Unsolicited.self, forKey: .unsolicited) ?? Unsolicited()
        latency = try c.decodeIfPresent(Latency.self, forKey: .latency) ?? Latency()
        unknownCommandReply = try c.decodeIfPresent(String.self, forKey: .unknownCommandReply) ?? "ERROR"
        ussd = try c.decodeIfPresent(USSD.self, forKey: .ussd) ?? USSD()
        wifi = try c.decodeIfPresent(WiFi.self, forKey: .wifi)
        network = try c.decodeIfPresent(Network.self, forKey: .network) ?? Network()
        rawReplies = try c.decodeIfPresent([String: String].self, forKey: .rawReplies) ?? [:]
        faults = try c.decodeIfPresent(Faults.self, forKey: .faults) ?? Faults()
        sources = try c.decodeIfPresent([String: String].self, forKey: .sources) ?? [:]
    }

    /// Reads and validates a personality file.
    public static func load(_ path: String) throws(SimulatorError) -> Personality {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SimulatorError(.invalidPersonality, errno: ENOENT, "cannot read \(path)")
        }
        let personality: Personality
        do {
            personality = try JSONDecoder().decode(Personality.self, from: data)
        } catch {
            throw SimulatorError(.invalidPersonality, "\(path): \(error)")
        }
        try personality.validate(source: path)
        return personality
    }

    /// Checks the values that JSON types cannot: ranges and required companions.
    public func validate(source: String) throws(SimulatorError) {
        func fail(_ why: String) -> SimulatorError { SimulatorError(.invalidPersonality, "\(source): \(why)") }
        guard (0...2).contains(cmee) else { throw fail("cmee must be 0, 1 or 2") }
        if sim.pin.state == .pinLocked, sim.pin.code == nil { throw fail("sim.pin.code is required when pin-locked") }
        if sim.pin.state == .pukLocked, sim.pin.puk == nil { throw fail("sim.pin.puk is required when puk-locked") }
        for report in unsolicited.reports where report.periodMs <= 0 {
            throw fail("unsolicited report \(report.text) needs periodMs > 0")
        }
        guard latency.defaultMs >= 0, latency.commands.values.allSatisfy({ $0 >= 0 }) else {
            throw fail("latencies must be >= 0")
        }
        for value in rawReplies.values {
            do { _ = try EscapedBytes.decode(value) } catch { throw fail(error.context) }
        }
        if let wifi {
            guard wifi.slots > 0 else { throw fail("wifi.slots must be > 0") }
            for key in Array(wifi.ssids.keys) + Array(wifi.keys.keys) where Int(key) == nil {
                throw fail("wifi slot \(key) is not a number")
            }
        }
        if let replug = faults.replugAfterMs, replug < 0 { throw fail("faults.replugAfterMs must be >= 0") }
        for garbage in faults.garbageOn where garbage.bytes <= 0 {
            throw fail("faults.garbageOn bytes must be > 0")
        }
        for (name, value) in [("hangupAtCommand", faults.hangupAtCommand), ("hangupAfterCommand", faults.hangupAfterCommand),
                              ("silentAfterCommand", faults.silentAfterCommand)] {
            if let value, value < 1 { throw fail("faults.\(name) must be >= 1") }
        }
        for truncation in faults.truncateOn where truncation.bytes < 0 {
            throw fail("faults.truncateOn bytes must be >= 0")
        }
        for replacement in faults.cusdReplace where replacement.extraDelayMs < 0 {
            throw fail("faults.cusdReplace extraDelayMs must be >= 0")
        }
        if faults.simBusyReplies < 0 { throw fail("faults.simBusyReplies must be >= 0") }
        if let dcs = ussd.replyDCS, !(0...255).contains(dcs) { throw fail("ussd.replyDCS must be 0 to 255") }
        for override in faults.finalOn where override.final.isEmpty || override.final.contains("\r") || override.final.contains("\n") {
            throw fail("faults.finalOn final must be one non-empty line")
        }
    }
}

extension Personality {
    /// Maker, model, firmware and IMEI as the device reports them.
    public struct Identity: Sendable, Codable, Equatable {
        /// `AT+CGMI` answer.
        public var manufacturer: String
        /// `AT+CGMM` answer.
        public var model: String
        /// `AT+CGMR` answer.
        public var revision: String
        /// `AT+CGSN` answer, 15 digits.
        public var imei: String
        /// `ATI` lines; `{manufacturer}`, `{model}`, `{revision}`, `{imei}` are substituted.
        public var ati: [String]?
        /// `AT+GCAP` line.
        public var gcap: String
        /// Whether `+CGMI`/`+CGMM`/`+CGMR`/`+CGSN` answers carry their `+CGMx: ` prefix.
        public var prefixedReplies: Bool

        /// Creates an identity with the default GCAP and bare replies.
        public init(manufacturer: String, model: String, revision: String, imei: String) {
            self.manufacturer = manufacturer
            self.model = model
            self.revision = revision
            self.imei = imei
            self.ati = nil
            self.gcap = "+GCAP: +CGSM,+DS,+ES"
            self.prefixedReplies = false
        }

        enum CodingKeys: String, CodingKey { case manufacturer, model, revision, imei, ati, gcap, prefixedReplies }

        /// Decodes with defaults for `ati`, `gcap` and `prefixedReplies`.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            manufacturer = try c.decode(String.self, forKey: .manufacturer)
            model = try c.decode(String.self, forKey: .model)
            revision = try c.decode(String.self, forKey: .revision)
            imei = try c.decode(String.self, forKey: .imei)
            ati = try c.decodeIfPresent([String].self, forKey: .ati)
            gcap = try c.decodeIfPresent(String.self, forKey: .gcap) ?? "+GCAP: +CGSM,+DS,+ES"
            prefixedReplies = try c.decodeIfPresent(Bool.self, forKey: .prefixedReplies) ?? false
        }
    }

    /// The SIM card: identities, PIN state and which ICCID commands the device answers.
    public struct SIM: Sendable, Codable, Equatable {
        /// The card's serial number (19–20 digits, Luhn check digit last).
        public var iccid: String
        /// `AT+CIMI` answer.
        public var imsi: String
        /// PIN lock state and codes.
        public var pin: PIN
        /// The ICCID command forms this device answers; others get the unknown-command reply.
        public var iccidForms: [ICCIDForm]

        /// Creates an unlocked SIM answering `AT^ICCID?` and `AT+CRSM`.
        public init(iccid: String, imsi: String) {
            self.iccid = iccid
            self.imsi = imsi
            self.pin = PIN()
            self.iccidForms = [.huawei, .crsm]
        }

        enum CodingKeys: String, CodingKey { case iccid, imsi, pin, iccidForms }

        /// Decodes with an unlocked PIN and `^ICCID?` + `+CRSM` by default.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            iccid = try c.decode(String.self, forKey: .iccid)
            imsi = try c.decode(String.self, forKey: .imsi)
            pin = try c.decodeIfPresent(PIN.self, forKey: .pin) ?? PIN()
            iccidForms = try c.decodeIfPresent([ICCIDForm].self, forKey: .iccidForms) ?? [.huawei, .crsm]
        }
    }

    /// How the device reports the ICCID.
    public enum ICCIDForm: String, Sendable, Codable, Equatable, CaseIterable {
        /// `AT^ICCID?` → `^ICCID: <digits>` (Huawei).
        case huawei = "^ICCID?"
        /// `AT+CCID` → `+CCID: <digits>`.
        case ccid = "+CCID"
        /// `AT+ICCID` → `+ICCID: <digits>`.
        case iccid = "+ICCID"
        /// `AT+CRSM=176,12258,0,0,10` → `+CRSM: 144,0,"<swapped BCD>"`.
        case crsm = "+CRSM"
        /// `AT+ZGETICCID` → `+ZGETICCID: <digits>` (ZTE).
        case zte = "+ZGETICCID"
        /// `AT!ICCID?` → `!ICCID: <digits>` (Sierra Wireless).
        case sierra = "!ICCID?"
        /// `AT+QCCID` → `+QCCID: <digits>` (Quectel).
        case quectel = "+QCCID"
        /// `AT^SCID` → `^SCID: <digits>` (Siemens/Cinterion).
        case cinterion = "^SCID"
    }

    /// The SIM's PIN lock.
    public struct PIN: Sendable, Codable, Equatable {
        /// Lock state at power-up.
        public var state: PINState
        /// The PIN that unlocks a pin-locked SIM.
        public var code: String?
        /// The PUK that unblocks a puk-locked SIM.
        public var puk: String?
        /// PIN attempts left before the SIM asks for the PUK.
        public var pinTries: Int
        /// PUK attempts left before the SIM is dead.
        public var pukTries: Int

        /// Creates an unlocked PIN with 3 / 10 tries.
        public init(state: PINState = .ready, code: String? = nil, puk: String? = nil) {
            self.state = state
            self.code = code
            self.puk = puk
            self.pinTries = 3
            self.pukTries = 10
        }

        enum CodingKeys: String, CodingKey { case state, code, puk, pinTries, pukTries }

        /// Decodes with 3 PIN tries and 10 PUK tries by default.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            state = try c.decodeIfPresent(PINState.self, forKey: .state) ?? .ready
            code = try c.decodeIfPresent(String.self, forKey: .code)
            puk = try c.decodeIfPresent(String.self, forKey: .puk)
            pinTries = try c.decodeIfPresent(Int.self, forKey: .pinTries) ?? 3
            pukTries = try c.decodeIfPresent(Int.self, forKey: .pukTries) ?? 10
        }
    }

    /// SIM lock state.
    public enum PINState: String, Sendable, Codable, Equatable {
        /// Unlocked.
        case ready
        /// Needs the PIN (`+CPIN: SIM PIN`).
        case pinLocked = "pin-locked"
        /// Needs the PUK (`+CPIN: SIM PUK`).
        case pukLocked = "puk-locked"
    }

    /// Periodic unsolicited result codes.
    public struct Unsolicited: Sendable, Codable, Equatable {
        /// The reports and their periods.
        public var reports: [Report]
        /// Whether reports are on at power-up (`AT^CURC=0` turns them off, `=1` on).
        public var enabled: Bool

        /// Creates an empty, enabled set.
        public init(reports: [Report] = [], enabled: Bool = true) {
            self.reports = reports
            self.enabled = enabled
        }

        enum CodingKeys: String, CodingKey { case reports, enabled }

        /// Decodes with no reports, enabled, by default.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            reports = try c.decodeIfPresent([Report].self, forKey: .reports) ?? []
            enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? true
        }
    }

    /// One periodic report line.
    public struct Report: Sendable, Codable, Equatable {
        /// The line without line ends, e.g. `^RSSI:20`.
        public var text: String
        /// Period in milliseconds; the first one is sent one period after start.
        public var periodMs: Int

        /// Creates a report.
        public init(text: String, periodMs: Int) {
            self.text = text
            self.periodMs = periodMs
        }
    }

    /// Reply latency: a default plus per-command overrides.
    public struct Latency: Sendable, Codable, Equatable {
        /// Milliseconds between receiving a command and sending its reply.
        public var defaultMs: Int
        /// Command pattern (exact, case-insensitive; trailing `*` = prefix) → milliseconds.
        public var commands: [String: Int]

        /// Creates a latency table.
        public init(defaultMs: Int = 0, commands: [String: Int] = [:]) {
            self.defaultMs = defaultMs
            self.commands = commands
        }

        enum CodingKeys: String, CodingKey { case defaultMs, commands }

        /// Decodes with zero latency by default.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            defaultMs = try c.decodeIfPresent(Int.self, forKey: .defaultMs) ?? 0
            commands = try c.decodeIfPresent([String: Int].self, forKey: .commands) ?? [:]
        }

        /// The latency for one command line.
        public func milliseconds(for command: String) -> Int {
            CommandPattern.bestMatch(in: commands, for: command) ?? defaultMs
        }
    }

    /// USSD behaviour of the device.
    public struct USSD: Sendable, Codable, Equatable {
        /// Request/reply encoding at power-up.
        public var mode: USSDMode
        /// Whether `AT^USSDMODE` exists on this device.
        public var modeCommand: Bool
        /// Whether `AT^USSDMODE=0` (text) is accepted.
        public var allowTextMode: Bool
        /// Whether the `+CUSD:` reply comes after or before the `OK`.
        public var delivery: USSDDelivery
        /// How the network's reply text is encoded when it differs from the request's `mode` (a ZTE takes a text
        /// request and answers in UCS2 hex); nil encodes it as `mode` says.
        public var replyEncoding: USSDMode?
        /// The DCS written after the reply text; nil writes 15 (72 for UCS2 replies).
        public var replyDCS: Int?

        /// Creates text-mode USSD delivered after OK.
        public init(mode: USSDMode = .text, modeCommand: Bool = false, allowTextMode: Bool = true, delivery: USSDDelivery = .afterOK) {
            self.mode = mode
            self.modeCommand = modeCommand
            self.allowTextMode = allowTextMode
            self.delivery = delivery
            self.replyEncoding = nil
            self.replyDCS = nil
        }

        enum CodingKeys: String, CodingKey { case mode, modeCommand, allowTextMode, delivery, replyEncoding, replyDCS }

        /// Decodes with text mode, no `^USSDMODE`, delivery after OK by default.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            mode = try c.decodeIfPresent(USSDMode.self, forKey: .mode) ?? .text
            modeCommand = try c.decodeIfPresent(Bool.self, forKey: .modeCommand) ?? (mode == .packedGSM7)
            allowTextMode = try c.decodeIfPresent(Bool.self, forKey: .allowTextMode) ?? true
            delivery = try c.decodeIfPresent(USSDDelivery.self, forKey: .delivery) ?? .afterOK
            replyEncoding = try c.decodeIfPresent(USSDMode.self, forKey: .replyEncoding)
            replyDCS = try c.decodeIfPresent(Int.self, forKey: .replyDCS)
        }
    }

    /// USSD payload encoding.
    public enum USSDMode: String, Sendable, Codable, Equatable {
        /// Plain characters in the request and the reply.
        case text
        /// Huawei `^USSDMODE=1`: GSM 7-bit packed hex both ways, dcs 15.
        case packedGSM7
        /// The hex of 8-bit characters both ways (`*100#` is `2A31303023`): Huawei's older firmwares, and modems
        /// whose TE character set is `"HEX"` (27.007 §7.15 writes each character as two hex digits).
        case eightBitHex
        /// UCS2 hex (big-endian code units); as a request encoding it takes UCS2 hex too.
        case ucs2Hex
    }

    /// When the `+CUSD:` reply is sent relative to the command's final result.
    public enum USSDDelivery: String, Sendable, Codable, Equatable {
        /// `OK` first, the `+CUSD:` later (most devices).
        case afterOK
        /// The `+CUSD:` first, then `OK`.
        case beforeOK
    }

    /// The Wi-Fi settings store of a hotspot.
    public struct WiFi: Sendable, Codable, Equatable {
        /// Slot (as a decimal string) → SSID at power-up.
        public var ssids: [String: String]
        /// Slot (as a decimal string) → WPA key at power-up.
        public var keys: [String: String]
        /// The code `AT^DATALOCK` needs; nil means the store is never locked.
        public var dataLockCode: String?
        /// Number of slots (indices 0..<slots).
        public var slots: Int

        /// Creates a store with one slot and no lock.
        public init(ssids: [String: String] = [:], keys: [String: String] = [:], dataLockCode: String? = nil, slots: Int = 1) {
            self.ssids = ssids
            self.keys = keys
            self.dataLockCode = dataLockCode
            self.slots = slots
        }

        enum CodingKeys: String, CodingKey { case ssids, keys, dataLockCode, slots }

        /// Decodes with one slot, empty, unlocked, by default.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            ssids = try c.decodeIfPresent([String: String].self, forKey: .ssids) ?? [:]
            keys = try c.decodeIfPresent([String: String].self, forKey: .keys) ?? [:]
            dataLockCode = try c.decodeIfPresent(String.self, forKey: .dataLockCode)
            slots = try c.decodeIfPresent(Int.self, forKey: .slots) ?? 1
        }
    }

    /// Radio and registration figures.
    public struct Network: Sendable, Codable, Equatable {
        /// `+CSQ` rssi, 0–31 or 99.
        public var rssi: Int
        /// `+CSQ` ber, 0–7 or 99.
        public var ber: Int
        /// `+CREG` stat when the SIM is ready: 1 home, 5 roaming, 2 searching.
        public var registration: Int
        /// `+COPS?` access technology (0 GSM, 2 UTRAN, 7 E-UTRAN).
        public var accessTechnology: Int
        /// Whether Huawei `AT^SYSINFO` / `AT^SYSINFOEX` are answered (from the figures above).
        public var huaweiSystemInfo: Bool

        /// Creates good 3G coverage at home.
        public init(rssi: Int = 20, ber: Int = 99, registration: Int = 1, accessTechnology: Int = 2) {
            self.rssi = rssi
            self.ber = ber
            self.registration = registration
            self.accessTechnology = accessTechnology
            self.huaweiSystemInfo = false
        }

        enum CodingKeys: String, CodingKey { case rssi, ber, registration, accessTechnology, huaweiSystemInfo }

        /// Decodes with rssi 20, ber 99, registered at home on UTRAN, no `^SYSINFO`, by default.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            rssi = try c.decodeIfPresent(Int.self, forKey: .rssi) ?? 20
            ber = try c.decodeIfPresent(Int.self, forKey: .ber) ?? 99
            registration = try c.decodeIfPresent(Int.self, forKey: .registration) ?? 1
            accessTechnology = try c.decodeIfPresent(Int.self, forKey: .accessTechnology) ?? 2
            huaweiSystemInfo = try c.decodeIfPresent(Bool.self, forKey: .huaweiSystemInfo) ?? false
        }
    }

    /// Fault injection: each list holds command patterns (exact, case-insensitive; trailing `*` = prefix).
    public struct Faults: Sendable, Codable, Equatable {
        /// From a matching command on, the device sends nothing more (the command still takes effect).
        public var silentAfter: [String]
        /// On a matching command the device closes its pty before acting on it (unplugged).
        public var hangupOn: [String]
        /// The command takes effect (e.g. the network gets the USSD), then the device closes its pty.
        public var hangupAfter: [String]
        /// A matching command gets `bytes` bytes of garbage with no line end, and no final result.
        public var garbageOn: [Garbage]
        /// The first time a matching command arrives it gets `ERROR`; later ones are answered.
        public var failFirst: [String]
        /// Extra delay added to every `+CUSD:` reply, in milliseconds.
        public var cusdDelayMs: Int
        /// Whether the first periodic report is also slipped between every reply's information
        /// lines and its final result (while reports are on), as real Huawei firmwares do.
        public var unsolicitedInsideReplies: Bool
        /// After a hangup (`hangupOn`/`hangupAfter`), the device comes back this many milliseconds
        /// later on a new pty, in its power-up state; nil means it stays unplugged.
        public var replugAfterMs: Int?
        /// The Nth received line (1-based, every non-blank line counts) closes the pty before it is acted on.
        ///
        /// Counting lines instead of matching text lets a sweep hang up at every step of a run, even where the
        /// same command text comes twice (the balance query before and after a recharge).
        public var hangupAtCommand: Int?
        /// The Nth received line takes effect, then the device closes its pty after its latency, with no reply.
        public var hangupAfterCommand: Int?
        /// The Nth received line takes effect, then the device sends nothing more, ever.
        public var silentAfterCommand: Int?
        /// A matching command gets only the first `bytes` bytes of its reply (after the echo), then the device
        /// goes silent for good: a partial line, then silence.
        public var truncateOn: [Truncation]
        /// A matching command is not acted on and gets `final` as its final result (e.g. `+CME ERROR: 30`).
        public var finalOn: [FinalOverride]
        /// A matching USSD command reaches the network (a voucher is spent) but the device delivers `line`
        /// instead of the network's `+CUSD:` (e.g. `+CUSD: 4`, invalid UCS2, NUL bytes), at the usual time.
        public var cusdReplace: [CUSDReplacement]
        /// A matching command is answered with its information lines and no final result at all, as old Wavecom
        /// firmwares answer `AT+CPIN?` (`+CPIN: READY` and no `OK`).
        public var noFinalResultOn: [String]
        /// After power-up the SIM is still starting: this many SIM commands (`+CPIN?`, `+CIMI`, the ICCID commands,
        /// `+CUSD`) answer `+CME ERROR: 14` (SIM busy) before the SIM answers.
        public var simBusyReplies: Int

        /// Creates a fault-free set.
        public init() {
            silentAfter = []
            hangupOn = []
            hangupAfter = []
            garbageOn = []
            failFirst = []
            cusdDelayMs = 0
            unsolicitedInsideReplies = false
            replugAfterMs = nil
            hangupAtCommand = nil
            hangupAfterCommand = nil
            silentAfterCommand = nil
            truncateOn = []
            finalOn = []
            cusdReplace = []
            noFinalResultOn = []
            simBusyReplies = 0
        }

        enum CodingKeys: String, CodingKey {
            case silentAfter, hangupOn, hangupAfter, garbageOn, failFirst, cusdDelayMs, unsolicitedInsideReplies, replugAfterMs
            case hangupAtCommand, hangupAfterCommand, silentAfterCommand, truncateOn, finalOn, cusdReplace, noFinalResultOn
            case simBusyReplies
        }

        /// Decodes; every pattern list also accepts a single string.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            func patterns(_ key: CodingKeys) throws -> [String] {
                if let one = try? c.decodeIfPresent(String.self, forKey: key) { return [one] }
                return try c.decodeIfPresent([String].self, forKey: key) ?? []
            }
            silentAfter = try patterns(.silentAfter)
            hangupOn = try patterns(.hangupOn)
            hangupAfter = try patterns(.hangupAfter)
            failFirst = try patterns(.failFirst)
            if let one = try? c.decodeIfPresent(Garbage.self, forKey: .garbageOn) {
                garbageOn = [one]
            } else {
                garbageOn = try c.decodeIfPresent([Garbage].self, forKey: .garbageOn) ?? []
            }
            cusdDelayMs = try c.decodeIfPresent(Int.self, forKey: .cusdDelayMs) ?? 0
            unsolicitedInsideReplies = try c.decodeIfPresent(Bool.self, forKey: .unsolicitedInsideReplies) ?? false
            replugAfterMs = try c.decodeIfPresent(Int.self, forKey: .replugAfterMs)
            hangupAtCommand = try c.decodeIfPresent(Int.self, forKey: .hangupAtCommand)
            hangupAfterCommand = try c.decodeIfPresent(Int.self, forKey: .hangupAfterCommand)
            silentAfterCommand = try c.decodeIfPresent(Int.self, forKey: .silentAfterCommand)
            truncateOn = try c.decodeIfPresent([Truncation].self, forKey: .truncateOn) ?? []
            finalOn = try c.decodeIfPresent([FinalOverride].self, forKey: .finalOn) ?? []
            cusdReplace = try c.decodeIfPresent([CUSDReplacement].self, forKey: .cusdReplace) ?? []
            noFinalResultOn = try patterns(.noFinalResultOn)
            simBusyReplies = try c.decodeIfPresent(Int.self, forKey: .simBusyReplies) ?? 0
        }
    }

    /// A partial reply fault: which command, how many reply bytes are sent before the device goes silent.
    public struct Truncation: Sendable, Codable, Equatable {
        /// Command pattern.
        public var command: String
        /// Bytes of the reply sent (after the echo) before silence.
        public var bytes: Int

        /// Creates a truncation fault.
        public init(command: String, bytes: Int) {
            self.command = command
            self.bytes = bytes
        }
    }

    /// A final-result fault: which command, and the final result line it gets instead of being acted on.
    public struct FinalOverride: Sendable, Codable, Equatable {
        /// Command pattern.
        public var command: String
        /// The final result line, e.g. `+CME ERROR: 30` or `ERROR`.
        public var final: String

        /// Creates a final-result fault.
        public init(command: String, final: String) {
            self.command = command
            self.final = final
        }
    }

    /// A USSD reply fault: the network handles the request, the device delivers `line` instead of its reply
    /// and/or delivers it `extraDelayMs` later (a `+CUSD` arriving after the client's deadline).
    public struct CUSDReplacement: Sendable, Codable, Equatable {
        /// Command pattern (e.g. `AT+CUSD=1,"*123**` for recharges on a text-mode device).
        public var command: String
        /// The line delivered instead of the network's `+CUSD:` (sent framed by CR LF, as a report); nil keeps it.
        public var line: String?
        /// Milliseconds added to this command's `+CUSD:` delivery (on top of `cusdDelayMs`).
        public var extraDelayMs: Int

        /// Creates a USSD reply fault.
        public init(command: String, line: String? = nil, extraDelayMs: Int = 0) {
            self.command = command
            self.line = line
            self.extraDelayMs = extraDelayMs
        }

        enum CodingKeys: String, CodingKey { case command, line, extraDelayMs }

        /// Decodes; `line` and `extraDelayMs` are optional.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            command = try c.decode(String.self, forKey: .command)
            line = try c.decodeIfPresent(String.self, forKey: .line)
            extraDelayMs = try c.decodeIfPresent(Int.self, forKey: .extraDelayMs) ?? 0
        }
    }

    /// A garbage fault: which command, how many bytes.
    public struct Garbage: Sendable, Codable, Equatable {
        /// Command pattern.
        public var command: String
        /// Number of garbage bytes (none of them CR or LF).
        public var bytes: Int

        /// Creates a garbage fault.
        public init(command: String, bytes: Int) {
            self.command = command
            self.bytes = bytes
        }
    }
}
