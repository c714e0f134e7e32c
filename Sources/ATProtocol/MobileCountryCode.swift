/// Knowledge about mobile country codes needed to split an IMSI.
public enum MobileCountryCode {
    /// MCCs whose networks all have 3-digit MNCs.
    ///
    /// Sources: AOSP `MccTable.java` (smallest MNC length per MCC: 302, 310–316, 334, 338, 342,
    /// 344, 346, 348, 365, 708, 722, 732) and the ITU-T E.212 allocations as listed on Wikipedia
    /// "Mobile Network Codes in ITU region 3xx/7xx" (356, 358, 360, 366, 376, 330, 352, 354, 750
    /// allocate 3-digit codes such as 356 110, 358 110, 366 110, 376 350, 330 110, 352 030).
    static let threeDigitMCCs: Set<String> = [
        "302", "310", "311", "312", "313", "314", "315", "316", "330", "334", "338", "342", "344",
        "346", "348", "352", "354", "356", "358", "360", "365", "366", "376", "708", "722", "732", "750",
    ]

    /// India's MCC 405 mixes 2- and 3-digit MNCs; these 3-digit ranges come from AOSP
    /// `SIMRecords.MCCMNC_CODES_HAVING_3DIGITS_MNC` (405025–047, 405750–756, 405799–886, 405908–932).
    static let india405ThreeDigitRanges: [ClosedRange<Int>] = [25...47, 750...756, 799...886, 908...932]

    /// True when the MNC after `mcc` has 3 digits; `following` holds the next (up to 3) IMSI digits.
    public static func usesThreeDigitMNC(mcc: String, following: String) -> Bool {
        if threeDigitMCCs.contains(mcc) { return true }
        if mcc == "405", following.utf8.count == 3, let value = Int(following) {
            return india405ThreeDigitRanges.contains { $0.contains(value) }
        }
        return false
    }
}
