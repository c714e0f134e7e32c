import Foundation

/// The one error type of the simulator: what failed, the errno when the kernel said no, and context.
///
/// The simulator is both a pure interpreter (personality and operator files) and an OS adapter
/// (pseudo-terminals, files), so it throws a struct with a stable code rather than a closed enum.
public struct SimulatorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, stable for callers that branch on it.
    public enum Code: String, Sendable, Equatable {
        /// A personality file could not be read or is not valid.
        case invalidPersonality
        /// An operator file could not be read or is not valid.
        case invalidOperator
        /// A state file exists but could not be read or decoded.
        case invalidState
        /// A `--device PATH[:key=value,...]` specification is malformed.
        case invalidDeviceSpec
        /// Opening or configuring a pseudo-terminal failed.
        case pseudoTerminal
        /// Writing a file (state, ports file) failed.
        case fileWrite
        /// Creating or removing a symbolic link failed.
        case link
    }

    /// What went wrong.
    public var code: Code
    /// The errno of the failed system call, when there was one.
    public var errno: Int32?
    /// Human context: the file, the field, the call.
    public var context: String

    /// Creates an error; pass `errno` only when a system call failed.
    public init(_ code: Code, errno: Int32? = nil, _ context: String) {
        self.code = code
        self.errno = errno
        self.context = context
    }

    /// One line for logs and the command line.
    public var description: String {
        if let errno {
            return "\(code.rawValue): \(context): \(String(cString: strerror(errno))) (errno \(errno))"
        }
        return "\(code.rawValue): \(context)"
    }
}
