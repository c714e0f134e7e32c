import Testing

@Test func placeholder_DeviceDiscoveryTests() { #expect(Bool(true)) }
