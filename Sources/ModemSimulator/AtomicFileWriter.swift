import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a whole file so that readers see either the old content or the new one, never a mix.
///
/// Writes a temporary file in the same directory, fsyncs it, renames it over the target and fsyncs
/// the directory, so the state survives the simulator being killed at any instant.
public enum AtomicFileWriter {
    /// Replaces `path` with `bytes` atomically; throws `SimulatorError.Code.fileWrite` with errno.
    public static func write(_ bytes: [UInt8], to path: String) throws(SimulatorError) {
        let directory = (path as NSString).deletingLastPathComponent
        let base = (path as NSString).lastPathComponent
        let dir = directory.isEmpty ? "." : directory
        let temporary = "\(dir)/.\(base).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SimulatorError(.fileWrite, errno: errno, "open \(temporary)") }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { buffer in
                Glibc.write(fd, buffer.baseAddress, buffer.count)
            }
            if written < 0 {
                if errno == EINTR { continue }
                let code = errno
                close(fd)
                unlink(temporary)
                throw SimulatorError(.fileWrite, errno: code, "write \(temporary)")
            }
            offset += written
        }
        if fsync(fd) != 0 {
            let code = errno
            close(fd)
            unlink(temporary)
            throw SimulatorError(.fileWrite, errno: code, "fsync \(temporary)")
        }
        close(fd)
        if rename(temporary, path) != 0 {
            let code = errno
            unlink(temporary)
            throw SimulatorError(.fileWrite, errno: code, "rename \(temporary) to \(path)")
        }
        // Make the rename itself durable; a failure here leaves a correct file, so it is not fatal.
        let dirFD = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            _ = fsync(dirFD)
            close(dirFD)
        }
    }
}
