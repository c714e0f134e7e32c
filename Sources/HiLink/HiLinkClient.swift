import HiLinkProtocol
import NIOHTTP1
import Provisioning

/// How the station talks to one HiLink unit.
public struct HiLinkConfiguration: Sendable {
    /// Where the unit is.
    public var endpoint: HiLinkEndpoint
    /// Login user (`admin` on every firmware seen).
    public var username: String
    /// The web password, from configuration; nil when the unit needs none. Never logged.
    public var password: String?
    /// Most login attempts per unit; after that the unit is reported, never tried again by this client.
    public var maxLoginAttempts: Int
    /// A lock-out shorter than this is waited out (once); a longer one fails the call with `login-locked`.
    public var maxLockoutWait: Duration
    /// Deadline of one HTTP exchange.
    public var requestTimeout: Duration
    /// Pause between two `ussd/get` polls.
    public var ussdPollInterval: Duration
    /// Largest body accepted.
    public var maxBodyBytes: Int
    /// What the waits between exchanges read and sleep on (a lock-out waited out, the USSD reply wait and its polls);
    /// each HTTP exchange keeps its own deadline on the system's clock.
    public var clock: any Clock<Duration>

    /// Creates a configuration.
    public init(endpoint: HiLinkEndpoint, username: String = "admin", password: String? = nil,
                maxLoginAttempts: Int = 3, maxLockoutWait: Duration = .zero, requestTimeout: Duration = .seconds(10),
                ussdPollInterval: Duration = .milliseconds(500), maxBodyBytes: Int = 512 * 1024,
                clock: any Clock<Duration> = ContinuousClock()) {
        self.endpoint = endpoint
        self.username = username
        self.password = password
        self.maxLoginAttempts = maxLoginAttempts
        self.maxLockoutWait = maxLockoutWait
        self.requestTimeout = requestTimeout
        self.ussdPollInterval = ussdPollInterval
        self.maxBodyBytes = maxBodyBytes
        self.clock = clock
    }
}

extension HiLinkConfiguration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The configuration with the password replaced by whether there is one: safe to log.
    public var description: String {
        "HiLinkConfiguration(\(endpoint.label), user \(username), password \(password == nil ? "none" : "set"), "
            + "\(maxLoginAttempts) login attempts, lock-out wait \(maxLockoutWait), request timeout \(requestTimeout))"
    }

    /// Same as `description`: `debugPrint` and `dump` never show the password either.
    public var debugDescription: String { description }

    /// A mirror without the password.
    public var customMirror: Mirror {
        Mirror(self, children: ["endpoint": endpoint.label, "username": username, "password": password == nil ? "none" : "set"])
    }
}

