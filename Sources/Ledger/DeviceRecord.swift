#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A device (hotspot or modem stick) the station has seen, keyed by IMEI.
public struct DeviceRecord: Sendable, Codable, Equatable, Identifiable {
    /// Row id.
    public var id: Int64
    /// 15-digit IMEI (secret beyond its last digits in API output).
    public var imei: String
    /// Manufacturer as reported by `+CGMI`.
    public var manufacturer: String?
    /// Model as reported by `+CGMM`.
    public var model: String?
    /// Firmware revision as reported by `+CGMR`.
    public var firmware: String?
    /// The AT port it was last seen on, e.g. "/dev/ttyUSB2".
    public var lastPort: String?
    /// First sighting.
    public var firstSeen: Date
    /// Latest sighting (an observation time; the only column written without an event).
    public var lastSeen: Date

    /// Makes a device value.
    public init(id: Int64, imei: String, manufacturer: String?, model: String?, firmware: String?,
                lastPort: String?, firstSeen: Date, lastSeen: Date) {
        self.id = id
        self.imei = imei
        self.manufacturer = manufacturer
        self.model = model
        self.firmware = firmware
        self.lastPort = lastPort
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
    }
}

/// A SIM card the station has seen, keyed by ICCID.
public struct SIMRecord: Sendable, Codable, Equatable {
    /// ICCID digits as read (secret beyond its last digits in API output).
    public var iccid: String
    /// IMSI when read.
    public var imsi: String?
    /// Whether the ICCID's Luhn check digit is valid.
    public var luhnValid: Bool
    /// First sighting.
    public var firstSeen: Date

    /// Makes a SIM value.
    public init(iccid: String, imsi: String?, luhnValid: Bool, firstSeen: Date) {
        self.iccid = iccid
        self.imsi = imsi
        self.luhnValid = luhnValid
        self.firstSeen = firstSeen
    }
}
