/// Draws a QR code with Unicode half blocks (▀ ▄ █ and space): two module rows per text line, square modules.
///
/// A 4-module quiet zone surrounds the symbol, as scanners need. Terminals differ: on light-on-dark
/// terminals (most) the glyphs must draw the light modules so the symbol reads dark-on-light; on
/// dark-on-light terminals the glyphs draw the dark modules.
struct QRTerminalRenderer: Sendable {
    /// Whether the terminal shows light text on a dark background.
    var lightOnDark: Bool
    /// Light modules around the symbol.
    var quietZone = 4

    /// The drawing, one line per two module rows, each line ending in `\n`.
    func render(_ code: QRCode) -> String {
        let side = code.size + 2 * quietZone
        func inked(_ row: Int, _ column: Int) -> Bool {
            guard row < side else { return false }  // below the last row: plain terminal background
            let r = row - quietZone, c = column - quietZone
            let dark = (0..<code.size).contains(r) && (0..<code.size).contains(c) && code.isDark(row: r, column: c)
            return dark != lightOnDark
        }
        var text = ""
        for row in stride(from: 0, to: side, by: 2) {
            for column in 0..<side {
                switch (inked(row, column), inked(row + 1, column)) {
                case (true, true): text += "█"
                case (true, false): text += "▀"
                case (false, true): text += "▄"
                case (false, false): text += " "
                }
            }
            text += "\n"
        }
        return text
    }
}
