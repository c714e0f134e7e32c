import Testing
@testable import hotspotctl

@Suite struct TextTableTests {
    @Test func alignsColumnsToTheWidestCellWithTwoSpaces() {
        let table = TextTable([.init(title: "ID"), .init(title: "STATE"), .init(title: "MB", alignment: .right)],
                              rows: [["d1", "provisioning", "500"], ["d10", "done", "2048"]])
        #expect(table.render() == """
            ID   STATE           MB
            d1   provisioning   500
            d10  done          2048

            """)
    }

    @Test func countsAccentedWideAndEmojiTextByTerminalColumns() {
        let table = TextTable([.init(title: "NAME"), .init(title: "X")],
                              rows: [["Café", "1"], ["Cafe\u{301}", "2"], ["漢字", "3"], ["📶", "4"], ["—…€", "5"]])
        let lines = table.render().split(separator: "\n").map(String.init)
        // Every "X" cell starts at the same terminal column.
        let columns = lines.map { line in TerminalText.displayWidth(line.dropLast(1)) }
        #expect(Set(columns).count == 1)
        #expect(columns.first == 6)  // "NAME" padded to 4, then two spaces
    }

    @Test func measuresDisplayWidthOfCommonCharacters() {
        #expect(TerminalText.displayWidth("abc") == 3)
        #expect(TerminalText.displayWidth("é") == 1)
        #expect(TerminalText.displayWidth("e\u{301}") == 1)
        #expect(TerminalText.displayWidth("€…—°") == 4)
        #expect(TerminalText.displayWidth("漢字") == 4)
        #expect(TerminalText.displayWidth("ｗ") == 2)  // fullwidth Latin
        #expect(TerminalText.displayWidth("📶") == 2)
        #expect(TerminalText.displayWidth("☎️") == 2)  // text symbol with emoji presentation selector
        #expect(TerminalText.displayWidth("\u{200B}") == 0)
        #expect(TerminalText.displayWidth("▀▄█") == 3)
    }

    @Test func replacesControlCharactersInCells() {
        let table = TextTable([.init(title: "MODEL")], rows: [["E5573\u{1B}[31m\r\nX"]])
        #expect(table.render() == "MODEL\nE5573?[31m??X\n")  // CR and LF each become "?"
    }

    @Test func dropsTrailingSpacesAndPadsShortRows() {
        let table = TextTable([.init(title: "A"), .init(title: "B")], rows: [["long value"], ["x", "y"]])
        #expect(table.render() == "A           B\nlong value\nx           y\n")
    }
}
