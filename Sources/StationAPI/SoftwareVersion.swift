/// The version of hotspot-station's programs (`hotspotd --version`, `hotspotctl --version`, `/v1/health`).
public enum SoftwareVersion {
    /// The release, as `MAJOR.MINOR.PATCH`.
    public static let current = "0.1.0"
}
