import FailureCodes

/// An error a station operation reports: what kind of failure it is, a stable code and a sentence.
///
/// The station says *what* went wrong; only `APIRouter` turns the kind into an HTTP status, so the services know
/// nothing of HTTP.
public struct StationError: Error, Sendable, Equatable {
    /// What kind of failure it is, as the caller must understand it.
    public enum Kind: Sendable, Equatable, CaseIterable {
        /// The request itself is malformed: a body that is not the expected JSON, a query value out of range.
        case malformedRequest
        /// The caller's role does not allow the request.
        case forbidden
        /// The route, device, order or voucher named does not exist.
        case notFound
        /// The request conflicts with the present state (a busy device, an order already closed).
        case conflict
        /// The device named went away.
        case gone
        /// The request is well formed but its content is refused (an unknown plan, a path that is not allowed).
        case unprocessable
        /// The caller sent too many money operations; `retryAfterSeconds` says when to try again.
        case rateLimited(retryAfterSeconds: Int)
        /// The station failed inside (the ledger could not be written, a reply could not be encoded).
        case internalFailure
        /// A device answered with a failure or not at all.
        case deviceFailed
        /// The station is not able to serve now (starting, shutting down).
        case unavailable
        /// A device or network unit did not answer in time.
        case timedOut
        /// The disk the ledger lives on is full.
        case storageFull

        /// One of each kind (the rate-limited one with a placeholder delay), for tests of the mapping.
        public static var allCases: [Kind] {
            [.malformedRequest, .forbidden, .notFound, .conflict, .gone, .unprocessable, .rateLimited(retryAfterSeconds: 1),
             .internalFailure, .deviceFailed, .unavailable, .timedOut, .storageFull]
        }
    }

    /// What kind of failure it is.
    public var kind: Kind
    /// Stable code.
    public var code: FailureCode
    /// A sentence for people.
    public var message: String
    /// The facts behind the sentence, for clients that word them in another language (see `FailureInfo.details`).
    public var details: [String: String]?

    /// Creates an error.
    public init(_ kind: Kind, code: FailureCode, message: String, details: [String: String]? = nil) {
        self.kind = kind
        self.code = code
        self.message = message
        self.details = details
    }
}
