import Testing

@Test func placeholder_HotspotctlTests() { #expect(Bool(true)) }
