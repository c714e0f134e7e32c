import ATProtocol

/// One function a Huawei device names in its `^GETPORTMODE` reply (`PCUI:3`): the AT layer's `PortAssignment`.
///
/// The chooser reads the reply with `ATParse.portMode`, which gives these values with the function name upper case.
/// The number may count from 0 or from 1 (DOMAIN.md); see `DeviceClassifier.portModeATPort`.
public typealias PortModeEntry = PortAssignment
