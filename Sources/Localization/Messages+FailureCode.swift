import FailureCodes

extension Messages {
    /// What to do about a typed failure code, one sentence; `nil` for a code the catalog does not know.
    public func action(_ code: FailureCode) -> String? {
        action(code.rawValue)
    }

    /// A typed failure for people: the sentence, what to do, then the code in brackets (see `failure(code:)`).
    public func failure(code: FailureCode) -> String {
        failure(code: code.rawValue)
    }

    /// Whether the catalog has both languages' sentence and action for this typed failure code.
    public static func knowsFailure(_ code: FailureCode) -> Bool {
        knowsFailure(code.rawValue)
    }
}
