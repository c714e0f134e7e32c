import Foundation
import Testing
@testable import hotspotctl

@Suite struct QRCodeTests {
    @Test func computesFormatInformationForEveryMaskAtLevelsLAndM() {
        let low = [0b111011111000100, 0b111001011110011, 0b111110110101010, 0b111100010011101,
                   0b110011000101111, 0b110001100011000, 0b110110001000001, 0b110100101110110]
        let medium = [0b101010000010010, 0b101000100100101, 0b101111001111100, 0b101101101001011,
                      0b100010111111001, 0b100000011001110, 0b100111110010111, 0b100101010100000]
        for mask in 0..<8 {
            #expect(QRCode.formatBits(level: .low, mask: mask) == low[mask], "L mask \(mask)")
            #expect(QRCode.formatBits(level: .medium, mask: mask) == medium[mask], "M mask \(mask)")
        }
    }

    @Test func computesVersionInformation() {
        #expect(QRCode.versionBits(7) == 0x07C94)
        #expect(QRCode.versionBits(8) == 0x085BC)
        #expect(QRCode.versionBits(9) == 0x09A99)
        #expect(QRCode.versionBits(10) == 0x0A4D3)
    }

    @Test func buildsTheGeneratorPolynomialOfDegreeSeven() {
        // x⁷ + α⁸⁷x⁶ + α²²⁹x⁵ + α¹⁴⁶x⁴ + α¹⁴⁹x³ + α²³⁸x² + α¹⁰²x + α²¹ (ISO/IEC 18004 Annex A).
        let exponents = ReedSolomon.generator(degree: 7).map { GaloisField256.log[Int($0)] }
        #expect(exponents == [0, 87, 229, 146, 149, 238, 102, 21])
    }

    @Test func computesTheErrorCorrectionOfTheStandardsExample01234567() {
        // ISO/IEC 18004 Annex I: "01234567" as version 1-M, numeric mode.
        let data: [UInt8] = [0x10, 0x20, 0x0C, 0x56, 0x61, 0x80, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11]
        #expect(ReedSolomon.errorCorrection(for: data, degree: 10) == [0xA5, 0x24, 0xD4, 0xC1, 0xED, 0x36, 0xC7, 0x87, 0x2C, 0x55])
    }

    @Test func computesTheErrorCorrectionOfHelloWorld1M() {
        let data: [UInt8] = [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17]
        #expect(ReedSolomon.errorCorrection(for: data, degree: 10) == [196, 35, 39, 119, 235, 215, 231, 226, 93, 23])
    }

    @Test func buildsByteModeDataCodewordsWithTerminatorAndPadding() {
        let codewords = QRCode.dataCodewords(for: Array("abc".utf8), version: 1, level: .medium)
        #expect(codewords == [0x40, 0x36, 0x16, 0x26, 0x30, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC])
        // Version 10 counts bytes on 16 bits.
        let long = QRCode.dataCodewords(for: [UInt8](repeating: 0x41, count: 200), version: 10, level: .medium)
        #expect(Array(long.prefix(4)) == [0x40, 0x0C, 0x84, 0x14])
        #expect(long.count == 216)
    }

    @Test func knowsTheByteCapacitiesOfLevelM() {
        #expect(QRCode.versions.map { QRCode.byteCapacity(version: $0, level: .medium) } == [14, 26, 42, 62, 84, 106, 122, 152, 180, 213])
        #expect(QRCode.byteCapacity(version: 10, level: .low) == 271)
        #expect(QRCode.byteCapacity(version: 1, level: .high) == 7)
    }

    @Test func blockTablesFillEverySymbolExactly() {
        for version in QRCode.versions {
            let size = QRCode.size(version: version)
            let alignments = QRCode.alignmentCenters(version: version).count
            let alignmentModules = alignments == 0 ? 0 : (alignments * alignments - 3) * 25
            let timingModules = 2 * (size - 16) - (alignments > 2 ? (alignments - 2) * 2 * 5 : 0)
            let functionModules = 3 * 64 + 2 * 15 + 1 + timingModules + alignmentModules + (version >= 7 ? 36 : 0)
            let dataModules = size * size - functionModules
            for level in QRCode.ErrorCorrection.allCases {
                #expect(QRCode.layout(version: version, level: level).totalCodewords == dataModules / 8, "version \(version) \(level)")
            }
        }
    }

    @Test func interleavesBlocksOfDifferentLengths() {
        // Version 5-Q: two blocks of 15 then two of 16 data codewords, 18 error-correction codewords each.
        let data = (0..<62).map { UInt8($0) }
        let sequence = QRCode.interleavedCodewords(data: data, version: 5, level: .quartile)
        #expect(sequence.count == 134)
        #expect(Array(sequence.prefix(8)) == [0, 15, 30, 46, 1, 16, 31, 47])
        #expect(Array(sequence[56..<62]) == [14, 29, 44, 60, 45, 61])  // the long blocks' last codewords come alone
        let firstBlockCorrection = ReedSolomon.errorCorrection(for: Array(data[0..<15]), degree: 18)
        #expect(sequence[62] == firstBlockCorrection[0])
        #expect(sequence[66] == firstBlockCorrection[1])
    }

