#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Testing
import TestSupport
@testable import UnixHTTP

/// The sockets of one test live in a `TemporaryDirectory` of their own.
extension TemporaryDirectory {
    /// The path of socket `name` in the directory.
    func socket(_ name: String = "api.sock") -> String {
        file(name)
    }
}

/// Starts a server on a fresh socket, runs `body`, then shuts the server down and cleans up.
func withServer(
    limits: UnixHTTPServer.Limits = UnixHTTPServer.Limits(),
    handler: @escaping UnixHTTPServer.Handler,
    _ body: (UnixHTTPServer, UnixHTTPClient) async throws -> Void
) async throws {
    let directory = try TemporaryDirectory(prefix: "unixhttp-test")
    defer { directory.remove() }
    let server = UnixHTTPServer(socketPath: directory.socket(), limits: limits, handler: handler)
    try await server.start()
    let client = UnixHTTPClient(socketPath: directory.socket(), timeout: .seconds(5))
    do {
        try await body(server, client)
    } catch {
        await server.shutdown()
        throw error
    }
    await server.shutdown()
}

/// The smallest locked box the tests need.
final class LockedBox<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    var value: Value {
        get { mutex.withLock { $0 } }
        set { mutex.withLock { $0 = newValue } }
    }
}
