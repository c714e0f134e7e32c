import _CryptoExtras
import Foundation
import HiLinkProtocol
import ModemSimulator

/// One simulated HiLink unit's state and its API, independent of HTTP: `handle` turns a request into the bytes of
/// an answer. Thread-safe (one lock): NIO calls it from its event loops, tests read its counters.
public final class HiLinkUnit: @unchecked Sendable {
    // @unchecked Sendable: every mutable field is read and written only while holding `lock`.
    private let lock = NSLock()
    /// The personality.
    public let personality: HiLinkPersonality
    let network: OperatorNetwork
    let rsaKey: _RSA.Encryption.PrivateKey?
    let pkcs1Key: HiLinkRSA.PrivateKey?
    let scramSalt = HiLinkHex.encode((0..<32).map { _ in UInt8.random(in: 0...255) })

    struct Session {
        var loggedIn = false
        var tokens: [String] = []
        var scramFirstNonce: String?
        var scramServerNonce: String?
    }

    private var sessions: [String: Session] = [:]
    private var loginFailures = 0
    private var lockedUntil: Date?
    private var simReady: Bool
    private var pinTriesLeft = 3
    private var pendingUSSD: (readyAt: Date, text: String, neverAnswers: Bool)?
    private var wifiSSID = "HUAWEI-5G7K"
    private var wifiKey = "12345678"
    private var wifiAuthMode = "WPA2-PSK"
    private var fault: HiLinkFault = .none
    private var nextPostError: Int?
    private var counters = Counters()

    /// What the unit has seen, for tests and reports.
    public struct Counters: Sendable, Equatable {
        /// Requests per path.
        public var requests: [String: Int] = [:]
        /// Login POSTs (`user/login`, `user/challenge_login`).
        public var loginPosts = 0
        /// `ussd/send` POSTs that reached the network.
        public var ussdSends = 0
        /// POSTs refused for a missing, unknown or reused token.
        public var tokenRefusals = 0
        /// PIN attempts.
        public var pinAttempts = 0
    }

    /// Creates a unit over a shared operator network. An encrypting personality gets a fresh 2048-bit RSA key.
    public init(personality: HiLinkPersonality, network: OperatorNetwork) throws {
        self.personality = personality
        self.network = network
        simReady = personality.simPIN == nil
        let key = personality.encryptKeys ? try _RSA.Encryption.PrivateKey(keySize: .bits2048) : nil
        rsaKey = key
        pkcs1Key = key.flatMap { HiLinkRSA.PrivateKey(pkcs1DER: Array($0.derRepresentation)) }
    }

    /// A copy of the counters.
    public var stats: Counters { lock.withLock { counters } }
    /// The Wi-Fi name and key the unit holds now.
    public var wifi: (ssid: String, key: String, authMode: String) { lock.withLock { (wifiSSID, wifiKey, wifiAuthMode) } }
    /// Switches a misbehaviour on or off.
    public func setFault(_ fault: HiLinkFault) { lock.withLock { self.fault = fault } }
    /// Makes the next POST (after its token check) answer with this error code.
    public func failNextPost(with code: Int) { lock.withLock { nextPostError = code } }
    /// Forgets every session, as a unit does after its idle time-out.
    public func expireSessions() { lock.withLock { sessions.removeAll() } }

    /// One answer: status line, headers and body, ready to be written (nil: never answer; `close`: drop without
    /// answering).
    public enum Answer: Sendable {
        case bytes([UInt8])
        case never
        case dropConnection
    }

    /// Handles one request.
    public func handle(method: String, path: String, headers: [(name: String, value: String)], body: [UInt8]) -> Answer {
        lock.withLock { handleLocked(method: method, path: path, headers: headers, body: body) }
    }

    // MARK: - Request handling (lock held)

    private struct Reply {
        var status = 200
        var headers: [(String, String)] = []
        var body: String
    }

