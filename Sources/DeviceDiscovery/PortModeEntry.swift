/// One function a Huawei device names in its `^GETPORTMODE` reply (`PCUI:3`): the function and the interface
/// number the device gives it.
///
/// DeviceDiscovery does not parse AT replies itself: the station parses the reply with the AT layer's parser and
/// hands the result over as these values. The number may count from 0 or from 1 (DOMAIN.md); see
/// `DeviceClassifier.portModeATPort`.
public struct PortModeEntry: Sendable, Equatable {
    /// The function, upper case (`PCUI`, `MDM`, `NDIS`, `DIAG`, `CDROM`, `SD`, ...).
    public var name: String
    /// The interface number as the device reports it.
    public var index: Int

    /// Creates an entry.
    public init(name: String, index: Int) {
        self.name = name
        self.index = index
    }
}
