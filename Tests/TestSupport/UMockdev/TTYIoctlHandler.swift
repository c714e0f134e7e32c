import CUMockdev
import Glibc

/// Makes direct `ioctl()`s on a mocked tty reach the real pty behind it (TESTING.md §3c): TIOCEXCL works, and the
/// modem-line calls get plausible answers. Keep the returned handler alive while the device is in use.
public enum TTYIoctlHandler {
    public static func attach(_ testbed: MockTestbed, device: String) -> UnsafeMutablePointer<UMockdevIoctlBase>? {
        guard let handler = umockdev_ioctl_base_new() else { return nil }
        let callback: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<UMockdevIoctlClient>?, UnsafeMutableRawPointer?) -> gboolean = { _, client, _ in
            let request = umockdev_ioctl_client_get_request(client)
            if request == UInt(TIOCMGET) {
                var bits = Int32(TIOCM_DTR | TIOCM_RTS | TIOCM_CTS | TIOCM_DSR | TIOCM_CAR)
                let data = umockdev_ioctl_data_resolve(umockdev_ioctl_client_get_arg(client), 0, 4, nil)
                withUnsafeMutableBytes(of: &bits) { raw in
                    if let base = raw.baseAddress { umockdev_ioctl_data_update(data, 0, base.assumingMemoryBound(to: UInt8.self), 4) }
                }
                umockdev_ioctl_client_complete(client, 0, 0)
                return 1
            }
            if request == UInt(TIOCMSET) || request == UInt(TIOCMBIS) || request == UInt(TIOCMBIC) {
                umockdev_ioctl_client_complete(client, 0, 0)
                return 1
            }
            var error: Int32 = 0
            let result = umockdev_ioctl_client_execute(client, &error, nil)
            umockdev_ioctl_client_complete(client, Int(result), error)
            return 1
        }
        g_signal_connect_data(handler, "handle-ioctl", unsafeBitCast(callback, to: GCallback.self), nil, nil, GConnectFlags(rawValue: 0))
        var gerror: UnsafeMutablePointer<GError>?
        guard umockdev_testbed_attach_ioctl(testbed.pointer, device, handler, &gerror) != 0 else {
            if let gerror { g_error_free(gerror) }
            g_object_unref(handler)
            return nil
        }
        return handler
    }
}
