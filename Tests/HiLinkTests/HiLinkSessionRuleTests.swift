import Foundation
import HiLink
import HiLinkSimulator
import Provisioning
import Testing

/// Session rules that need time or odd firmware: lock-outs waited out, tokens from meta tags, endpoints from URLs.
@Suite(.serialized) struct HiLinkSessionRuleTests {
    static func lockingUnit() -> HiLinkPersonality {
        var personality = HiLinkPersonality.e3372hWebUI17
        personality.lockoutAfter = 1
        personality.lockoutSeconds = 2
        return personality
    }

    @Test func aShortLockOutIsWaitedOutWithoutAnyLoginPostDuringIt() async throws {
        let sim = try await HiLinkFixture.start(Self.lockingUnit())
        defer { Task { await sim.stop() } }
        // A wrong password locks the unit at once (this personality locks after one failure).
        let wrong = try await sim.driver(password: "nope", maxLoginAttempts: 1)
        #expect(await failure { try await wrong.readIdentity() }?.code == "login-locked")
        let postsAfterLock = sim.unit.stats.loginPosts
        // A client that may not wait fails at once, without a login POST.
        var impatient = sim.configuration()
        impatient.maxLockoutWait = .zero
        let refused = try await HiLinkDriver.open(impatient)
        #expect(await failure { try await refused.readIdentity() }?.code == "login-locked")
        #expect(sim.unit.stats.loginPosts == postsAfterLock)
        // A client allowed to wait sleeps through the lock-out, then logs in with one POST.
        var patient = sim.configuration()
        patient.maxLockoutWait = .seconds(5)
        let driver = try await HiLinkDriver.open(patient)
        let start = ContinuousClock.now
        let identity = try await driver.readIdentity()
        #expect(identity.imei != nil)
        #expect(ContinuousClock.now - start >= .milliseconds(1000))
        #expect(sim.unit.stats.loginPosts == postsAfterLock + 1)
    }

    @Test func tokensComeFromTheHomePageWhenTheTokenEndpointsAreMissing() async throws {
        let sim = try await HiLinkFixture.start(.e8372hWebUI17)
        defer { Task { await sim.stop() } }
        sim.unit.setFault(.noTokenEndpoints)
        let driver = try await sim.driver()
        let store = try #require(driver.wifiStore)
        try await store.write(WiFiSettings(ssid: "Connexion-1247", key: "abcdefgh12"))
        #expect(sim.unit.wifi.ssid == "Connexion-1247")
        #expect(sim.unit.stats.requests["/"] ?? 0 >= 1)
    }

    @Test func theConfigurationNeverShowsThePassword() {
        let configuration = HiLinkConfiguration(endpoint: HiLinkEndpoint(host: "192.168.8.1", interface: "usb0"), password: "Tr0ub4dor&3")
        var dumped = ""
        dump(configuration, to: &dumped)
        for text in ["\(configuration)", String(reflecting: configuration), dumped] {
            #expect(!text.contains("Tr0ub4dor"), "\(text)")
            #expect(text.contains("192.168.8.1"))
        }
    }

    @Test func endpointsAreReadFromURLs() {
        #expect(HiLinkEndpoint(url: "http://192.168.8.1") == HiLinkEndpoint(host: "192.168.8.1", port: 80))
        #expect(HiLinkEndpoint(url: "http://192.168.8.1:8080/", interface: "enx0c5b8f279a64")
                == HiLinkEndpoint(host: "192.168.8.1", port: 8080, interface: "enx0c5b8f279a64"))
        #expect(HiLinkEndpoint(url: "http://hilink.local")?.host == "hilink.local")
        #expect(HiLinkEndpoint(url: "http://192.168.8.1", interface: "usb0")?.label == "http://192.168.8.1:80 via usb0")
        for bad in ["https://192.168.8.1", "192.168.8.1", "http://", "http://a@b", "http://h/api", "http://h:0", "http://h:99999", "http://h:x"] {
            #expect(HiLinkEndpoint(url: bad) == nil, "\(bad)")
        }
        #expect(HiLinkEndpoint(url: "http://192.168.8.1", interface: "a-name-far-too-long") == nil)
        #expect(HiLinkEndpoint(url: "http://192.168.8.1", interface: "../x") == nil)
    }
}
