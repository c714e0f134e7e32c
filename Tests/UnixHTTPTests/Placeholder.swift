import Testing

@Test func placeholder_UnixHTTPTests() { #expect(Bool(true)) }
