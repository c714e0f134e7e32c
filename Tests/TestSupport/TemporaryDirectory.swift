import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A fresh private directory under `/tmp` (mode 0700, from `mkdtemp(3)`), removed with everything in it when the
/// value is released or `remove()` is called.
///
/// Keep the value alive for as long as the test uses the directory (`let directory = try TemporaryDirectory()` at the
/// top of the test is enough: it lives to the end of the scope).
public final class TemporaryDirectory: Sendable {
    /// The directory's absolute path.
    public let path: String

    /// Creates the directory; `prefix` names it in `/tmp` so a leftover says which test made it.
    public init(prefix: String = "hotspot-test") throws {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer -> Bool in
            guard let base = buffer.baseAddress else { return false }
            return mkdtemp(base) != nil
        }
        guard created else { throw TestSupportError(call: "mkdtemp", errno: errno) }
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The path of `name` inside the directory (nothing is created).
    public func file(_ name: String) -> String {
        path + "/" + name
    }

    /// Removes the directory and its contents now (idempotent).
    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    deinit { remove() }
}

/// A system call of the test support that failed, with its errno.
public struct TestSupportError: Error, CustomStringConvertible {
    /// The call, e.g. `openpty`.
    public let call: String
    /// The errno it left.
    public let errno: Int32

    /// Creates the error.
    public init(call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    public var description: String { "\(call) failed: errno \(errno)" }
}
