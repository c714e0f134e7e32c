import ATProtocol
import Foundation
import HiLink
import HiLinkProtocol
import HiLinkSimulator
import Provisioning
import Testing

/// The client and driver against simulated units over real HTTP on 127.0.0.1.
@Suite(.serialized) struct HiLinkDriverTests {
    @Test func identifiesAWebUI17StickWithCompactHeaders() async throws {
        let sim = try await HiLinkFixture.start(.e3372hWebUI17)
        defer { Task { await sim.stop() } }
        let driver = try await sim.driver()
        #expect(!driver.hasWiFi)
        #expect(driver.wifiStore == nil)
        let identity = try await driver.readIdentity()
        #expect(identity.imei?.digits == "356789012345672")
        #expect(identity.iccid?.digits == "89001012345678901239")
        #expect(identity.imsi?.digits == "001010123456789")
        #expect(identity.model == "E3372h-320")
        #expect(identity.pinState == .ready)
        #expect(identity.serialNumber == "G4PDW19A01234567")
        // Type-4 login: one POST; the session came from SesTokInfo, never from the token endpoint this firmware
        // refuses (100002).
        #expect(sim.unit.stats.loginPosts == 1)
        #expect(sim.unit.stats.requests["/api/webserver/SesTokInfo"] ?? 0 >= 1)
        #expect(sim.unit.stats.requests["/api/webserver/token"] ?? 0 == 0)
        let workflowIdentity = try await driver.identify()
        #expect(workflowIdentity.imei?.digits == "356789012345672")
        #expect(workflowIdentity.family == "hilink")
        #expect(workflowIdentity.hardwareID == "G4PDW19A01234567")
        #expect(workflowIdentity.deviceKey == "356789012345672")
    }

    @Test func identifiesAScramOnlyMiFi() async throws {
        let sim = try await HiLinkFixture.start(.e5576WebUI10)
        defer { Task { await sim.stop() } }
        let driver = try await sim.driver()
        #expect(driver.hasWiFi)
        let identity = try await driver.readIdentity()
        #expect(identity.imei?.digits == "867530012345672")
        #expect(sim.unit.stats.loginPosts == 1)
        #expect(sim.unit.stats.requests["/api/user/authentication_login"] == 1)
        #expect(sim.unit.stats.requests["/api/user/login"] == nil)
    }

    @Test func aWrongPasswordFailsWithoutHammeringAndTheLockOutIsRespected() async throws {
        let sim = try await HiLinkFixture.start(.e3372hWebUI17)
        defer { Task { await sim.stop() } }
        let driver = try await sim.driver(password: "wrong-password", maxLoginAttempts: 3)
        var codes: [String] = []
        for _ in 0..<6 {
            codes.append(await failure { try await driver.readIdentity() }?.code ?? "none")
        }
        // Three login POSTs at most, whatever the number of calls; the unit's lock-out (after three) is then waited,
        // not hammered.
        #expect(sim.unit.stats.loginPosts <= 3)
        #expect(codes.allSatisfy { ["login-failed", "login-locked", "login-attempts-exhausted"].contains($0) }, "\(codes)")
        #expect(codes.suffix(3).allSatisfy { $0 == "login-locked" || $0 == "login-attempts-exhausted" }, "\(codes)")
    }

    @Test func logsInAgainAfterTheSessionExpires() async throws {
        let sim = try await HiLinkFixture.start(.e5576WebUI10)
        defer { Task { await sim.stop() } }
        let driver = try await sim.driver()
        _ = try await driver.readIdentity()
        sim.unit.expireSessions()
        let identity = try await driver.readIdentity()
        #expect(identity.imei?.digits == "867530012345672")
        #expect(sim.unit.stats.loginPosts == 2)
    }

    @Test func aRefusedSessionTokenIsRePrimedAndRetriedOnce() async throws {
        let sim = try await HiLinkFixture.start(.e3372hWebUI17)
        defer { Task { await sim.stop() } }
        let driver = try await sim.driver()
        _ = try await driver.readIdentity()
        sim.unit.failNextPost(with: 125002)
        let reply = try await driver.ussd("*100#", replyTimeout: .seconds(5), redacted: nil, accepting: { _ in true })
        #expect(reply.text == "Votre solde data est de 10 Mo.")
        #expect(sim.unit.stats.ussdSends == 1)
    }

