/// One unit produced by `ATLineFramer`: a complete, non-empty line or a report that a line was too long.
///
/// Lines never contain NUL; leading and trailing spaces and tabs are trimmed. Only a `+CUSD:`
/// line whose quoted text spans several lines contains CR or LF (see `ATLineFramer`).
public enum ATFramedLine: Sendable, Equatable {
    /// A complete line, decoded once from UTF-8 (invalid sequences become U+FFFD).
    case line(String)
    /// A line longer than the framer's limit was dropped; `discardedBytes` counts its bytes (NULs excluded).
    case overflow(discardedBytes: Int)
}
