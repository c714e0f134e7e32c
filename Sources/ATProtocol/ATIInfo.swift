/// What `ATI` reports: maker, model, firmware revision and IMEI, whichever the device lists.
///
/// Labeled lines (`Manufacturer: huawei`) are preferred; devices that print bare lines (Quectel:
/// `Quectel` / `EC25` / `Revision: ...`) fill manufacturer then model from the first bare lines.
public struct ATIInfo: Sendable, Equatable {
    /// The manufacturer.
    public var manufacturer: String?
    /// The model.
    public var model: String?
    /// The firmware revision.
    public var revision: String?
    /// The IMEI as printed (not validated here; use `IMEI(validating:)`).
    public var imei: String?

    /// Creates a record.
    public init(manufacturer: String? = nil, model: String? = nil, revision: String? = nil, imei: String? = nil) {
        self.manufacturer = manufacturer
        self.model = model
        self.revision = revision
        self.imei = imei
    }
}