    @Test func rechargesOnceByUSSD() async throws {
        let sim = try await HiLinkFixture.start(.e5576WebUI10)
        defer { Task { await sim.stop() } }
        let driver = try await sim.driver()
        #expect(driver.canSendUSSD("*123*\(HiLinkFixture.voucher)#"))
        #expect(!driver.canSendUSSD("*123*<x>#"))
        #expect(!driver.canSendUSSD(""))
        let reply = try await driver.ussd("*123*\(HiLinkFixture.voucher)#", replyTimeout: .seconds(5), redacted: "<voucher>", accepting: { _ in true })
        #expect(reply.text?.contains("1024 Mo ajoutes") == true)
        let truth = sim.ledger.snapshot()
        #expect(truth.vouchers[HiLinkFixture.voucher]?.redemptions == 1)
        #expect(truth.balancesMB["89001010000123456782"] == 1034)
        #expect(sim.unit.stats.ussdSends == 1)
    }

    @Test func aLateUSSDAnswerIsWaitedFor() async throws {
        let sim = try await HiLinkFixture.start(.ussdLate)
        defer { Task { await sim.stop() } }
        let driver = try await sim.driver()
        let start = ContinuousClock.now
        let reply = try await driver.ussd("*100#", replyTimeout: .seconds(8), redacted: nil, accepting: { _ in true })
        #expect(ContinuousClock.now - start >= .milliseconds(2500))
        #expect(reply.text == "Votre solde data est de 10 Mo.")
    }

    @Test func aUSSDThatNeverAnswersFailsByItsDeadlineAndIsNotResent() async throws {
        let sim = try await HiLinkFixture.start(.ussdTimeout)
        defer { Task { await sim.stop() } }
        let driver = try await sim.driver()
        let start = ContinuousClock.now
        let failed = await failure {
            try await driver.ussd("*123*\(HiLinkFixture.voucher)#", replyTimeout: .seconds(2), redacted: nil, accepting: { _ in true })
        }
        #expect(failed?.code == "device-timeout")
        #expect(ContinuousClock.now - start < .seconds(5))
        // The network took the voucher (the ambiguity the workflow settles), and it was sent exactly once.
        #expect(sim.unit.stats.ussdSends == 1)
        #expect(sim.ledger.snapshot().vouchers[HiLinkFixture.voucher]?.redemptions == 1)
        #expect(sim.unit.stats.requests["/api/ussd/release"] == 1)
    }

    @Test func aHangingPollEndsByTheUSSDDeadlineNotTheRequestTimeout() async throws {
        let sim = try await HiLinkFixture.start(.e5576WebUI10)
        defer { Task { await sim.stop() } }
        let driver = try await sim.driver(requestTimeout: .seconds(20))
        _ = try await driver.readIdentity()
        sim.unit.setFault(.ussdGetHangs)
        let start = ContinuousClock.now
        let failed = await failure {
            try await driver.ussd("*123*\(HiLinkFixture.voucher)#", replyTimeout: .seconds(2), redacted: nil, accepting: { _ in true })
        }
        #expect(failed?.code == "device-timeout")
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(sim.unit.stats.ussdSends == 1)
    }

    @Test func aConnectionDroppedAfterTheUSSDPostIsAFailureNotAResend() async throws {
        let sim = try await HiLinkFixture.start(.e5576WebUI10)
        defer { Task { await sim.stop() } }
        let driver = try await sim.driver()
        _ = try await driver.readIdentity()
        sim.unit.setFault(.dropAfterUSSDSend)
        let failed = await failure {
            try await driver.ussd("*123*\(HiLinkFixture.voucher)#", replyTimeout: .seconds(3), redacted: nil, accepting: { _ in true })
        }
        #expect(failed?.code == "device-gone")
        #expect(sim.unit.stats.ussdSends == 1)
    }

    @Test func setsSingleSSIDWiFiAndReadsTheKeyBack() async throws {
        let sim = try await HiLinkFixture.start(.e8372hWebUI17)
        defer { Task { await sim.stop() } }
        let driver = try await sim.driver()
        let store = try #require(driver.wifiStore)
        let settings = WiFiSettings(ssid: "Connexion-1239 & <co>", key: "k3y-With'Quote\"")
        #expect(store.problem(with: settings) == nil)
        try await store.write(settings)
        #expect(sim.unit.wifi.ssid == settings.ssid)
        #expect(sim.unit.wifi.key == settings.key)
        let back = try await store.readBack()
        #expect(back == WiFiReadBack(ssid: settings.ssid, key: settings.key, keyReadable: true))
    }

