/// A table of text for people: a header row and aligned columns separated by two spaces.
///
/// Widths are terminal columns (`TerminalText.displayWidth`), so accented, wide and emoji text line up.
/// Cells are sanitized of control characters; trailing spaces are not printed.
struct TextTable: Sendable {
    /// Where a cell sits in its column.
    enum Alignment: Sendable {
        /// Text, padded on the right.
        case left
        /// Numbers, padded on the left.
        case right
    }

    /// One column: its header and alignment.
    struct Column: Sendable {
        /// The header text.
        var title: String
        /// How cells align.
        var alignment: Alignment = .left
        /// The widest a cell may be, in terminal columns; a longer cell is cut and ends in `…`. `nil`: no limit.
        var maxWidth: Int? = nil
    }

    /// The columns, left to right.
    var columns: [Column]
    /// The rows; a short row is padded with empty cells, extra cells are ignored.
    var rows: [[String]] = []

    /// Creates a table with the given column headers (all left-aligned unless changed).
    init(_ columns: [Column], rows: [[String]] = []) {
        self.columns = columns
        self.rows = rows
    }

    /// The table as lines ending in `\n`, header first.
    func render() -> String {
        let cells = ([columns.map(\.title)] + rows).map { row in
            columns.indices.map { index in
                let cell = index < row.count ? TerminalText.sanitize(row[index]) : ""
                return columns[index].maxWidth.map { TerminalText.truncate(cell, to: $0) } ?? cell
            }
        }
        var widths = Array(repeating: 0, count: columns.count)
        for row in cells {
            for (index, cell) in row.enumerated() {
                widths[index] = max(widths[index], TerminalText.displayWidth(cell))
            }
        }
        var text = ""
        for row in cells {
            var line = ""
            for (index, cell) in row.enumerated() {
                let padding = String(repeating: " ", count: widths[index] - TerminalText.displayWidth(cell))
                if index > 0 { line += "  " }
                line += columns[index].alignment == .left ? cell + padding : padding + cell
            }
            while line.last == " " { line.removeLast() }
            text += line + "\n"
        }
        return text
    }
}
