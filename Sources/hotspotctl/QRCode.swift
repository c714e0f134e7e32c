/// A QR code symbol (ISO/IEC 18004) holding bytes: byte mode, versions 1–10, any error-correction level.
///
/// Enough for a Wi-Fi payload (up to 213 bytes at level M, 271 at L). Encoding follows the standard's
/// steps: bit stream, Reed–Solomon blocks, interleaving, function patterns, data placement, the mask with
/// the lowest penalty, then format and version information. `modules` is row-major, `true` is dark.
struct QRCode: Sendable, Equatable {
    /// How much of the symbol may be damaged and still read: about 7 %, 15 %, 25 %, 30 %.
    enum ErrorCorrection: Sendable, CaseIterable, Equatable {
        /// Level L.
        case low
        /// Level M.
        case medium
        /// Level Q.
        case quartile
        /// Level H.
        case high

        /// The two bits the format information carries for this level (L 01, M 00, Q 11, H 10).
        var formatBits: Int {
            switch self {
            case .low: 0b01
            case .medium: 0b00
            case .quartile: 0b11
            case .high: 0b10
            }
        }

        fileprivate var tableIndex: Int {
            switch self {
            case .low: 0
            case .medium: 1
            case .quartile: 2
            case .high: 3
            }
        }
    }

    /// Why bytes could not be encoded.
    enum EncodingError: Error, Equatable, Sendable {
        /// More bytes than a version-10 symbol of any allowed level holds.
        case tooLong(bytes: Int, maximum: Int)
    }

    /// How a version/level's codewords split into Reed–Solomon blocks (ISO/IEC 18004 Table 9).
    struct BlockLayout: Sendable, Equatable {
        /// Error-correction codewords in every block.
        var errorCorrectionPerBlock: Int
        /// Blocks holding `shortBlockData` data codewords.
        var shortBlocks: Int
        /// Data codewords in a short block.
        var shortBlockData: Int
        /// Blocks holding one data codeword more (they come after the short ones).
        var longBlocks: Int

        /// All data codewords of the symbol.
        var dataCodewords: Int { shortBlocks * shortBlockData + longBlocks * (shortBlockData + 1) }
        /// All codewords of the symbol.
        var totalCodewords: Int { dataCodewords + (shortBlocks + longBlocks) * errorCorrectionPerBlock }
    }

    /// The versions this encoder makes.
    static let versions = 1...10

    /// 1…10; the symbol is `4·version + 17` modules wide.
    let version: Int
    /// The error-correction level.
    let errorCorrection: ErrorCorrection
    /// The data mask chosen (0…7).
    let mask: Int
    /// Modules row by row, `true` for dark; no quiet zone.
    let modules: [Bool]

    /// Modules per side.
    var size: Int { Self.size(version: version) }

    /// Whether the module at (row, column) is dark.
    func isDark(row: Int, column: Int) -> Bool { modules[row * size + column] }

    // MARK: - Encoding

    /// Encodes bytes in the smallest version of the first level that holds them (M, then L by default).
    ///
    /// `mask` forces a data mask instead of choosing the one with the lowest penalty (for tests).
    static func encode(_ bytes: [UInt8], levels: [ErrorCorrection] = [.medium, .low], mask: Int? = nil)
        throws(EncodingError) -> QRCode {
        for level in levels {
            for version in versions where byteCapacity(version: version, level: level) >= bytes.count {
                return make(bytes, version: version, level: level, mask: mask)
            }
        }
        let maximum = levels.map { byteCapacity(version: versions.upperBound, level: $0) }.max() ?? 0
        throw .tooLong(bytes: bytes.count, maximum: maximum)
    }

    /// Builds the symbol for bytes known to fit `version` at `level`.
    static func make(_ bytes: [UInt8], version: Int, level: ErrorCorrection, mask forcedMask: Int? = nil) -> QRCode {
        let codewords = interleavedCodewords(data: dataCodewords(for: bytes, version: version, level: level),
                                             version: version, level: level)
        var base = Grid(size: size(version: version))
        base.drawFunctionPatterns(version: version)
        base.placeData(codewords)

        var best: (grid: Grid, mask: Int, penalty: Int)?
        for mask in forcedMask.map({ [$0] }) ?? Array(0..<8) {
            var candidate = base
            candidate.applyMask(mask)
            candidate.drawFormat(formatBits(level: level, mask: mask))
            let score = penalty(candidate.modules, size: candidate.size)
            if best.map({ score < $0.penalty }) ?? true {
                best = (candidate, mask, score)
            }
        }
        let chosen = best ?? (base, 0, 0)  // unreachable: at least one mask is always tried
        return QRCode(version: version, errorCorrection: level, mask: chosen.mask, modules: chosen.grid.modules)
    }

