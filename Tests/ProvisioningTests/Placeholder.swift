import Testing

@Test func placeholder_ProvisioningTests() { #expect(Bool(true)) }
