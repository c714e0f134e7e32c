import DeviceCatalog
import Provisioning

extension ProvisioningWorkflow {
    /// A workflow for a device that speaks AT on `channel`, through an `ATDriver` with these dialects and the
    /// policy's data-lock code.
    public init(channel: any DeviceChannel, recorder: any ProvisioningRecorder, policy: ProvisioningPolicy,
                dialects: DialectCatalog = DialectCatalog(), keys: WiFiKeyGenerator = WiFiKeyGenerator(),
                progress: @escaping ProgressSink = { _ in }) {
        self.init(driver: ATDriver(channel: channel, dialects: dialects, dataLockCode: policy.wifi.dataLockCode),
                  recorder: recorder, policy: policy, keys: keys, progress: progress)
    }
}
