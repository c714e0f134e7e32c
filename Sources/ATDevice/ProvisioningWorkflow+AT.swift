import DeviceCatalog
import Provisioning

extension ProvisioningWorkflow {
    /// A workflow for a device that speaks AT on `channel`, through an `ATDriver` with these dialects, the
    /// policy's data-lock code and `clock` for the driver's own waits.
    public init(channel: any DeviceChannel, recorder: any ProvisioningRecorder, policy: ProvisioningPolicy,
                dialects: DialectCatalog = DialectCatalog(), keys: WiFiKeyGenerator = WiFiKeyGenerator(),
                clock: any Clock<Duration> = ContinuousClock(), progress: @escaping ProgressSink = { _ in }) {
        self.init(driver: ATDriver(channel: channel, dialects: dialects, dataLockCode: policy.wifi.dataLockCode, clock: clock),
                  recorder: recorder, policy: policy, keys: keys, progress: progress)
    }
}
