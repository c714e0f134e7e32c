import Testing

@Test func placeholder_SerialPortTests() { #expect(Bool(true)) }
