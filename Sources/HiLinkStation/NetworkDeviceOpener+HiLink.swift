import HiLink
import Provisioning
import Station

extension NetworkDeviceOpener {
    /// The opener of HiLink units: discovery hands it a USB network interface and the unit's address behind it;
    /// it opens a `HiLinkDriver` bound to that interface (which logs in and reads `basic_information`) and hands the
    /// station a connection listed as `http://HOST:PORT via IF`. `configure` supplies the rest of the configuration
    /// (password, attempts, deadlines) for that interface and host; its endpoint is used as given.
    public static func hiLink(addressPatience: Duration = .seconds(60),
                              unitAddress: (@Sendable (_ interface: String) -> String?)? = nil,
                              configure: @escaping @Sendable (_ interface: String, _ host: String) -> HiLinkConfiguration) -> NetworkDeviceOpener {
        NetworkDeviceOpener(addressPatience: addressPatience, unitAddress: unitAddress) { interface, host in
            let configuration = configure(interface, host)
            do throws(DriverFailure) {
                let driver = try await HiLinkDriver.open(configuration)
                return .success(NetworkDeviceConnection(driver: driver, port: configuration.endpoint.label, close: {}))
            } catch {
                return .failure(StationError(status: error.isDeviceGone ? 504 : 502, code: error.code,
                                             message: "The HiLink unit at \(configuration.endpoint.label) cannot be opened: \(error.message)"))
            }
        }
    }

    /// A HiLink configuration for a unit found by discovery: the unit's address on port 80, bound to the interface.
    public static func hiLinkConfiguration(interface: String, host: String, password: String?) -> HiLinkConfiguration {
        HiLinkConfiguration(endpoint: HiLinkEndpoint(host: host, port: 80, interface: interface), password: password)
    }
}
