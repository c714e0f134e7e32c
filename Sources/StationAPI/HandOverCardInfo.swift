#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What the beneficiary's hand-over card shows, as `GET /v1/devices/{ref}/card` returns it.
///
/// It carries the Wi-Fi key (the card exists to hand it over), so the route needs a technician, like `status` with
/// the key revealed. It never carries IMEI, IMSI or ICCID: the card leaves the counter in the beneficiary's pocket.
public struct HandOverCardInfo: Codable, Sendable, Equatable {
    /// The station's handle for the device (`d1`), for the technician's own reference.
    public var deviceID: String
    /// The Wi-Fi name, when the device is a configured hotspot.
    public var ssid: String?
    /// The Wi-Fi key, when the device is a configured hotspot.
    public var key: String?
    /// The `WIFI:` payload of the QR code, escaped as phones read it.
    public var qrPayload: String?
    /// The plan's name.
    public var plan: String?
    /// The plan's volume in megabytes.
    public var megabytes: Int?
    /// The plan's price in euro cents.
    public var priceCents: Int?
    /// When the card's information was last confirmed (the device status's time).
    public var date: Date
    /// The operator's name.
    public var operatorName: String?
    /// The USSD code that shows the remaining data (the operator profile's balance code, such as `*123#`).
    public var balanceCode: String?
    /// The counter's own details (`card` in the daemon's configuration).
    public var counter: CounterDetails?

    /// Creates card information.
    public init(deviceID: String, ssid: String?, key: String?, qrPayload: String?, plan: String?, megabytes: Int?,
                priceCents: Int?, date: Date, operatorName: String?, balanceCode: String?, counter: CounterDetails?) {
        self.deviceID = deviceID
        self.ssid = ssid
        self.key = key
        self.qrPayload = qrPayload
        self.plan = plan
        self.megabytes = megabytes
        self.priceCents = priceCents
        self.date = date
        self.operatorName = operatorName
        self.balanceCode = balanceCode
        self.counter = counter
    }
}

/// The counter's details printed on every card: who, where, when, and what to do when the credit runs out.
public struct CounterDetails: Codable, Sendable, Equatable {
    /// The organisation's name.
    public var organisation: String?
    /// The counter's address (lines separated by `\n`).
    public var address: String?
    /// Opening hours, as the counter writes them.
    public var hours: String?
    /// A phone number.
    public var phone: String?
    /// What the beneficiary does when the credit runs out (replaces the card's default sentence).
    public var whenCreditRunsOut: String?

    /// Creates counter details.
    public init(organisation: String? = nil, address: String? = nil, hours: String? = nil, phone: String? = nil,
                whenCreditRunsOut: String? = nil) {
        self.organisation = organisation
        self.address = address
        self.hours = hours
        self.phone = phone
        self.whenCreditRunsOut = whenCreditRunsOut
    }
}