    /// How many bytes a symbol holds in byte mode.
    static func byteCapacity(version: Int, level: ErrorCorrection) -> Int {
        (layout(version: version, level: level).dataCodewords * 8 - 4 - characterCountBits(version: version)) / 8
    }

    /// The data codewords: mode 0100, the byte count, the bytes, a terminator, then 0xEC 0x11 padding.
    static func dataCodewords(for bytes: [UInt8], version: Int, level: ErrorCorrection) -> [UInt8] {
        let capacityBits = layout(version: version, level: level).dataCodewords * 8
        var bits = BitBuffer()
        bits.append(0b0100, count: 4)
        bits.append(bytes.count, count: characterCountBits(version: version))
        for byte in bytes { bits.append(Int(byte), count: 8) }
        bits.append(0, count: min(4, capacityBits - bits.count))
        bits.append(0, count: (8 - bits.count % 8) % 8)
        var codewords = bits.bytes
        var pad: UInt8 = 0xEC
        while codewords.count < capacityBits / 8 {
            codewords.append(pad)
            pad = pad == 0xEC ? 0x11 : 0xEC
        }
        return codewords
    }

    /// Splits the data codewords into blocks, adds each block's error correction, and interleaves them:
    /// the first data codeword of every block, then the second…, then the error correction the same way.
    static func interleavedCodewords(data: [UInt8], version: Int, level: ErrorCorrection) -> [UInt8] {
        let layout = layout(version: version, level: level)
        var blocks: [[UInt8]] = []
        var offset = 0
        for index in 0..<(layout.shortBlocks + layout.longBlocks) {
            let length = layout.shortBlockData + (index < layout.shortBlocks ? 0 : 1)
            blocks.append(Array(data[offset..<offset + length]))
            offset += length
        }
        let corrections = blocks.map { ReedSolomon.errorCorrection(for: $0, degree: layout.errorCorrectionPerBlock) }
        var result: [UInt8] = []
        result.reserveCapacity(layout.totalCodewords)
        for column in 0..<(layout.shortBlockData + 1) {
            for block in blocks where column < block.count { result.append(block[column]) }
        }
        for column in 0..<layout.errorCorrectionPerBlock {
            for correction in corrections { result.append(correction[column]) }
        }
        return result
    }

    /// The 15 format bits: level and mask, BCH(15,5) with generator 0x537, XORed with 0x5412.
    static func formatBits(level: ErrorCorrection, mask: Int) -> Int {
        let data = level.formatBits << 3 | mask
        return (data << 10 | bchRemainder(data << 10, generator: 0x537, degree: 10)) ^ 0x5412
    }

    /// The 18 version bits (versions 7 and up): the version, BCH(18,6) with generator 0x1F25.
    static func versionBits(_ version: Int) -> Int {
        version << 12 | bchRemainder(version << 12, generator: 0x1F25, degree: 12)
    }

    /// Centres of the alignment patterns on each axis (ISO/IEC 18004 Annex E), for versions 1–10.
    static func alignmentCenters(version: Int) -> [Int] {
        switch version {
        case 2: [6, 18]
        case 3: [6, 22]
        case 4: [6, 26]
        case 5: [6, 30]
        case 6: [6, 34]
        case 7: [6, 22, 38]
        case 8: [6, 24, 42]
        case 9: [6, 26, 46]
        case 10: [6, 28, 50]
        default: []
        }
    }

    /// The block layout of a version (1–10) and level.
    static func layout(version: Int, level: ErrorCorrection) -> BlockLayout {
        let row = blockTable[version - 1][level.tableIndex]
        return BlockLayout(errorCorrectionPerBlock: row.0, shortBlocks: row.1, shortBlockData: row.2, longBlocks: row.3)
    }

    /// Modules per side of a version.
    static func size(version: Int) -> Int { version * 4 + 17 }

    /// Bits of the byte count in byte mode: 8 up to version 9, 16 from version 10.
    static func characterCountBits(version: Int) -> Int { version <= 9 ? 8 : 16 }

