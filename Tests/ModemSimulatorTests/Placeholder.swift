import Testing

@Test func placeholder_ModemSimulatorTests() { #expect(Bool(true)) }
