/// Terminal facts about text: how many columns it takes, and making device-supplied text safe to print.
enum TerminalText {
    /// The number of terminal columns a string occupies (East Asian wide and emoji count 2, marks 0).
    ///
    /// An approximation of `wcswidth(3)` on whole grapheme clusters, good for the names, models and
    /// messages a station shows; exotic scripts may be off by a column.
    static func displayWidth(_ text: some StringProtocol) -> Int {
        text.reduce(0) { $0 + displayWidth(of: $1) }
    }

    /// The number of terminal columns one grapheme cluster occupies.
    static func displayWidth(of character: Character) -> Int {
        let scalars = character.unicodeScalars
        guard let first = scalars.first else { return 0 }
        if scalars.contains(where: { $0.value == 0xFE0F }) || first.properties.isEmojiPresentation { return 2 }
        switch first.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format, .control, .lineSeparator, .paragraphSeparator:
            return 0
        default:
            return isWide(first.value) ? 2 : 1
        }
    }

    /// `text` in lines of at most `width` terminal columns, broken at spaces; a word longer than a line is cut.
    static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0, displayWidth(text) > width else { return [text] }
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
            var word = word
            let candidate = line.isEmpty ? word : line + " " + word
            if displayWidth(candidate) <= width {
                line = candidate
                continue
            }
            if !line.isEmpty { lines.append(line) }
            while displayWidth(word) > width {
                var head = ""
                for character in word {
                    if displayWidth(head) + displayWidth(of: character) > width { break }
                    head.append(character)
                }
                lines.append(head)
                word = String(word.dropFirst(head.count))
            }
            line = word
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    /// `text` cut to at most `width` terminal columns, ending in `…` when it was cut.
    static func truncate(_ text: String, to width: Int) -> String {
        guard width > 0 else { return "" }
        guard displayWidth(text) > width else { return text }
        var shown = ""
        var used = 0
        for character in text {
            let next = displayWidth(of: character)
            if used + next > width - 1 { break }
            shown.append(character)
            used += next
        }
        return shown + "…"
    }

    /// Replaces control characters (ESC, CR, LF, C1…) by `?` so text from a device cannot move the cursor
    /// or recolour the terminal.
    static func sanitize(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            result.append(isControl(scalar) ? "?" : scalar)
        }
        return String(result)
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// East Asian Wide and Fullwidth blocks (UAX #11), the ones a station's text may plausibly contain.
    private static func isWide(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
             0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}
