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
            await openHiLink(configure(interface, host))
        }
    }

    /// Opens a `HiLinkDriver` with `configuration` (it logs in and reads `basic_information`): the connection the
    /// station lists as `http://HOST:PORT via IF`, or why the unit cannot be opened (504 when it did not answer).
    public static func openHiLink(_ configuration: HiLinkConfiguration) async -> Result<NetworkDeviceConnection, StationError> {
        do throws(DriverFailure) {
            let driver = try await HiLinkDriver.open(configuration)
            return .success(NetworkDeviceConnection(driver: driver, port: configuration.endpoint.label, close: {}))
        } catch {
            return .failure(StationError(error.isDeviceGone || error.code == .deviceTimeout ? .timedOut : .deviceFailed, code: error.code,
                                         message: "The HiLink unit at \(configuration.endpoint.label) cannot be opened: \(error.message)"))
        }
    }

    /// A HiLink configuration for a unit found by discovery: the unit's address on port 80, bound to the interface.
    public static func hiLinkConfiguration(interface: String, host: String, password: String?) -> HiLinkConfiguration {
        HiLinkSettings(password: password).configuration(endpoint: HiLinkEndpoint(host: host, port: 80, interface: interface))
    }
}

extension HiLinkSettings {
    /// The configuration for the unit at `endpoint`: the station's user and password, its login attempts.
    public func configuration(endpoint: HiLinkEndpoint) -> HiLinkConfiguration {
        HiLinkConfiguration(endpoint: endpoint, username: username ?? "admin", password: password,
                            maxLoginAttempts: loginAttempts ?? 3)
    }

    /// How the daemon opens units found by discovery: bound to their interface, on port 80.
    public func discoveryOpener() -> NetworkDeviceOpener {
        NetworkDeviceOpener.hiLink { interface, host in
            configuration(endpoint: HiLinkEndpoint(host: host, port: 80, interface: interface))
        }
    }

    /// How the daemon opens a unit named by a person (`hotspotctl attach http://HOST[:PORT] [--interface IF]`).
    public func urlOpener() -> @Sendable (_ url: String, _ interface: String?) async -> Result<NetworkDeviceConnection, StationError> {
        { url, interface in
            guard let endpoint = HiLinkEndpoint(url: url, interface: interface) else {
                return .failure(StationError(.unprocessable, code: .invalidURL,
                                             message: "A HiLink unit is named http://HOST[:PORT], with an interface name of 1 to 15 characters."))
            }
            return await NetworkDeviceOpener.openHiLink(configuration(endpoint: endpoint))
        }
    }
}