    @Test func setsSingleSSIDWiFiWithAPKCS1EncryptedBody() async throws {
        let sim = try await HiLinkFixture.start(.e5573WebUI17PKCS1)
        defer { Task { await sim.stop() } }
        let driver = try await sim.driver()
        let store = try #require(driver.wifiStore)
        let settings = WiFiSettings(ssid: "Connexion-1247", key: "Pk-cs1-v15-key")
        try await store.write(settings)
        // The unit undid the PKCS#1 v1.5 blocks with its private key and found the key in the body.
        #expect(sim.unit.wifi.key == settings.key)
        #expect(sim.unit.wifi.ssid == settings.ssid)
        #expect(sim.unit.stats.requests["/api/webserver/publickey"] == 1)
        // An encrypting firmware does not show the key: it is reported as not readable.
        #expect(try await store.readBack() == WiFiReadBack(ssid: settings.ssid, key: nil, keyReadable: false))
    }

    @Test func setsMultiSSIDWiFiWithAnOAEPEncryptedKey() async throws {
        let sim = try await HiLinkFixture.start(.e5576WebUI10)
        defer { Task { await sim.stop() } }
        let driver = try await sim.driver()
        let store = try #require(driver.wifiStore)
        let settings = WiFiSettings(ssid: "Connexion-6781", key: "Zr7-pQ2x-Lm9w")
        try await store.write(settings)
        // The unit decrypted the key with its private key: the encryption was right.
        #expect(sim.unit.wifi.key == settings.key)
        #expect(sim.unit.wifi.ssid == settings.ssid)
        #expect(sim.unit.wifi.authMode == "WPA2-PSK")
        let back = try await store.readBack()
        #expect(back == WiFiReadBack(ssid: settings.ssid, key: nil, keyReadable: false))
        #expect(store.problem(with: WiFiSettings(ssid: "x", key: "short")) != nil)
        #expect(store.problem(with: WiFiSettings(ssid: String(repeating: "é", count: 17), key: "longenough")) != nil)
    }

    @Test func entersAPINOnceAtATime() async throws {
        let sim = try await HiLinkFixture.start(.pinLocked)
        defer { Task { await sim.stop() } }
        let driver = try await sim.driver()
        let locked = try await driver.readIdentity()
        #expect(locked.pinState == .simPIN)
        #expect(locked.pinTriesLeft == 3)
        #expect(locked.imsi == nil)
        #expect(try await driver.enterPIN("0000") == .simPIN)
        #expect(try await driver.readIdentity().pinTriesLeft == 2)
        #expect(sim.unit.stats.pinAttempts == 1)
        #expect(try await driver.enterPIN("1234") == .ready)
        #expect(try await driver.readIMSI()?.digits == "001010123456789")
        #expect(sim.unit.stats.pinAttempts == 2)
        #expect(await failure { try await driver.enterPIN("12a4") }?.code == "pin-invalid")
    }

    @Test(arguments: [
        (HiLinkFault.htmlPage, "device-malformed-reply"),
        (.xmlBomb, "device-malformed-reply"),
        (.hugeBody, "device-malformed-reply"),
        (.redirect, "device-redirected"),
        (.tokenFlood, "device-malformed-reply"),
    ])
    func hostileAnswersAreTypedFailures(fault: HiLinkFault, code: String) async throws {
        let sim = try await HiLinkFixture.start(.e3372hWebUI17)
        defer { Task { await sim.stop() } }
        let driver = try await sim.driver()
        sim.unit.setFault(fault)
        let start = ContinuousClock.now
        let failed = await failure { try await driver.readIdentity() }
        #expect(failed?.code == code, "\(String(describing: failed))")
        #expect(ContinuousClock.now - start < .seconds(5))
    }

    @Test func aTokenStormIsSurvived() async throws {
        let sim = try await HiLinkFixture.start(.e3372hWebUI17)
        defer { Task { await sim.stop() } }
        sim.unit.setFault(.tokenStorm)
        let driver = try await sim.driver()
        let identity = try await driver.readIdentity()
        #expect(identity.imei != nil)
    }

    @Test func aLoginThatNeverEndsFailsByTheDeadline() async throws {
        let sim = try await HiLinkFixture.start(.e3372hWebUI17)
        defer { Task { await sim.stop() } }
        sim.unit.setFault(.loginNeverEnds)
        let driver = try await sim.driver(requestTimeout: .seconds(1))
        let start = ContinuousClock.now
        let failed = await failure { try await driver.readIdentity() }
        #expect(failed?.code == "device-timeout")
        #expect(ContinuousClock.now - start < .seconds(4))
    }

    @Test func anUnreachableUnitIsGone() async throws {
        let sim = try await HiLinkFixture.start(.e3372hWebUI17)
        let configuration = sim.configuration()
        await sim.stop()
        #expect(await failure { try await HiLinkDriver.open(configuration) }?.isDeviceGone == true)
    }
}