    private func header(_ headers: [(name: String, value: String)], _ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    private func newToken() -> String {
        String((0..<32).map { _ in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".randomElement() ?? "A" })
    }

    private func newSessionID() -> String {
        String((0..<64).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement() ?? "a" })
    }

    private static func error(_ code: Int) -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<error>\n<code>\(code)</code>\n<message></message>\n</error>\n"
    }

    private static func response(_ pairs: [(String, String)]) -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<response>\n"
            + pairs.map { "<\($0.0)>\(HiLinkXML.escape($0.1))</\($0.0)>\n" }.joined() + "</response>\n"
    }

    private static let ok = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<response>OK</response>\n"

    private func handleLocked(method: String, path rawPath: String, headers: [(name: String, value: String)], body: [UInt8]) -> Answer {
        let path = String(rawPath.prefix { $0 != "?" })
        counters.requests[path, default: 0] += 1
        if path.hasPrefix("/api/") {
            switch fault {
            case .htmlPage: return render(Reply(body: "<!DOCTYPE html>\n<html><head><title>Login</title></head><body>Please log in</body></html>"))
            case .xmlBomb:
                let bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
                    + "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>\n<response><x>&c;</x></response>"
                return render(Reply(body: bomb))
            case .hugeBody: return render(Reply(body: "<response><x>" + String(repeating: "x", count: 10 * 1024 * 1024) + "</x></response>"))
            case .redirect: return render(Reply(status: 302, headers: [("Location", "http://192.168.8.1/html/index.html")], body: ""))
            case .loginNeverEnds where path == "/api/user/login" || path == "/api/user/challenge_login": return .never
            case .ussdGetHangs where path == "/api/ussd/get": return .never
            default: break
            }
        }
        let cookieID = header(headers, "Cookie").flatMap { cookie in
            cookie.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
                .first { $0.hasPrefix("SessionID=") }.map { String($0.dropFirst("SessionID=".count)) }
        }
        var sessionID = cookieID.flatMap { sessions[$0] != nil ? $0 : nil }
        var setCookie = false
        func openSession() -> String {
            if let sessionID { return sessionID }
            let id = newSessionID()
            sessions[id] = Session()
            sessionID = id
            setCookie = true
            return id
        }
        var reply: Reply
        if method == "POST" {
            guard let id = sessionID else {
                counters.tokenRefusals += 1
                return render(Reply(body: Self.error(125002)))
            }
            guard let token = header(headers, "__RequestVerificationToken"),
                  let index = sessions[id]?.tokens.firstIndex(of: token) else {
                counters.tokenRefusals += 1
                return render(Reply(body: Self.error(125003)), freshTokenFor: id)
            }
            sessions[id]?.tokens.remove(at: index)
            if let code = nextPostError {
                nextPostError = nil
                return render(Reply(body: Self.error(code)), freshTokenFor: id)
            }
            reply = post(path: path, session: id, headers: headers, body: body, usedToken: token)
            if path == "/api/ussd/send" && fault == .dropAfterUSSDSend { return .dropConnection }
            if let newID = reply.headers.first(where: { $0.0 == "X-New-Session" })?.1 {
                reply.headers.removeAll { $0.0 == "X-New-Session" }
                return render(reply, freshTokenFor: newID, cookie: newID, afterLogin: true)
            }
            return render(reply, freshTokenFor: id)
        }
        switch path {
        case "/", "/html/index.html":
            let id = openSession()
            let t1 = newToken(), t2 = newToken()
            sessions[id]?.tokens = [t1, t2]
            reply = Reply(body: "<!DOCTYPE html>\n<html><head><meta name=\"csrf_token\" content=\"\(t1)\"/>\n<meta name=\"csrf_token\" content=\"\(t2)\"/></head><body></body></html>")
        case "/api/webserver/SesTokInfo" where fault == .noTokenEndpoints, "/api/webserver/token" where fault == .noTokenEndpoints:
            reply = Reply(body: Self.error(100002))
        case "/api/webserver/SesTokInfo":
            let id = openSession()
            let token = newToken()
            sessions[id]?.tokens.append(token)
            reply = Reply(body: Self.response([("SesInfo", "SessionID=\(id)"), ("TokInfo", token)]))
            setCookie = false
        case "/api/webserver/token":
            if personality.tokenEndpointMissing {
                reply = Reply(body: Self.error(100002))
            } else {
                let id = openSession()
                let token = newToken()
                sessions[id]?.tokens.append(token)
                reply = Reply(body: Self.response([("token", newToken() + token)]))
            }
        default:
            reply = get(path: path, session: sessionID)
        }
        return render(reply, cookie: setCookie ? sessionID : nil)
    }

