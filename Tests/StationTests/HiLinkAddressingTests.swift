@testable import Station
import Testing

/// Finding a HiLink unit's web API from the station's side of its interface.
@Suite struct HiLinkAddressingTests {
    @Test func theLeasesRouterIsTheUnit() {
        let lease = "# This is private data. Do not parse.\nADDRESS=192.168.8.100\nNETMASK=255.255.255.0\nROUTER=192.168.8.1\nSERVER_ADDRESS=192.168.8.1\n"
        #expect(HiLinkAddressing.router(inLease: lease) == "192.168.8.1")
        #expect(HiLinkAddressing.router(inLease: "ROUTER=192.168.1.1 192.168.1.254\n") == "192.168.1.1")
        #expect(HiLinkAddressing.router(inLease: "ROUTER=not-an-address\n") == nil)
        #expect(HiLinkAddressing.router(inLease: "ADDRESS=192.168.8.100\n") == nil)
    }

    @Test func withoutALeaseTheFirstHostOfTheSubnetIsTheUnit() throws {
        let station = try #require(HiLinkAddressing.parse("192.168.8.100"))
        #expect(HiLinkAddressing.firstHost(of: .init(address: station, prefixLength: 24)) == "192.168.8.1")
        let mifi = try #require(HiLinkAddressing.parse("192.168.0.57"))
        #expect(HiLinkAddressing.firstHost(of: .init(address: mifi, prefixLength: 24)) == "192.168.0.1")
        // The station holding .1 itself, or a point-to-point link, names no unit.
        #expect(HiLinkAddressing.firstHost(of: .init(address: try #require(HiLinkAddressing.parse("10.0.0.1")), prefixLength: 24)) == nil)
        #expect(HiLinkAddressing.firstHost(of: .init(address: station, prefixLength: 32)) == nil)
    }

    @Test func addressesAreParsedStrictly() {
        #expect(HiLinkAddressing.parse("192.168.8.1") == 0xC0A8_0801)
        for bad in ["192.168.8", "192.168.8.256", "192.168.8.1.1", "a.b.c.d", "192.168..1", " 192.168.8.1", "１.2.3.4"] {
            #expect(HiLinkAddressing.parse(bad) == nil, "\(bad)")
        }
        #expect(HiLinkAddressing.format(0xC0A8_0801) == "192.168.8.1")
    }

    @Test func theLoopbackInterfaceIsReadFromTheKernel() {
        // getifaddrs on a real interface: lo is 127.0.0.1/8 on every Linux machine.
        #expect(HiLinkAddressing.ipv4(of: "lo") == .init(address: 0x7F00_0001, prefixLength: 8))
        #expect(HiLinkAddressing.ipv4(of: "no-such-interface") == nil)
    }
}
