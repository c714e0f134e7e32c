import ArgumentParser
import StationAPI

/// Everything that can make a `hotspotctl` command fail once its arguments parsed.
///
/// Each case maps to one line on stderr, an exit status and, with `--json`, an `APIErrorBody` on stdout
/// (unless `resultAlreadyPrinted`), so scripts see the same shape whether the daemon or the CLI reported the failure.
enum HotspotctlError: Error, Equatable, Sendable {
    /// Nothing listens on the socket (missing, refused), or we may not connect to it.
    case daemonUnreachable(socketPath: String, reason: UnreachableReason)
    /// The daemon answered with a non-2xx status and (usually) an `APIErrorBody`.
    case daemonRejected(status: Int, body: APIErrorBody)
    /// The connection broke or timed out after it was made.
    case connectionFailed(socketPath: String, detail: String)
    /// The daemon answered 2xx with a body we could not read.
    case invalidReply(route: String, detail: String)
    /// The daemon closed the event stream while `watch` was reading it.
    case eventStreamEnded(socketPath: String)
    /// A local input could not be used (file unreadable, not UTF-8…).
    case localInput(String)
    /// `ledger verify` found a bad event or an anchor mismatch (the sentence names the event).
    case ledgerDoesNotVerify(String)
    /// `--database FILE` names no file, a file that is not a ledger, or one that cannot be read.
    case ledgerFile(path: String, detail: String)
    /// `provision --wait` saw the run end in failure (its status already printed).
    case runFailed(device: String, failure: FailureInfo)

    /// Why the socket could not be reached.
    enum UnreachableReason: Equatable, Sendable {
        /// No socket file, or nothing accepting on it.
        case notRunning
        /// The socket exists but this user may not connect (not in the `hotspot` group).
        case permissionDenied
    }

    /// The process exit status: 1 reported error, 3 daemon unreachable, 4 not found, 5 the ledger does not verify
    /// (2 is argument-parser's usage).
    var exitCode: ExitCode {
        switch self {
        case .daemonUnreachable, .connectionFailed, .eventStreamEnded: ExitCode(3)
        case .daemonRejected(let status, _) where status == 404: ExitCode(4)
        case .daemonRejected, .invalidReply, .localInput, .ledgerFile, .runFailed: ExitCode(1)
        case .ledgerDoesNotVerify: ExitCode(5)
        }
    }

    /// The one line printed on stderr after `hotspotctl: `.
    var message: String {
        switch self {
        case .daemonUnreachable(let path, .notRunning):
            "cannot reach hotspotd at \(path): is the daemon running?"
        case .daemonUnreachable(let path, .permissionDenied):
            "cannot reach hotspotd at \(path): permission denied (is this user in the hotspot group?)"
        case .daemonRejected(_, let body):
            body.error.message
        case .connectionFailed(let path, let detail):
            "lost the connection to hotspotd at \(path): \(detail)"
        case .invalidReply(let route, let detail):
            "could not read hotspotd's reply to \(route): \(detail)"
        case .eventStreamEnded(let path):
            "hotspotd at \(path) closed the event stream"
        case .localInput(let detail):
            detail
        case .ledgerDoesNotVerify(let detail):
            detail
        case .ledgerFile(let path, let detail):
            "ledger file \(path): \(detail)"
        case .runFailed(let device, let failure):
            "\(device) failed (\(failure.code)): \(failure.message)"
        }
    }

    /// The error in the API's own shape, for `--json` callers; CLI-side failures get codes of their own.
    ///
    /// Not printed for errors whose `resultAlreadyPrinted` is true (`ledger-does-not-verify`).
    var body: APIErrorBody {
        switch self {
        case .daemonRejected(_, let body):
            body
        case .daemonUnreachable:
            APIErrorBody(error: FailureInfo(code: .daemonUnreachable, message: message))
        case .connectionFailed:
            APIErrorBody(error: FailureInfo(code: .connectionFailed, message: message))
        case .invalidReply:
            APIErrorBody(error: FailureInfo(code: .invalidReply, message: message))
        case .eventStreamEnded:
            APIErrorBody(error: FailureInfo(code: .eventStreamEnded, message: message))
        case .localInput:
            APIErrorBody(error: FailureInfo(code: .localInput, message: message))
        case .ledgerDoesNotVerify:
            APIErrorBody(error: FailureInfo(code: .ledgerDoesNotVerify, message: message))
        case .ledgerFile:
            APIErrorBody(error: FailureInfo(code: .ledgerFile, message: message))
        case .runFailed(_, let failure):
            APIErrorBody(error: failure)
        }
    }

    /// True when the command that threw had already printed its full result on stdout, the failure included.
    ///
    /// Such a failure is still a line on stderr and an exit status, but no `APIErrorBody` follows the result on
    /// stdout: with `--json` stdout stays one JSON document. Today only `ledger verify` fails this way.
    var resultAlreadyPrinted: Bool {
        switch self {
        case .ledgerDoesNotVerify, .runFailed: true
        case .daemonUnreachable, .daemonRejected, .connectionFailed, .invalidReply, .eventStreamEnded, .localInput,
             .ledgerFile: false
        }
    }
}