    @Test func picksTheSmallestVersionAtLevelMThenFallsBackToL() throws {
        #expect(try QRCode.encode(Array("WIFI:T:WPA;S:Connexion-0121;P:abc;;".utf8)).version == 3)
        let medium = try QRCode.encode([UInt8](repeating: 0x41, count: 213))
        #expect(medium.version == 10 && medium.errorCorrection == .medium)
        let low = try QRCode.encode([UInt8](repeating: 0x41, count: 214))  // too long for 10-M; 9-L holds 230
        #expect(low.version == 9 && low.errorCorrection == .low)
        #expect(throws: QRCode.EncodingError.tooLong(bytes: 272, maximum: 271)) { try QRCode.encode([UInt8](repeating: 0x41, count: 272)) }
    }

    @Test func drawsFindersTimingAndTheDarkModule() throws {
        let code = try QRCode.encode(Array("hello".utf8))
        let size = code.size
        for (top, left) in [(0, 0), (0, size - 7), (size - 7, 0)] {
            for row in 0..<7 {
                for column in 0..<7 {
                    let ring = max(abs(row - 3), abs(column - 3))
                    #expect(code.isDark(row: top + row, column: left + column) == (ring != 2))
                }
            }
        }
        for index in 8..<(size - 8) {
            #expect(code.isDark(row: 6, column: index) == (index % 2 == 0))
            #expect(code.isDark(row: index, column: 6) == (index % 2 == 0))
        }
        #expect(code.isDark(row: size - 8, column: 8))
    }

    @Test func writesBothCopiesOfTheFormatInformation() throws {
        for level in QRCode.ErrorCorrection.allCases {
            let code = try QRCode.encode(Array("WIFI:T:WPA;S:x;P:12345678;;".utf8), levels: [level])
            let size = code.size
            var first = 0, second = 0
            func bit(_ dark: Bool, _ index: Int) -> Int { dark ? 1 << index : 0 }
            for index in 0...5 { first |= bit(code.isDark(row: index, column: 8), index) }
            first |= bit(code.isDark(row: 7, column: 8), 6) | bit(code.isDark(row: 8, column: 8), 7) | bit(code.isDark(row: 8, column: 7), 8)
            for index in 9..<15 { first |= bit(code.isDark(row: 8, column: 14 - index), index) }
            for index in 0..<8 { second |= bit(code.isDark(row: 8, column: size - 1 - index), index) }
            for index in 8..<15 { second |= bit(code.isDark(row: size - 15 + index, column: 8), index) }
            #expect(first == QRCode.formatBits(level: level, mask: code.mask))
            #expect(second == first)
        }
    }

    @Test func writesBothCopiesOfTheVersionInformationFromVersionSeven() throws {
        let code = try QRCode.encode([UInt8](repeating: 0x5A, count: 130))
        #expect(code.version == 8)
        var upperRight = 0, lowerLeft = 0
        for index in 0..<18 {
            let a = code.size - 11 + index % 3, b = index / 3
            if code.isDark(row: b, column: a) { upperRight |= 1 << index }
            if code.isDark(row: a, column: b) { lowerLeft |= 1 << index }
        }
        #expect(upperRight == QRCode.versionBits(8))
        #expect(lowerLeft == QRCode.versionBits(8))
    }

    @Test func choosesTheMaskWithTheLowestPenalty() throws {
        let payload = Array("WIFI:T:WPA;S:Connexion-0121;P:abc;;".utf8)
        let chosen = try QRCode.encode(payload)
        let penalties = (0..<8).map { mask in
            let forced = QRCode.make(payload, version: chosen.version, level: chosen.errorCorrection, mask: mask)
            return QRCode.penalty(forced.modules, size: forced.size)
        }
        #expect(penalties[chosen.mask] == penalties.min())
        #expect(Set(penalties).count > 1)  // the masks really differ
    }

    @Test func scoresPenaltyRulesOnKnownPatterns() {
        // 5×5 all light: N1 5 rows + 5 columns of 5 → 3 each = 30; N2 16 blocks × 3 = 48;
        // N3 none (no dark); N4 0 % dark → |0−50|/5 = 10 → 100.
        #expect(QRCode.penalty([Bool](repeating: false, count: 25), size: 5) == 30 + 48 + 100)
    }

    @Test func rendersWithHalfBlocksAndAFourModuleQuietZone() throws {
        let code = try QRCode.encode(Array("WIFI:T:WPA;S:Connexion-0121;P:abc;;".utf8))
        for lightOnDark in [true, false] {
            let drawing = QRTerminalRenderer(lightOnDark: lightOnDark).render(code)
            let lines = drawing.split(separator: "\n")
            #expect(lines.count == (code.size + 8 + 1) / 2)
            #expect(lines.allSatisfy { $0.count == code.size + 8 })
            #expect(try HalfBlocks.modules(from: drawing, lightOnDark: lightOnDark, quietZone: 4) == HalfBlocks.grid(of: code))
            // The quiet zone is all light: blocks on a dark terminal, blanks on a light one.
            #expect(lines.first.map { $0.allSatisfy { $0 == (lightOnDark ? "█" : " ") } } == true)
        }
    }
}