    /// The penalty of a masked symbol (ISO/IEC 18004 §7.8.3): runs, 2×2 blocks, finder look-alikes, dark balance.
    static func penalty(_ modules: [Bool], size: Int) -> Int {
        var total = 0
        for line in 0..<size {
            let row = (0..<size).map { modules[line * size + $0] }
            let column = (0..<size).map { modules[$0 * size + line] }
            total += runPenalty(row) + runPenalty(column) + finderPenalty(row) + finderPenalty(column)
        }
        for row in 0..<(size - 1) {
            for column in 0..<(size - 1) {
                let value = modules[row * size + column]
                if modules[row * size + column + 1] == value, modules[(row + 1) * size + column] == value,
                   modules[(row + 1) * size + column + 1] == value {
                    total += 3
                }
            }
        }
        let dark = modules.reduce(0) { $0 + ($1 ? 1 : 0) }
        total += abs(dark * 20 - modules.count * 10) / modules.count * 10
        return total
    }

    // MARK: - Private

    /// (error correction per block, short blocks, data per short block, long blocks) for L, M, Q, H.
    private static let blockTable: [[(Int, Int, Int, Int)]] = [
        [(7, 1, 19, 0), (10, 1, 16, 0), (13, 1, 13, 0), (17, 1, 9, 0)],
        [(10, 1, 34, 0), (16, 1, 28, 0), (22, 1, 22, 0), (28, 1, 16, 0)],
        [(15, 1, 55, 0), (26, 1, 44, 0), (18, 2, 17, 0), (22, 2, 13, 0)],
        [(20, 1, 80, 0), (18, 2, 32, 0), (26, 2, 24, 0), (16, 4, 9, 0)],
        [(26, 1, 108, 0), (24, 2, 43, 0), (18, 2, 15, 2), (22, 2, 11, 2)],
        [(18, 2, 68, 0), (16, 4, 27, 0), (24, 4, 19, 0), (28, 4, 15, 0)],
        [(20, 2, 78, 0), (18, 4, 31, 0), (18, 2, 14, 4), (26, 4, 13, 1)],
        [(24, 2, 97, 0), (22, 2, 38, 2), (22, 4, 18, 2), (26, 4, 14, 2)],
        [(30, 2, 116, 0), (22, 3, 36, 2), (20, 4, 16, 4), (24, 4, 12, 4)],
        [(18, 2, 68, 2), (26, 4, 43, 1), (24, 6, 19, 2), (28, 6, 15, 2)],
    ]

    /// The remainder of `value` divided by `generator` (a polynomial of `degree`) over GF(2).
    private static func bchRemainder(_ value: Int, generator: Int, degree: Int) -> Int {
        var remainder = value
        var bit = Int.bitWidth - 1 - remainder.leadingZeroBitCount
        while bit >= degree {
            if remainder >> bit & 1 == 1 { remainder ^= generator << (bit - degree) }
            bit -= 1
        }
        return remainder
    }

    /// Penalty N1: 3 for each run of 5 same-coloured modules, plus 1 per module beyond 5.
    private static func runPenalty(_ line: [Bool]) -> Int {
        var total = 0
        var runLength = 0
        var previous: Bool?
        for module in line {
            if module == previous {
                runLength += 1
            } else {
                if runLength >= 5 { total += runLength - 2 }
                runLength = 1
                previous = module
            }
        }
        if runLength >= 5 { total += runLength - 2 }
        return total
    }

    /// Penalty N3: 40 for each 1:1:3:1:1 pattern with four light modules on one side (the quiet zone counts as light).
    private static func finderPenalty(_ line: [Bool]) -> Int {
        let padded = [Bool](repeating: false, count: 4) + line + [Bool](repeating: false, count: 4)
        let before: [Bool] = [false, false, false, false, true, false, true, true, true, false, true]
        let after: [Bool] = [true, false, true, true, true, false, true, false, false, false, false]
        var total = 0
        for start in 0...(padded.count - 11) {
            let window = padded[start..<start + 11]
            if window.elementsEqual(before) { total += 40 }
            if window.elementsEqual(after) { total += 40 }
        }
        return total
    }

    /// Bits appended most significant first, read back as bytes.
    private struct BitBuffer {
        private(set) var bits: [Bool] = []
        var count: Int { bits.count }

        mutating func append(_ value: Int, count: Int) {
            guard count > 0 else { return }
            for shift in stride(from: count - 1, through: 0, by: -1) { bits.append(value >> shift & 1 == 1) }
        }

        var bytes: [UInt8] {
            stride(from: 0, to: bits.count, by: 8).map { start in
                bits[start..<min(start + 8, bits.count)].enumerated().reduce(UInt8(0)) { byte, item in
                    item.element ? byte | UInt8(0x80) >> UInt8(item.offset) : byte
                }
            }
        }
    }

    /// The symbol under construction: modules and which of them belong to function patterns.
    private struct Grid {
        let size: Int
        var modules: [Bool]
        var isFunction: [Bool]

