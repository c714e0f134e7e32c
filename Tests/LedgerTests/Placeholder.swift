import Testing

@Test func placeholder_LedgerTests() { #expect(Bool(true)) }
