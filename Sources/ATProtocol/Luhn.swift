/// The Luhn (mod 10) check used by IMEIs (3GPP TS 23.003) and ICCIDs (ITU-T E.118).
public enum Luhn {
    /// True when `digits` is all decimal digits (at least two) and its last digit is the Luhn check digit.
    public static func isValid(_ digits: some StringProtocol) -> Bool {
        let bytes = Array(digits.utf8)
        guard bytes.count >= 2, let last = bytes.last, last >= 0x30, last <= 0x39,
              let expected = checkDigit(for: String(decoding: bytes.dropLast(), as: UTF8.self))
        else { return false }
        return Int(last - 0x30) == expected
    }

    /// The check digit to append to `payload`, or nil when it is empty or not all decimal digits.
    public static func checkDigit(for payload: some StringProtocol) -> Int? {
        guard !payload.isEmpty else { return nil }
        var sum = 0
        var double = true
        for byte in payload.utf8.reversed() {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            var value = Int(byte - 0x30)
            if double {
                value *= 2
                if value > 9 { value -= 9 }
            }
            sum += value
            double.toggle()
        }
        return (10 - sum % 10) % 10
    }
}