        init(size: Int) {
            self.size = size
            modules = Array(repeating: false, count: size * size)
            isFunction = Array(repeating: false, count: size * size)
        }

        mutating func setFunction(_ row: Int, _ column: Int, _ dark: Bool) {
            modules[row * size + column] = dark
            isFunction[row * size + column] = true
        }

        mutating func drawFunctionPatterns(version: Int) {
            for index in 0..<size {
                setFunction(6, index, index % 2 == 0)
                setFunction(index, 6, index % 2 == 0)
            }
            for (row, column) in [(3, 3), (3, size - 4), (size - 4, 3)] { drawFinder(row, column) }
            let centers = QRCode.alignmentCenters(version: version)
            let last = centers.last ?? 0
            for row in centers {
                for column in centers {
                    let overlapsFinder = (row == 6 && column == 6) || (row == 6 && column == last) || (row == last && column == 6)
                    if !overlapsFinder { drawAlignment(row, column) }
                }
            }
            drawFormat(0)  // reserves the format areas; the real bits come with the mask
            if version >= 7 { drawVersion(QRCode.versionBits(version)) }
        }

        /// A finder pattern centred at (row, column) with its light separator.
        mutating func drawFinder(_ row: Int, _ column: Int) {
            for dr in -4...4 {
                for dc in -4...4 {
                    let r = row + dr, c = column + dc
                    guard (0..<size).contains(r), (0..<size).contains(c) else { continue }
                    let ring = max(abs(dr), abs(dc))
                    setFunction(r, c, ring != 2 && ring != 4)
                }
            }
        }

        mutating func drawAlignment(_ row: Int, _ column: Int) {
            for dr in -2...2 {
                for dc in -2...2 { setFunction(row + dr, column + dc, max(abs(dr), abs(dc)) != 1) }
            }
        }

        /// Both copies of the format information, bit 0 the least significant, and the dark module.
        mutating func drawFormat(_ bits: Int) {
            func bit(_ index: Int) -> Bool { bits >> index & 1 == 1 }
            for index in 0...5 { setFunction(index, 8, bit(index)) }
            setFunction(7, 8, bit(6))
            setFunction(8, 8, bit(7))
            setFunction(8, 7, bit(8))
            for index in 9..<15 { setFunction(8, 14 - index, bit(index)) }
            for index in 0..<8 { setFunction(8, size - 1 - index, bit(index)) }
            for index in 8..<15 { setFunction(size - 15 + index, 8, bit(index)) }
            setFunction(size - 8, 8, true)
        }

        /// Both 6×3 copies of the version information.
        mutating func drawVersion(_ bits: Int) {
            for index in 0..<18 {
                let dark = bits >> index & 1 == 1
                let a = size - 11 + index % 3, b = index / 3
                setFunction(b, a, dark)
                setFunction(a, b, dark)
            }
        }

        /// Codeword bits, most significant first, up and down column pairs from the bottom right, skipping column 6.
        mutating func placeData(_ codewords: [UInt8]) {
            let totalBits = codewords.count * 8
            var bitIndex = 0
            var right = size - 1
            while right >= 1 {
                if right == 6 { right = 5 }
                let upward = (right + 1) & 2 == 0
                for step in 0..<size {
                    let row = upward ? size - 1 - step : step
                    for column in [right, right - 1] where !isFunction[row * size + column] {
                        if bitIndex < totalBits {
                            modules[row * size + column] = codewords[bitIndex >> 3] >> (7 - bitIndex & 7) & 1 == 1
                            bitIndex += 1
                        }
                    }
                }
                right -= 2
            }
        }

        /// Flips the data modules the mask pattern selects.
        mutating func applyMask(_ mask: Int) {
            for row in 0..<size {
                for column in 0..<size where !isFunction[row * size + column] {
                    if QRCode.maskSelects(mask, row: row, column: column) { modules[row * size + column].toggle() }
                }
            }
        }
    }

    /// Whether data mask `mask` flips the module at (row, column) (ISO/IEC 18004 Table 10).
    static func maskSelects(_ mask: Int, row i: Int, column j: Int) -> Bool {
        switch mask {
        case 0: (i + j) % 2 == 0
        case 1: i % 2 == 0
        case 2: j % 3 == 0
        case 3: (i + j) % 3 == 0
        case 4: (i / 2 + j / 3) % 2 == 0
        case 5: (i * j) % 2 + (i * j) % 3 == 0
        case 6: ((i * j) % 2 + (i * j) % 3) % 2 == 0
        default: ((i + j) % 2 + (i * j) % 3) % 2 == 0
        }
    }
}
