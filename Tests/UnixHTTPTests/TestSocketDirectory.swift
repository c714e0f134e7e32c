#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Testing
@testable import UnixHTTP

/// A fresh private directory under /tmp for one test's sockets, removed with its contents at the end.
struct TestSocketDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/unixhttp-test-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer -> Bool in
            guard let base = buffer.baseAddress else { return false }
            return mkdtemp(base) != nil
        }
        try #require(created, "mkdtemp failed: errno \(errno)")
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func socket(_ name: String = "api.sock") -> String {
        path + "/" + name
    }

    func remove() {
        if let directory = opendir(path) {
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name != "." && name != ".." {
                    unlink(path + "/" + name)
                }
            }
            closedir(directory)
        }
        rmdir(path)
    }
}

/// Starts a server on a fresh socket, runs `body`, then shuts the server down and cleans up.
func withServer(
    limits: UnixHTTPServer.Limits = UnixHTTPServer.Limits(),
    handler: @escaping UnixHTTPServer.Handler,
    _ body: (UnixHTTPServer, UnixHTTPClient) async throws -> Void
) async throws {
    let directory = try TestSocketDirectory()
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

/// Polls `condition` every few milliseconds until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration = .seconds(10), _ condition: () async -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return await condition()
}

/// A thread-safe flag the tests flip from `onTermination` callbacks.
final class Flag: Sendable {
    private let box = LockedBox(false)
    func set() { box.value = true }
    var isSet: Bool { box.value }
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
