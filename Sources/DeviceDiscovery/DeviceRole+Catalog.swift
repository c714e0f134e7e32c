import StationAPI

/// The catalog's spelling of the one `DeviceRole` (the API's type): catalog files say `simReader` where the API says
/// `sim-reader`, and a catalog entry never says `unknown` (that is only for a device nothing is known about yet).
extension DeviceRole {
    /// The role a catalog file names (`hotspot`, `modem`, `simReader`), or `nil` for any other text.
    public init?(catalogName: String) {
        switch catalogName {
        case "hotspot": self = .hotspot
        case "modem": self = .modem
        case "simReader": self = .simReader
        default: return nil
        }
    }
}
