/// `+COPS?` (27.007 §7.3): how the operator is selected and which one is used.
public struct OperatorSelection: Sendable, Equatable {
    /// 0 automatic, 1 manual, 2 deregister, 3 set format only, 4 manual/automatic.
    public var mode: Int
    /// 0 long alphanumeric, 1 short alphanumeric, 2 numeric; nil when not registered.
    public var format: Int?
    /// The operator in `format`, nil when not registered.
    public var operatorName: String?
    /// Access technology (0 GSM, 2 UTRAN, 7 E-UTRAN, ...), when sent.
    public var accessTechnology: Int?

    /// Creates a record.
    public init(mode: Int, format: Int? = nil, operatorName: String? = nil, accessTechnology: Int? = nil) {
        self.mode = mode
        self.format = format
        self.operatorName = operatorName
        self.accessTechnology = accessTechnology
    }
}
