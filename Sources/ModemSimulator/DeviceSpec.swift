/// One `--device PATH[:key=value,...]` argument: a personality file plus per-device overrides.
///
/// Lets one personality file serve many devices. Keys: `label`, `imei`, `iccid`, `imsi`,
/// `pin` (`ready`, `locked:<pin>`, `puk:<puk>`), `echo` (`on`/`off`), `ussd` (`text`/`packedGSM7`/`eightBitHex`/`ucs2Hex`),
/// `cusdDelayMs`, `latencyMs`, and the fault patterns `silentAfter`, `hangupOn`, `hangupAfter`,
/// `failFirst` (each adds one pattern; a pattern cannot contain `,`), `hangupAtCommand`, `hangupAfterCommand`,
/// `silentAfterCommand` (a 1-based received-line number), and `count=N` for N devices
/// with consecutive identities (see `resolveAll`). The path must not contain `:`.
public struct DeviceSpec: Sendable, Equatable {
    /// The personality file.
    public var path: String
    /// Overrides in the order given.
    public var overrides: [(key: String, value: String)]

    /// The keys `--device` accepts.
    public static let keys = [
        "label", "imei", "iccid", "imsi", "pin", "echo", "ussd", "cusdDelayMs", "latencyMs",
        "silentAfter", "hangupOn", "hangupAfter", "failFirst", "count",
        "hangupAtCommand", "hangupAfterCommand", "silentAfterCommand",
    ]

    /// Parses `PATH[:key=value,...]`; unknown keys and malformed pairs are errors.
    public static func parse(_ text: String) throws(SimulatorError) -> DeviceSpec {
        let path: String
        var overrides: [(key: String, value: String)] = []
        if let colon = text.firstIndex(of: ":") {
            path = String(text[..<colon])
            let rest = text[text.index(after: colon)...]
            for pair in rest.split(separator: ",", omittingEmptySubsequences: true) {
                guard let equals = pair.firstIndex(of: "=") else {
                    throw SimulatorError(.invalidDeviceSpec, "\(text): '\(pair)' is not key=value")
                }
                let key = String(pair[..<equals])
                let value = String(pair[pair.index(after: equals)...])
                guard keys.contains(key) else {
                    throw SimulatorError(.invalidDeviceSpec, "\(text): unknown key '\(key)' (known: \(keys.joined(separator: ", ")))")
                }
                overrides.append((key, value))
            }
        } else {
            path = text
        }
        guard !path.isEmpty else { throw SimulatorError(.invalidDeviceSpec, "\(text): empty personality path") }
        return DeviceSpec(path: path, overrides: overrides)
    }

    /// How many devices this spec stands for (`count=N`, default 1).
    public func count() throws(SimulatorError) -> Int {
        guard let text = overrides.last(where: { $0.key == "count" })?.value else { return 1 }
        guard let count = Int(text), (1...1000).contains(count) else {
            throw SimulatorError(.invalidDeviceSpec, "\(path): count=\(text): expected 1 to 1000")
        }
        return count
    }

    /// Resolves all devices of the spec; `firstIndex` (1-based) is the first one's position.
    ///
    /// With `count=N` > 1 the devices are labelled `<label>-1` … `<label>-N` and the k-th (from 0)
    /// gets IMEI, ICCID and IMSI advanced by k, with the IMEI and ICCID check digits recomputed.
    public func resolveAll(firstIndex: Int) throws(SimulatorError) -> [DeviceSetup] {
        let count = try count()
        let base = try resolve(index: firstIndex)
        guard count > 1 else { return [base] }
        var setups: [DeviceSetup] = []
        for offset in 0..<count {
            var setup = base
            setup.label = "\(base.label)-\(offset + 1)"
            var personality = setup.personality
            personality.identity.imei = DeviceSpec.advance(personality.identity.imei, by: offset, luhn: true)
            personality.sim.iccid = DeviceSpec.advance(personality.sim.iccid, by: offset, luhn: true)
            personality.sim.imsi = DeviceSpec.advance(personality.sim.imsi, by: offset, luhn: false)
            setup.personality = personality
            setups.append(setup)
        }
        return setups
    }

