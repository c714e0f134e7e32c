import Testing

@Test func placeholder_StationTests() { #expect(Bool(true)) }