    private func loggedIn(_ session: String?) -> Bool {
        personality.password == nil || session.flatMap { sessions[$0]?.loggedIn } == true
    }

    private func get(path: String, session: String?) -> Reply {
        let open: Set<String> = ["/api/device/basic_information", "/api/user/state-login", "/api/webserver/publickey", "/api/user/hilink_login"]
        if !open.contains(path) && !loggedIn(session) { return Reply(body: Self.error(100003)) }
        let p = personality
        switch path {
        case "/api/device/basic_information":
            return Reply(body: Self.response([("productfamily", "LTE"), ("classify", p.classify), ("multimode", "0"),
                                              ("restore_default_status", "0"), ("devicename", p.model),
                                              ("SoftwareVersion", p.firmware), ("WebUIVersion", "WEBUI \(p.webUI).0.0")]))
        case "/api/user/hilink_login":
            return Reply(body: Self.response([("hilink_login", p.password == nil ? "0" : "1")]))
        case "/api/user/state-login":
            let remaining = lockedUntil.map { max(0, Int($0.timeIntervalSinceNow.rounded(.up))) } ?? 0
            var fields = [("State", loggedIn(session) ? "0" : "-1"), ("Username", loggedIn(session) ? "admin" : ""),
                          ("password_type", "4"), ("firstlogin", "0")]
            if p.scramOnly { fields.append(("extern_password_type", "1")) }
            fields += [("rsapadingtype", String(p.rsaPaddingType)), ("lockstatus", remaining > 0 ? "1" : "0"),
                       ("remainwaittime", String(remaining))]
            return Reply(body: Self.response(fields))
        case "/api/webserver/publickey":
            guard let key = rsaKey, let primitives = try? key.publicKey.getKeyPrimitives() else { return Reply(body: Self.error(100002)) }
            return Reply(body: Self.response([("encpubkeyn", HiLinkHex.encode(Array(primitives.modulus))),
                                              ("encpubkeye", HiLinkHex.encode(Array(primitives.publicExponent)))]))
        case "/api/device/information":
            return Reply(body: Self.response([("DeviceName", p.model), ("SerialNumber", p.serialNumber), ("Imei", p.imei),
                                              ("Imsi", simReady ? p.imsi : ""), ("Iccid", p.iccid), ("Msisdn", ""),
                                              ("HardwareVersion", "CL4E3372HM"), ("SoftwareVersion", p.firmware),
                                              ("WebUIVersion", "WEBUI \(p.webUI).0.0"), ("Classify", p.classify)]))
        case "/api/pin/status":
            let state = simReady ? "257" : (pinTriesLeft > 0 ? "260" : "261")
            return Reply(body: Self.response([("SimState", state), ("PinOptState", p.simPIN == nil ? "258" : "259"),
                                              ("SimPinTimes", String(pinTriesLeft)), ("SimPukTimes", "10")]))
        case "/api/global/module-switch":
            return Reply(body: Self.response([("ussd_enabled", "1"), ("multssid_enable", p.multiSSID ? "1" : "0"),
                                              ("encrypt_enabled", p.encryptKeys ? "1" : "0"), ("wifi_enabled", p.hasWiFi ? "1" : "0")]))
        case "/api/wlan/wifi-feature-switch":
            guard p.hasWiFi && p.multiSSID else { return Reply(body: Self.error(100002)) }
            return Reply(body: Self.response([("wifi5g_enabled", "0"), ("maxassoc", "16"), ("wifispeed_enabled", "1")]))
        case "/api/wlan/basic-settings":
            guard p.hasWiFi && !p.multiSSID else { return Reply(body: Self.error(100002)) }
            return Reply(body: Self.response([("WifiSsid", wifiSSID), ("WifiHide", "0"), ("WifiCountry", "FR"), ("WifiMode", "b/g/n"),
                                              ("WifiRate", "0"), ("WifiChannel", "0"), ("WifiEnable", "1"), ("WifiRestart", "0")]))
        case "/api/wlan/security-settings":
            guard p.hasWiFi && !p.multiSSID else { return Reply(body: Self.error(100002)) }
            return Reply(body: Self.response([("WifiAuthmode", wifiAuthMode), ("WifiBasicencryptionmodes", "NONE"),
                                              ("WifiWpaencryptionmodes", "AES"), ("WifiWepKey1", ""), ("WifiWepKeyIndex", "1"),
                                              ("WifiWpapsk", p.encryptKeys ? "" : wifiKey), ("WifiRestart", "0")]))
        case "/api/wlan/multi-basic-settings":
            guard p.hasWiFi && p.multiSSID else { return Reply(body: Self.error(100002)) }
            let ssid = "<Ssid><Index>0</Index><WifiEnable>1</WifiEnable><WifiSsid>\(HiLinkXML.escape(wifiSSID))</WifiSsid>"
                + "<WifiMac></WifiMac><WifiBroadcast>0</WifiBroadcast><WifiAuthmode>\(wifiAuthMode)</WifiAuthmode>"
                + "<WifiBasicencryptionmodes>NONE</WifiBasicencryptionmodes><WifiWpaencryptionmodes>AES</WifiWpaencryptionmodes>"
                + "<WifiWpapsk></WifiWpapsk><WifiIsolate>0</WifiIsolate></Ssid>"
            return Reply(body: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<response><Ssids>\(ssid)</Ssids></response>\n")
        case "/api/ussd/get":
            guard let pending = pendingUSSD else { return Reply(body: Self.error(111019)) }
            if pending.neverAnswers || Date() < pending.readyAt { return Reply(body: Self.error(111019)) }
            pendingUSSD = nil
            return Reply(body: Self.response([("content", pending.text)]))
        case "/api/ussd/release":
            pendingUSSD = nil
            return Reply(body: Self.ok)
        case "/api/ussd/status":
            return Reply(body: Self.response([("result", pendingUSSD == nil ? "0" : "1")]))
        default:
            return Reply(body: Self.error(100002))
        }
    }

    /// Decrypts a HiLink RSA hex body with the personality's padding (OAEP through swift-crypto, PKCS#1 v1.5
    /// through HiLinkProtocol's own modular arithmetic).
    private func decrypt(_ hex: String) -> String? {
        guard let key = rsaKey, let bytes = HiLinkHex.decode(hex.trimmingCharacters(in: .whitespacesAndNewlines)),
              !bytes.isEmpty, bytes.count % 256 == 0 else { return nil }
        var joined: [UInt8] = []
        var start = 0
        while start < bytes.count {
            let block = Array(bytes[start..<start + 256])
            if personality.rsaPaddingType == 1 {
                guard let plain = try? key.decrypt(block, padding: .PKCS1_OAEP) else { return nil }
                joined += plain
            } else {
                guard let privateKey = pkcs1Key, let plain = HiLinkRSA.decryptPKCS1v15Block(block, key: privateKey) else { return nil }
                joined += plain
            }
            start += 256
        }
        guard let data = Data(base64Encoded: Data(joined)) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    private func post(path: String, session: String, headers: [(name: String, value: String)], body rawBody: [UInt8], usedToken: String) -> Reply {
        var text = String(decoding: rawBody, as: UTF8.self)
        if header(headers, "encrypt_transmit") != nil {
            guard let plain = decrypt(text) else { return Reply(body: Self.error(100005)) }
            text = plain
        }
        guard let request = try? HiLinkXML.parse(text), request.name == "request" else { return Reply(body: Self.error(100005)) }
        let p = personality
        switch path {
        case "/api/user/login":
            counters.loginPosts += 1
            if let until = lockedUntil, until > Date() { return Reply(body: Self.error(108007)) }
            guard let password = p.password else { return Reply(body: Self.ok) }
            let expected = HiLinkLogin.passwordType4(user: "admin", password: password, token: usedToken)
            if !p.scramOnly && request["Username"] == "admin" && request["Password"] == expected && request["password_type"] == "4" {
                return loginSucceeded(session)
            }
            return loginFailed()
        case "/api/user/challenge_login":
            counters.loginPosts += 1
            if let until = lockedUntil, until > Date() { return Reply(body: Self.error(108007)) }
            guard let first = request["firstnonce"], first.count == 64, request["username"] == "admin" else { return Reply(body: Self.error(100006)) }
            let serverNonce = first + newToken()
            sessions[session]?.scramFirstNonce = first
            sessions[session]?.scramServerNonce = serverNonce
            return Reply(body: Self.response([("salt", scramSalt), ("iterations", "100"), ("servernonce", serverNonce), ("modeselected", "1")]))
        case "/api/user/authentication_login":
            guard let first = sessions[session]?.scramFirstNonce, let serverNonce = sessions[session]?.scramServerNonce,
                  request["finalnonce"] == serverNonce, let password = p.password,
                  let salt = HiLinkHex.decode(scramSalt),
                  let proof = try? HiLinkSCRAM.derive(password: password, salt: salt, iterations: 100,
                                                      authMessage: first + "," + serverNonce + "," + serverNonce) else {
                return Reply(body: Self.error(100006))
            }
            sessions[session]?.scramFirstNonce = nil
            guard request["clientproof"]?.lowercased() == proof.clientProof else { return loginFailed() }
            var reply = loginSucceeded(session)
            var fields = [("serversignature", proof.expectedServerSignature)]
            if let key = rsaKey, let primitives = try? key.publicKey.getKeyPrimitives() {
                fields += [("rsan", HiLinkHex.encode(Array(primitives.modulus))), ("rsae", HiLinkHex.encode(Array(primitives.publicExponent)))]
            }
            reply.body = Self.response(fields)
            return reply
        case "/api/user/logout":
            sessions[session]?.loggedIn = false
            return Reply(body: Self.ok)
        default:
            break
        }
        guard loggedIn(session) else { return Reply(body: Self.error(100003)) }
        switch path {
        case "/api/pin/operate":
            counters.pinAttempts += 1
            guard let pin = p.simPIN, !simReady else { return Reply(body: Self.error(100006)) }
            guard pinTriesLeft > 0 else { return Reply(body: Self.error(103002)) }
            if request["OperateType"] == "0" && request["CurrentPin"] == pin {
                simReady = true
                pinTriesLeft = 3
                return Reply(body: Self.ok)
            }
            pinTriesLeft -= 1
            return Reply(body: Self.error(103002))
        case "/api/ussd/send":
            guard simReady else { return Reply(body: Self.error(111022)) }
            guard pendingUSSD == nil else { return Reply(body: Self.error(111013)) }
            guard let content = request["content"], !content.isEmpty else { return Reply(body: Self.error(100006)) }
            counters.ussdSends += 1
            // The network acts on arrival, as with the AT personalities: a unit that never answers still spent it.
            let text: String
            let delay: Int
            do {
                let answer = try network.handle(request: content, iccid: p.iccid)
                text = answer.text
                delay = answer.delayMs
            } catch {
                return Reply(body: Self.error(111020))
            }
            let silent = p.ussdNeverAnswers && content.trimmingCharacters(in: .whitespaces) != network.profile.balanceCode
            pendingUSSD = (Date().addingTimeInterval(Double(delay + p.ussdExtraDelayMs) / 1000), text, silent)
            return Reply(body: Self.ok)
        case "/api/wlan/basic-settings":
            guard p.hasWiFi && !p.multiSSID else { return Reply(body: Self.error(100002)) }
            if let ssid = request["WifiSsid"] {
                guard (1...32).contains(ssid.utf8.count) else { return Reply(body: Self.error(100006)) }
                wifiSSID = ssid
            }
            return Reply(body: Self.ok)
        case "/api/wlan/security-settings":
            guard p.hasWiFi && !p.multiSSID else { return Reply(body: Self.error(100002)) }
            if let key = request["WifiWpapsk"] {
                guard (8...63).contains(key.count) else { return Reply(body: Self.error(100006)) }
                wifiKey = key
            }
            if let mode = request["WifiAuthmode"] { wifiAuthMode = mode }
            return Reply(body: Self.ok)
        case "/api/wlan/multi-basic-settings":
            guard p.hasWiFi && p.multiSSID, let ssid = request.child("Ssids")?.child("Ssid") else { return Reply(body: Self.error(100006)) }
            if let name = ssid["WifiSsid"] {
                guard (1...32).contains(name.utf8.count) else { return Reply(body: Self.error(100006)) }
                wifiSSID = name
            }
            if var key = ssid["WifiWpapsk"], !key.isEmpty {
                if p.encryptKeys {
                    guard header(headers, "part_encrypt_transmit")?.contains("WifiWpapsk") == true, let plain = decrypt(key) else {
                        return Reply(body: Self.error(100006))
                    }
                    key = plain
                }
                guard (8...63).contains(key.count) else { return Reply(body: Self.error(100006)) }
                wifiKey = key
            }
            if let mode = ssid["WifiAuthmode"] { wifiAuthMode = mode }
            return Reply(body: Self.ok)
        default:
            return Reply(body: Self.error(100002))
        }
    }

    private func loginSucceeded(_ session: String) -> Reply {
        loginFailures = 0
        var state = sessions.removeValue(forKey: session) ?? Session()
        state.loggedIn = true
        let id = newSessionID()
        sessions[id] = state
        return Reply(headers: [("X-New-Session", id)], body: Self.ok)
    }

    private func loginFailed() -> Reply {
        loginFailures += 1
        if loginFailures >= personality.lockoutAfter {
            lockedUntil = Date().addingTimeInterval(Double(personality.lockoutSeconds))
            loginFailures = 0
            return Reply(body: Self.error(108007))
        }
        return Reply(body: Self.error(108006))
    }

    /// Writes the answer: status line, headers (`Name:value` on compact-header firmware), fresh tokens, cookie.
    private func render(_ reply: Reply, freshTokenFor session: String? = nil, cookie: String? = nil, afterLogin: Bool = false) -> Answer {
        var headers = reply.headers
        if let session, sessions[session] != nil {
            if afterLogin {
                let one = newToken(), two = newToken()
                let more = (0..<28).map { _ in newToken() }
                sessions[session]?.tokens = [one, two] + more
                headers += [("__RequestVerificationTokenone", one), ("__RequestVerificationTokentwo", two),
                            ("__RequestVerificationToken", ([one, two] + more).joined(separator: "#"))]
            } else {
                let token = newToken()
                sessions[session]?.tokens.append(token)
                if sessions[session]?.tokens.count ?? 0 > 64 { sessions[session]?.tokens.removeFirst() }
                headers.append(("__RequestVerificationToken", token))
            }
        }
        if fault == .tokenStorm || fault == .tokenFlood {
            headers.append(("__RequestVerificationToken", (0..<(fault == .tokenFlood ? 10_000 : 1_500)).map { _ in "Q" + String(repeating: "x", count: 31) }.joined(separator: "#")))
        }
        if let cookie { headers.append(("Set-Cookie", "SessionID=\(cookie);path=/;HttpOnly;")) }
        let body = Array(reply.body.utf8)
        let separator = personality.compactHeaders ? ":" : ": "
        var head = "HTTP/1.1 \(reply.status) \(reply.status == 200 ? "OK" : "Found")\r\n"
        head += "Content-Type\(separator)text/html\r\nContent-Length\(separator)\(body.count)\r\nConnection\(separator)close\r\n"
        head += "Cache-Control\(separator)no-cache\r\nX-Unit\(separator)\(personality.imei)\r\n"
        for (name, value) in headers { head += "\(name)\(separator)\(value)\r\n" }
        head += "\r\n"
        return .bytes(Array(head.utf8) + body)
    }
}
