/// One entry of Huawei `^GETPORTMODE`: a USB function name and its interface number.
public struct PortAssignment: Sendable, Equatable {
    /// The function (`PCUI`, `MDM`, `NDIS`, `CDROM`, `SD`, `DIAG`, ...).
    public var name: String
    /// The interface number as the device reports it (may start at 0 or 1).
    public var index: Int

    /// Creates a record.
    public init(name: String, index: Int) {
        self.name = name
        self.index = index
    }
}
