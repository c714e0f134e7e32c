/// The outcome of decoding one captured reply offline.
public struct ATDecodeResult: Sendable, Equatable {
    /// The decoded value (always an object; see `ATReplyDecoder` for its keys).
    public var value: JSONValue
    /// True when the reply was an error final result or could not be parsed.
    public var isError: Bool

    /// Creates a result.
    public init(value: JSONValue, isError: Bool) {
        self.value = value
        self.isError = isError
    }
}
