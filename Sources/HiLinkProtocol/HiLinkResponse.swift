import FailureCodes

/// What a HiLink API answer means: `<response>OK</response>`, a `<response>` with fields, or `<error>`.
public enum HiLinkResponse: Sendable, Equatable {
    /// `<response>OK</response>`.
    case ok
    /// A `<response>` with fields.
    case fields(HiLinkElement)
    /// `<error><code>N</code>…</error>`.
    case error(HiLinkErrorCode)

    /// Reads a parsed body; a root other than `response` or `error`, or an error without a numeric code, is
    /// malformed.
    public init(_ root: HiLinkElement) throws(HiLinkXMLError) {
        switch root.name {
        case "response":
            if root.children.isEmpty && root.text.trimmingBlanks == "OK" {
                self = .ok
            } else {
                self = .fields(root)
            }
        case "error":
            guard let text = root["code"], let code = Int(text.trimmingBlanks) else {
                throw .malformed("an <error> without a numeric <code>")
            }
            self = .error(HiLinkErrorCode(rawValue: code))
        default:
            throw .malformed("unexpected root <\(root.name)>")
        }
    }

    /// Parses and reads a body.
    public init(body: [UInt8], limits: HiLinkXMLLimits = HiLinkXMLLimits()) throws(HiLinkXMLError) {
        try self.init(HiLinkXML.parse(body, limits: limits))
    }
}

/// A HiLink error code (`<error><code>N</code>`), with what the station does about it.
public struct HiLinkErrorCode: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The number the device sent.
    public var rawValue: Int

    /// Wraps a number.
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// 100002: the firmware has no such endpoint.
    public static let unknownEndpoint = HiLinkErrorCode(rawValue: 100002)
    /// 100003: no rights (not logged in, or the session expired).
    public static let noRights = HiLinkErrorCode(rawValue: 100003)
    /// 100004: the device is busy.
    public static let busy = HiLinkErrorCode(rawValue: 100004)
    /// 100005: the request's format is wrong.
    public static let format = HiLinkErrorCode(rawValue: 100005)
    /// 100006: a parameter is wrong (a 7-character WPA key…).
    public static let parameter = HiLinkErrorCode(rawValue: 100006)
    /// 103002: wrong PIN.
    public static let wrongPIN = HiLinkErrorCode(rawValue: 103002)
    /// 108003: already logged in.
    public static let alreadyLoggedIn = HiLinkErrorCode(rawValue: 108003)
    /// 108005: too many users logged in.
    public static let tooManyUsers = HiLinkErrorCode(rawValue: 108005)
    /// 108006: wrong user name or password (also type-4 logins on SCRAM-only firmware).
    public static let wrongCredentials = HiLinkErrorCode(rawValue: 108006)
    /// 108007: locked out after wrong passwords; wait `remainwaittime`.
    public static let lockedOut = HiLinkErrorCode(rawValue: 108007)
    /// 108009: logged in elsewhere.
    public static let loggedInElsewhere = HiLinkErrorCode(rawValue: 108009)
    /// 108010: logins too frequent.
    public static let loginTooFrequent = HiLinkErrorCode(rawValue: 108010)
    /// 111013: a USSD session is already open.
    public static let ussdBusy = HiLinkErrorCode(rawValue: 111013)
    /// 111019: no USSD answer yet (poll again).
    public static let ussdPending = HiLinkErrorCode(rawValue: 111019)
    /// 111020: the network did not answer the USSD in time.
    public static let ussdNetworkTimeout = HiLinkErrorCode(rawValue: 111020)
    /// 111022: the network offers no USSD.
    public static let ussdUnsupported = HiLinkErrorCode(rawValue: 111022)
    /// 125001: wrong token.
    public static let wrongToken = HiLinkErrorCode(rawValue: 125001)
    /// 125002: wrong session.
    public static let wrongSession = HiLinkErrorCode(rawValue: 125002)
    /// 125003: wrong session token.
    public static let wrongSessionToken = HiLinkErrorCode(rawValue: 125003)

    /// The token or session was refused: fetch fresh tokens and retry once.
    public var isTokenRejection: Bool { (125001...125003).contains(rawValue) }

    /// The session has no rights: log in (again) and retry once.
    public var needsLogin: Bool { self == .noRights }

    /// The stable failure code the station reports for this error.
    public var failureCode: FailureCode {
        switch self {
        case .noRights: return .loginRequired
        case .wrongCredentials: return .loginFailed
        case .lockedOut, .loginTooFrequent: return .loginLocked
        case .tooManyUsers, .loggedInElsewhere: return .loginBusy
        case .busy: return .deviceBusy
        case .unknownEndpoint: return .unsupportedByDevice
        case .format, .parameter: return .refusedByDevice
        case .ussdBusy, .ussdUnsupported: return .ussdRefusedByDevice
        case .wrongPIN: return .pinWrong
        case .ussdNetworkTimeout: return .ussdNetworkTimeout
        case .wrongToken, .wrongSession, .wrongSessionToken: return .sessionRefused
        default: return .deviceError
        }
    }

    /// The number and, when known, its meaning.
    public var description: String {
        let meaning: String
        switch self {
        case .unknownEndpoint: meaning = "unknown endpoint"
        case .noRights: meaning = "no rights"
        case .busy: meaning = "busy"
        case .format: meaning = "bad request format"
        case .parameter: meaning = "bad parameter"
        case .wrongPIN: meaning = "wrong PIN"
        case .alreadyLoggedIn: meaning = "already logged in"
        case .tooManyUsers: meaning = "too many users"
        case .wrongCredentials: meaning = "wrong user name or password"
        case .lockedOut: meaning = "locked out"
        case .loggedInElsewhere: meaning = "logged in elsewhere"
        case .loginTooFrequent: meaning = "logins too frequent"
        case .ussdBusy: meaning = "USSD session already open"
        case .ussdPending: meaning = "no USSD answer yet"
        case .ussdNetworkTimeout: meaning = "USSD network time-out"
        case .ussdUnsupported: meaning = "network has no USSD"
        case .wrongToken: meaning = "wrong token"
        case .wrongSession: meaning = "wrong session"
        case .wrongSessionToken: meaning = "wrong session token"
        default: meaning = "unknown error"
        }
        return "\(rawValue) (\(meaning))"
    }
}

extension String {
    /// The string without leading and trailing blanks (space, tab, CR, LF).
    var trimmingBlanks: String {
        let blanks: Set<Character> = [" ", "\t", "\r", "\n", "\r\n"]
        var view = Substring(self)
        while let first = view.first, blanks.contains(first) { view = view.dropFirst() }
        while let last = view.last, blanks.contains(last) { view = view.dropLast() }
        return String(view)
    }
}
