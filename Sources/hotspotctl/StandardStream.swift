import Foundation

/// Where a command writes its text: stdout and stderr in the binary, a buffer in tests.
protocol OutputSink: Sendable {
    /// Writes the text as is (callers add the line end).
    func write(_ text: String)
}

/// stdout or stderr, written without buffering so `watch` lines appear at once even through a pipe.
struct StandardStream: OutputSink {
    /// The file descriptor written to.
    let descriptor: Int32

    /// The process's standard output.
    static let standardOutput = StandardStream(descriptor: STDOUT_FILENO)
    /// The process's standard error.
    static let standardError = StandardStream(descriptor: STDERR_FILENO)

    func write(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return Foundation.write(descriptor, base + offset, buffer.count - offset)
            }
            if written > 0 {
                offset += written
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                return  // A closed pipe or full disk: nothing useful left to say, and nowhere to say it.
            }
        }
    }
}
