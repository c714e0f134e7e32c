import Testing

@Test func placeholder_ATProtocolTests() { #expect(Bool(true)) }