    /// Adds `offset` to the serial part of an all-digit identity, keeping its length; with `luhn`
    /// the last digit is a check digit and is recomputed. Non-digit identities are returned as is.
    static func advance(_ digits: String, by offset: Int, luhn: Bool) -> String {
        guard offset > 0, digits.count >= 2, digits.allSatisfy(\.isASCIIDigitCharacter) else { return digits }
        var body = Array(luhn ? digits.dropLast() : Substring(digits)).compactMap(\.wholeNumberValue)
        var carry = offset
        var index = body.count - 1
        while carry > 0, index >= 0 {
            let sum = body[index] + carry
            body[index] = sum % 10
            carry = sum / 10
            index -= 1
        }
        var text = body.map(String.init).joined()
        if luhn { text += String(luhnCheckDigit(body)) }
        return text
    }

    /// The Luhn (mod 10) check digit for `body`.
    static func luhnCheckDigit(_ body: [Int]) -> Int {
        var sum = 0
        for (position, digit) in body.reversed().enumerated() {
            var value = digit
            if position % 2 == 0 {
                value *= 2
                if value > 9 { value -= 9 }
            }
            sum += value
        }
        return (10 - sum % 10) % 10
    }

    /// Loads the personality and applies the overrides; `index` (1-based) makes the default label.
    public func resolve(index: Int) throws(SimulatorError) -> DeviceSetup {
        var personality = try Personality.load(path)
        var label = "\(personality.name)-\(index)"
        for (key, value) in overrides {
            func bad(_ why: String) -> SimulatorError {
                SimulatorError(.invalidDeviceSpec, "\(path): \(key)=\(value): \(why)")
            }
            switch key {
            case "label":
                guard !value.isEmpty, !value.contains("/"), !value.contains("\t") else { throw bad("label must be a file name") }
                label = value
            case "imei": personality.identity.imei = value
            case "iccid": personality.sim.iccid = value
            case "imsi": personality.sim.imsi = value
            case "pin":
                if value == "ready" {
                    personality.sim.pin.state = .ready
                } else if value.hasPrefix("locked:"), value.count > 7 {
                    personality.sim.pin.state = .pinLocked
                    personality.sim.pin.code = String(value.dropFirst(7))
                } else if value.hasPrefix("puk:"), value.count > 4 {
                    personality.sim.pin.state = .pukLocked
                    personality.sim.pin.puk = String(value.dropFirst(4))
                } else {
                    throw bad("expected ready, locked:<pin> or puk:<puk>")
                }
            case "echo":
                guard value == "on" || value == "off" else { throw bad("expected on or off") }
                personality.echo = value == "on"
            case "ussd":
                guard let mode = Personality.USSDMode(rawValue: value) else { throw bad("expected text, packedGSM7, eightBitHex or ucs2Hex") }
                personality.ussd.mode = mode
            case "cusdDelayMs":
                guard let ms = Int(value), ms >= 0 else { throw bad("expected milliseconds") }
                personality.faults.cusdDelayMs = ms
            case "latencyMs":
                guard let ms = Int(value), ms >= 0 else { throw bad("expected milliseconds") }
                personality.latency.defaultMs = ms
            case "silentAfter", "hangupOn", "hangupAfter", "failFirst":
                guard !value.isEmpty else { throw bad("expected a command pattern") }
                switch key {
                case "silentAfter": personality.faults.silentAfter.append(value)
                case "hangupOn": personality.faults.hangupOn.append(value)
                case "hangupAfter": personality.faults.hangupAfter.append(value)
                default: personality.faults.failFirst.append(value)
                }
            case "hangupAtCommand", "hangupAfterCommand", "silentAfterCommand":
                guard let number = Int(value), number >= 1 else { throw bad("expected a line number from 1") }
                switch key {
                case "hangupAtCommand": personality.faults.hangupAtCommand = number
                case "hangupAfterCommand": personality.faults.hangupAfterCommand = number
                default: personality.faults.silentAfterCommand = number
                }
            case "count":
                break  // handled by resolveAll
            default:
                throw bad("unknown key")
            }
        }
        try personality.validate(source: path)
        return DeviceSetup(label: label, personality: personality)
    }

    /// Compares paths and overrides.
    public static func == (lhs: DeviceSpec, rhs: DeviceSpec) -> Bool {
        lhs.path == rhs.path && lhs.overrides.elementsEqual(rhs.overrides) { $0.key == $1.key && $0.value == $1.value }
    }
}

/// A device ready to start: its label and its resolved personality.
public struct DeviceSetup: Sendable, Equatable {
    /// Unique name of the device in this simulator (ports file, link name).
    public var label: String
    /// The personality after overrides.
    public var personality: Personality

    /// Creates a device setup.
    public init(label: String, personality: Personality) {
        self.label = label
        self.personality = personality
    }
}
