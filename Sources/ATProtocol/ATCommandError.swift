/// Why a command could not be built from the given input.
///
/// Thrown instead of ever emitting a command that contains CR, LF, `"`, `;`, Ctrl-Z, ESC or any
/// character outside the field's allowlist. `character` is one character (or `U+XXXX` for
/// non-printables), so errors are safe to log even when the field is a secret.
public enum ATCommandError: Error, Sendable, Equatable {
    /// The field was empty.
    case empty(field: String)
    /// The field was longer than `max` (characters or bytes, as the field defines).
    case tooLong(field: String, max: Int)
    /// The field contained a character outside its allowlist.
    case forbiddenCharacter(field: String, character: String)
    /// The field was otherwise unacceptable (range, length below minimum, wrong form).
    case invalid(field: String, reason: String)
}
