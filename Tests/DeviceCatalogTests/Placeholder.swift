import Testing

@Test func placeholder_DeviceCatalogTests() { #expect(Bool(true)) }
