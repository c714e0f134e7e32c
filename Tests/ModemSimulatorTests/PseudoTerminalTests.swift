import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import ModemSimulator

@Suite struct PseudoTerminalTests {
    /// `TIOCGEXCL` = `_IOR('T', 0x40, int)`: whether the tty is in exclusive mode.
    static let getExclusive = UInt(0x8004_5440)

    @Test func clientTIOCEXCLIsClearedWhenTheClientCloses() throws {
        let fixture = try SimulatorFixture(basePersonality())
        // One observer descriptor, opened before and closed after, so only the client's close counts.
        let observer = open(fixture.ports[0].path, O_RDWR | O_NOCTTY | O_NONBLOCK)
        try #require(observer >= 0)
        defer { close(observer) }
        func exclusive() -> Int32 {
            var flag: Int32 = -1
            _ = ioctl(observer, Self.getExclusive, &flag)
            return flag
        }
        #expect(exclusive() == 0)
        do {
            let client = try fixture.client()
            #expect(ioctl(client.fd, UInt(TIOCEXCL)) == 0)
            #expect(exclusive() == 1)
            #expect(try client.lines("AT+CGMI") == ["huawei"])
            #expect(exclusive() == 1)
        }
        let deadline = ContinuousClock.now + .seconds(3)
        while exclusive() != 0, ContinuousClock.now < deadline { usleep(10_000) }
        #expect(exclusive() == 0)
    }

    @Test func clientsCanCloseAndReopenTheTty() throws {
        let fixture = try SimulatorFixture(basePersonality())
        for _ in 0..<3 {
            let client = try fixture.client()
            #expect(try client.lines("AT+CGSN") == ["867530012345672"])
        }
    }
}