/// A session with one HiLink unit: cookie, CSRF tokens, login, and the retry rules (re-prime and retry once on
/// 125001–125003, log in again and retry once on 100003).
public actor HiLinkClient {
    /// The configuration.
    public nonisolated let configuration: HiLinkConfiguration
    let transport: HiLinkTransport
    var cookie: String?
    var tokens = HiLinkTokenStore()
    /// Login attempts made since the last successful login.
    public private(set) var loginAttempts = 0
    /// Login POSTs made in this client's life (for reports and tests).
    public private(set) var loginPosts = 0
    var lockedUntil: ClockDeadline?
    var loginRefusal: DriverFailure?
    /// What `state-login` said last.
    public private(set) var loginState: HiLinkLoginState?
    /// The unit's RSA key (from SCRAM's answer or `webserver/publickey`).
    var rsaKey: HiLinkRSA.PublicKey?

    /// Creates a client; nothing is sent until the first call.
    public init(configuration: HiLinkConfiguration) {
        self.configuration = configuration
        transport = HiLinkTransport(endpoint: configuration.endpoint, maxBodyBytes: configuration.maxBodyBytes)
    }

    // MARK: Requests with the retry rules

    /// GETs an API path and returns its `<response>` (an `OK` answer gives an empty `response` element); a device
    /// error fails with its code.
    public func get(_ path: String) async throws(DriverFailure) -> HiLinkElement {
        try fields(of: await request(.GET, path, body: nil), path: path)
    }

    /// POSTs a body to an API path; `extraHeaders` carry `encrypt_transmit` and the like.
    public func post(_ path: String, body: String, extraHeaders: [(String, String)] = []) async throws(DriverFailure) -> HiLinkElement {
        try fields(of: await request(.POST, path, body: body, extraHeaders: extraHeaders), path: path)
    }

    /// Sends a request, applying the retry rules, and returns the answer as read (device errors included).
    /// `timeout` bounds this request's own exchange when shorter than the configured one (a USSD poll near its
    /// deadline); priming and logging in keep the configured deadline.
    public func request(_ method: HTTPMethod, _ path: String, body: String?, extraHeaders: [(String, String)] = [],
                        timeout: Duration? = nil) async throws(DriverFailure) -> HiLinkResponse {
        var reprimed = false
        var relogged = false
        while true {
            if cookie == nil || (method == .POST && tokens.isEmpty) { try await prime() }
            let response = try await once(method, path, body: body, extraHeaders: extraHeaders, timeout: timeout)
            if case .error(let code) = response {
                if code.isTokenRejection && !reprimed {
                    reprimed = true
                    tokens.clear()
                    try await prime()
                    continue
                }
                if code.needsLogin && !relogged && configuration.password != nil {
                    relogged = true
                    try await login()
                    continue
                }
            }
            return response
        }
    }

    func fields(of response: HiLinkResponse, path: String) throws(DriverFailure) -> HiLinkElement {
        switch response {
        case .ok: return HiLinkElement(name: "response")
        case .fields(let element): return element
        case .error(let code): throw Self.failure(code, path)
        }
    }

    static func failure(_ code: HiLinkErrorCode, _ path: String) -> DriverFailure {
        DriverFailure(code: code.failureCode, message: "The unit answered \(path) with error \(code).")
    }

    /// One exchange: attaches cookie and a token (POST), absorbs the cookie and tokens of the answer, reads the body.
    func once(_ method: HTTPMethod, _ path: String, body: String?, extraHeaders: [(String, String)] = [], token: String? = nil,
              timeout: Duration? = nil) async throws(DriverFailure) -> HiLinkResponse {
        var headers = extraHeaders
        if let cookie { headers.append(("Cookie", cookie)) }
        if method == .POST, let token = token ?? tokens.take() {
            headers.append(("__RequestVerificationToken", token))
        }
        let answer = try await exchange(method, path, headers: headers, body: body, timeout: timeout)
        do {
            return try HiLinkResponse(body: answer.body)
        } catch {
            throw DriverFailure(code: "device-malformed-reply", message: "The unit's answer to \(path) is not HiLink XML (\(error)).")
        }
    }

    /// The HTTP exchange itself, with cookie and token absorption and transport failures mapped.
    func exchange(_ method: HTTPMethod, _ path: String, headers: [(String, String)], body: String?,
                  timeout: Duration? = nil) async throws(DriverFailure) -> HiLinkHTTPResponse {
        let answer: HiLinkHTTPResponse
        do {
            answer = try await transport.send(method: method, path: path, headers: headers, body: body, timeout: min(timeout ?? configuration.requestTimeout, configuration.requestTimeout))
        } catch {
            throw Self.failure(error, path)
        }
        for header in answer.headers where header.name.lowercased() == "set-cookie" {
            if let pair = HiLinkCookie.sessionPair(fromSetCookie: header.value) { cookie = pair }
        }
        tokens.absorb(headers: answer.headers)
        switch answer.status {
        case 200: return answer
        case 300..<400:
            throw DriverFailure(code: "device-redirected", message: "The unit redirected \(path) (HTTP \(answer.status)); redirects are not followed.")
        default:
            throw DriverFailure(code: "device-http-error", message: "The unit answered \(path) with HTTP \(answer.status).")
        }
    }

    static func failure(_ error: HiLinkTransportError, _ path: String) -> DriverFailure {
        switch error {
        case .timedOut: return DriverFailure(code: "device-timeout", message: "The unit did not answer \(path) in time.")
        case .bodyTooLarge: return DriverFailure(code: "device-malformed-reply", message: "The unit's answer to \(path) is too large.")
        case .closedEarly: return DriverFailure.deviceGone("The unit closed the connection before answering \(path).")
        case .malformed(let why): return DriverFailure(code: "device-malformed-reply", message: "The unit's answer to \(path) is not valid HTTP (\(why)).")
        case .connect(let why): return DriverFailure.deviceGone("The unit cannot be reached (\(why)).")
        case .interfaceGone(let name): return DriverFailure.deviceGone("The unit's interface \(name) is gone.")
        case .bind(let why): return DriverFailure(code: "interface-bind-failed", message: "Cannot bind to the unit's interface (\(why)); a socket already bound, or a kernel before 5.7 without CAP_NET_RAW, refuses it.")
        case .cancelled: return DriverFailure(code: "cancelled", message: "The request to \(path) was cancelled.")
        }
    }

    // MARK: Session priming

    /// Gets a session cookie and a token: `SesTokInfo`, else `webserver/token` (WebUI 17 answers 100002 there),
    /// else the home page's meta tags.
    public func prime() async throws(DriverFailure) {
        if case .fields(let info)? = try? await once(.GET, "/api/webserver/SesTokInfo", body: nil) {
            if let pair = info["SesInfo"].flatMap(HiLinkCookie.sessionPair(fromSesInfo:)) { cookie = pair }
            if let token = info["TokInfo"] { tokens.replace(with: [token]) }
            if cookie != nil && !tokens.isEmpty { return }
        }
        if case .fields(let info)? = try? await once(.GET, "/api/webserver/token", body: nil),
           let token = info["token"].flatMap(HiLinkTokenStore.tokenFromTokenEndpoint) {
            tokens.replace(with: [token])
            if cookie != nil { return }
        }
        let page = try await exchange(.GET, "/", headers: cookie.map { [("Cookie", $0)] } ?? [], body: nil)
        tokens.replace(with: HiLinkTokenStore.metaTokens(inPage: String(decoding: page.body.prefix(64 * 1024), as: UTF8.self)))
        guard !tokens.isEmpty else {
            throw DriverFailure(code: "session-refused", message: "The unit gave no session token (SesTokInfo, token and home page tried).")
        }
    }

    // MARK: Login

    /// Logs in with the configured password, with the method `state-login` names (type 4, base64 or SCRAM) and a
    /// fallback to SCRAM when a type-4 login is refused by firmware that did not say which it wants. Counts every
    /// login POST against `maxLoginAttempts`; a lock-out is waited out only when shorter than `maxLockoutWait`.
    public func login() async throws(DriverFailure) {
        if let loginRefusal { throw loginRefusal }
        guard let password = configuration.password else {
            throw DriverFailure(code: "login-required", message: "The unit asks for a login and no password is configured for it.")
        }
        try await waitOutLockout()
        if cookie == nil || tokens.isEmpty { try await prime() }
        var state: HiLinkLoginState?
        if case .fields(let element)? = try? await once(.GET, "/api/user/state-login", body: nil) {
            state = HiLinkLoginState(element)
            loginState = state
        }
        if let state {
            if state.loggedIn { return }
            if state.lockStatus == 1, let wait = state.remainWaitTime, wait > 0 {
                lockedUntil = ClockDeadline(after: .seconds(wait), on: configuration.clock)
                try await waitOutLockout()
            }
        }
        var methods: [HiLinkLoginMethod] = [state?.method ?? .type4]
        if methods == [.type4] && state?.externPasswordType == nil { methods.append(.scram) }
        for (index, method) in methods.enumerated() {
            guard loginAttempts < configuration.maxLoginAttempts else {
                let refusal = DriverFailure(code: "login-attempts-exhausted",
                                            message: "\(configuration.maxLoginAttempts) login attempts failed; the unit is not tried again until its password is corrected.")
                loginRefusal = refusal
                throw refusal
            }
            loginAttempts += 1
            var outcome = try await attempt(method, password: password)
            if case .refused(let code) = outcome, code.isTokenRejection {
                // The session itself was refused (expired, replaced): a fresh one, and the same attempt once more.
                cookie = nil
                tokens.clear()
                try await prime()
                outcome = try await attempt(method, password: password)
            }
            switch outcome {
            case .success:
                loginAttempts = 0
                return
            case .refused(let code) where code == .lockedOut || code == .loginTooFrequent:
                var wait = 60
                if case .fields(let element)? = try? await once(.GET, "/api/user/state-login", body: nil),
                   let remaining = HiLinkLoginState(element).remainWaitTime, remaining > 0 {
                    wait = remaining
                }
                lockedUntil = ClockDeadline(after: .seconds(wait), on: configuration.clock)
                throw DriverFailure(code: "login-locked", message: "The unit locked its login after wrong passwords; \(wait) s left.")
            case .refused(let code):
                let last = index == methods.count - 1
                if !last && (code == .wrongCredentials || code == .unknownEndpoint || code == .parameter) { continue }
                if loginAttempts >= configuration.maxLoginAttempts {
                    loginRefusal = DriverFailure(code: "login-attempts-exhausted",
                                                 message: "\(configuration.maxLoginAttempts) login attempts failed (last: \(code)); the unit is not tried again until its password is corrected.")
                }
                throw DriverFailure(code: code.failureCode, message: "The unit refused the login (\(code)).")
            }
        }
    }

    /// Fails with `login-locked` while a lock-out longer than `maxLockoutWait` runs; sleeps through a shorter one.
    func waitOutLockout() async throws(DriverFailure) {
        guard let until = lockedUntil else { return }
        let left = until.remaining
        if left <= .zero {
            lockedUntil = nil
            return
        }
        guard left <= configuration.maxLockoutWait else {
            throw DriverFailure(code: "login-locked", message: "The unit's login is locked for \(left.components.seconds + 1) s more; it is not tried before.")
        }
        do {
            try await configuration.clock.sleep(for: left)
        } catch {
            throw DriverFailure(code: "cancelled", message: "Cancelled while waiting out a login lock-out.")
        }
        lockedUntil = nil
    }

    enum LoginOutcome {
        case success
        case refused(HiLinkErrorCode)
    }

    func attempt(_ method: HiLinkLoginMethod, password: String) async throws(DriverFailure) -> LoginOutcome {
        let user = configuration.username
        switch method {
        case .type4, .plain:
            if tokens.isEmpty { try await prime() }
            guard let token = tokens.take() else { throw DriverFailure(code: "session-refused", message: "No token to log in with.") }
            let secret = method == .type4 ? HiLinkLogin.passwordType4(user: user, password: password, token: token) : HiLinkLogin.passwordPlain(password)
            let body = HiLinkXML.request(["Username": user, "Password": secret, "password_type": method == .type4 ? "4" : "0"])
            loginPosts += 1
            return outcome(try await once(.POST, "/api/user/login", body: body, token: token))
        case .scram:
            if tokens.isEmpty { try await prime() }
            let scram = HiLinkSCRAM()
            loginPosts += 1
            let challenge = try await once(.POST, "/api/user/challenge_login",
                                           body: HiLinkXML.request(["username": user, "firstnonce": scram.firstNonce, "mode": "1"]))
            guard case .fields(let element) = challenge else { return outcome(challenge) }
            guard let salt = element["salt"], let serverNonce = element["servernonce"],
                  let iterations = element["iterations"].flatMap({ Int($0) }) else {
                throw DriverFailure(code: "device-malformed-reply", message: "The unit's SCRAM challenge lacks salt, nonce or iterations.")
            }
            let proof: HiLinkSCRAM.Proof
            do {
                proof = try scram.proof(password: password, salt: salt, serverNonce: serverNonce, iterations: iterations)
            } catch {
                throw DriverFailure(code: "login-failed", message: "The unit's SCRAM challenge is unusable (\(error)).")
            }
            if tokens.isEmpty { try await prime() }
            let final = try await once(.POST, "/api/user/authentication_login",
                                       body: HiLinkXML.request(["clientproof": proof.clientProof, "finalnonce": serverNonce]))
            guard case .fields(let answer) = final else { return outcome(final) }
            do {
                try HiLinkSCRAM.verify(serverSignature: answer["serversignature"] ?? "", expected: proof.expectedServerSignature)
            } catch {
                throw DriverFailure(code: "login-failed", message: "The unit did not prove it knows the password (server signature).")
            }
            if let n = answer["rsan"], let e = answer["rsae"] { rsaKey = try? HiLinkRSA.PublicKey(modulusHex: n, exponentHex: e) }
            return .success
        }
    }

    func outcome(_ response: HiLinkResponse) -> LoginOutcome {
        switch response {
        case .ok, .fields: return .success
        case .error(let code): return code == .alreadyLoggedIn ? .success : .refused(code)
        }
    }

    // MARK: RSA

    /// The unit's RSA key and padding, fetched once.
    public func encryption() async throws(DriverFailure) -> (HiLinkRSA.PublicKey, HiLinkRSA.Padding) {
        if loginState == nil, case .fields(let element)? = try? await once(.GET, "/api/user/state-login", body: nil) {
            loginState = HiLinkLoginState(element)
        }
        let padding = HiLinkRSA.Padding(rsaPaddingType: loginState?.rsaPaddingType)
        if let rsaKey { return (rsaKey, padding) }
        let element = try await get("/api/webserver/publickey")
        do {
            let key = try HiLinkRSA.PublicKey(modulusHex: element["encpubkeyn"] ?? "", exponentHex: element["encpubkeye"] ?? "")
            rsaKey = key
            return (key, padding)
        } catch {
            throw DriverFailure(code: "device-malformed-reply", message: "The unit's public key is unusable (\(error)).")
        }
    }

    /// Encrypts text with the unit's key the HiLink way.
    public func encrypt(_ text: String) async throws(DriverFailure) -> String {
        let (key, padding) = try await encryption()
        do {
            return try HiLinkRSA.encrypt(text, key: key, padding: padding)
        } catch {
            throw DriverFailure(code: "encryption-failed", message: "Cannot encrypt for the unit (\(error)).")
        }
    }
}
