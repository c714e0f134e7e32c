import Foundation
import Testing
@testable import HiLinkProtocol

/// Tokens, cookies, error codes and the login derivations.
struct HiLinkSessionTests {
    static let t1 = "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6"
    static let t2 = "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp"

    @Test func tokensAreSingleUseAndReplacedByFreshOnes() {
        var store = HiLinkTokenStore()
        store.replace(with: [Self.t1])
        let first = store.take()
        let second = store.take()
        #expect(first == Self.t1)
        #expect(second == nil)
        // After a login: one/two and the long list; names compared without case, list split on '#'.
        let absorbed = store.absorb(headers: [("__RequestVerificationTokenone", Self.t1), ("__requestverificationtokentwo", Self.t2),
                                              ("__RequestVerificationToken", "\(Self.t1)#\(Self.t2)#\(String(Self.t2.reversed()))#")])
        #expect(absorbed)
        #expect(store.tokens == [Self.t1, Self.t2, String(Self.t2.reversed())])
        // A response without token headers leaves the store alone.
        let absorbedNothing = store.absorb(headers: [("Content-Type", "text/html")])
        #expect(!absorbedNothing)
        #expect(store.tokens.count == 3)
    }

    @Test func aTokenStormIsBoundedAndJunkDropped() {
        var store = HiLinkTokenStore(capacity: 64)
        let storm = (0..<10_000).map { String(format: "%032d", $0) }.joined(separator: "#")
        store.absorb(headers: [("__RequestVerificationToken", storm)])
        #expect(store.tokens.count == 64)
        var junk = HiLinkTokenStore()
        junk.absorb(headers: [("__RequestVerificationToken", "short#<script>alert(1)</script>xxxxxxxxxxxx#" + String(repeating: "a", count: 500))])
        #expect(junk.isEmpty)
    }

    @Test func readsMetaTokensAndTheTokenEndpoint() {
        let page = """
        <html><head><meta name="csrf_token" content="\(Self.t1)"/>
        <meta name="csrf_token" content="\(Self.t2)"></head></html>
        """
        #expect(HiLinkTokenStore.metaTokens(inPage: page) == [Self.t1, Self.t2])
        #expect(HiLinkTokenStore.tokenFromTokenEndpoint(Self.t2 + Self.t1) == Self.t1)
        #expect(HiLinkTokenStore.tokenFromTokenEndpoint("short") == nil)
    }

    @Test func readsSessionCookiesWithOrWithoutBlanks() {
        #expect(HiLinkCookie.sessionPair(fromSetCookie: "SessionID=abc123;path=/;HttpOnly;") == "SessionID=abc123")
        #expect(HiLinkCookie.sessionPair(fromSetCookie: "path=/; SessionID=xyz; HttpOnly") == "SessionID=xyz")
        #expect(HiLinkCookie.sessionPair(fromSetCookie: "SessionID=;path=/") == nil)
        #expect(HiLinkCookie.sessionPair(fromSesInfo: "SessionID=Q1w2e3") == "SessionID=Q1w2e3")
    }

    @Test func errorCodesMapToWhatTheStationDoes() {
        for code in [125001, 125002, 125003] { #expect(HiLinkErrorCode(rawValue: code).isTokenRejection) }
        #expect(!HiLinkErrorCode(rawValue: 125004).isTokenRejection)
        #expect(HiLinkErrorCode(rawValue: 100003).needsLogin)
        #expect(HiLinkErrorCode.lockedOut.failureCode == "login-locked")
        #expect(HiLinkErrorCode.wrongCredentials.failureCode == "login-failed")
        #expect(HiLinkErrorCode.ussdBusy.failureCode == "ussd-refused-by-device")
        #expect(HiLinkErrorCode.ussdNetworkTimeout.failureCode == "ussd-network-timeout")
        #expect(HiLinkErrorCode(rawValue: 999999).failureCode == "device-error")
    }

    @Test func loginStateChoosesTheMethod() throws {
        func state(_ body: String) throws -> HiLinkLoginState {
            HiLinkLoginState(try HiLinkXML.parse("<response>\(body)</response>"))
        }
        #expect(try state("<State>-1</State><password_type>4</password_type>").method == .type4)
        #expect(try state("<State>-1</State><password_type>4</password_type><extern_password_type>1</extern_password_type><rsapadingtype>1</rsapadingtype>").method == .scram)
        #expect(try state("<State>-1</State><password_type>0</password_type>").method == .plain)
        #expect(try state("<State>0</State>").loggedIn)
    }

    // Known vectors computed with Python's hashlib/hmac (an implementation independent of this one) from the
    // formulas in the field notes (DOMAIN-HILINK-PCSC.md, "HiLink: login"):
    //   base64(sha256hex("admin" + base64(sha256hex("correct horse")) + token)).
    @Test func passwordType4MatchesTheKnownVector() {
        let token = "0123456789abcdef0123456789ABCDEF"
        #expect(HiLinkLogin.passwordType4(user: "admin", password: "correct horse", token: token)
                == "M2MxNWY2MDlkMjA0MjM1MDIzMjYwMzdmMjVjYTVkNjhlZDE2ZmQxZDRjZjNmN2NkMjk3NTE0MDgxZmQ0ZDFjMQ==")
        #expect(HiLinkLogin.passwordPlain("admin") == "YWRtaW4=")
    }

    // Same source: salt, nonces and iterations below, password "correct horse", Huawei's swapped HMAC order.
    static let firstNonce = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa0123456789abcdef0123456789abcdef"
    static let serverNonce = firstNonce + "ZYXWVUTSRQPONMLKJIHGFEDCBA012345"
    static let salt = "5f1d2c3b4a5968778695a4b3c2d1e0f0112233445566778899aabbccddeeff00"

    @Test func scramMatchesTheKnownVector() throws {
        let client = HiLinkSCRAM(firstNonce: Self.firstNonce)
        let proof = try client.proof(password: "correct horse", salt: Self.salt, serverNonce: Self.serverNonce, iterations: 100)
        #expect(proof.clientProof == "945ed2340e40c7cf83c33fa2699e7bc088e98af0a6da00fe7a70a6f630e153c5")
        #expect(proof.expectedServerSignature == "db48a40ca2e33110aa26d3cc6faf27ca35eecb2044c7e13ff77e0c357a824aba")
        try HiLinkSCRAM.verify(serverSignature: proof.expectedServerSignature.uppercased(), expected: proof.expectedServerSignature)
        #expect(throws: HiLinkSCRAMError.serverSignatureMismatch) {
            try HiLinkSCRAM.verify(serverSignature: String(repeating: "0", count: 64), expected: proof.expectedServerSignature)
        }
        let wrong = try client.proof(password: "correct horsE", salt: Self.salt, serverNonce: Self.serverNonce, iterations: 100)
        #expect(wrong.clientProof != proof.clientProof)
    }

    @Test func scramRefusesHostileChallenges() {
        let client = HiLinkSCRAM(firstNonce: Self.firstNonce)
        #expect(throws: HiLinkSCRAMError.self) { try client.proof(password: "p", salt: Self.salt, serverNonce: "other", iterations: 100) }
        #expect(throws: HiLinkSCRAMError.self) { try client.proof(password: "p", salt: "zz", serverNonce: Self.serverNonce, iterations: 100) }
        #expect(throws: HiLinkSCRAMError.self) { try client.proof(password: "p", salt: Self.salt, serverNonce: Self.serverNonce, iterations: 2_000_000_000) }
        #expect(HiLinkSCRAM().firstNonce.count == 64)
    }
}
