#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import StationAPI

extension Station {
    /// The hand-over card of a device: Wi-Fi name and key, plan and price, the operator's balance code and the
    /// counter's details; never an IMEI, IMSI or ICCID.
    ///
    /// 404 `device-not-found` as for `device`; 409 `card-not-ready` while the device has no plan yet (nothing to hand
    /// over). The key is included: the route needs a technician (`AccessPolicy`).
    public func card(_ reference: String) async throws(StationError) -> HandOverCardInfo {
        let session = try await find(reference)
        let status = await session.snapshot()
        guard status.plan != nil || status.wifi != nil else {
            throw StationError(.conflict, code: .cardNotReady,
                               message: "Device \(status.id) has no plan or Wi-Fi yet: provision it first.")
        }
        let plan = status.plan.flatMap { config.plan(named: $0) }
        let profile = status.imsi.flatMap { config.policy.operatorProfile(for: $0) }
            ?? config.operators.first { $0.name == status.operatorName }
        let wifi = status.wifi
        let payload = wifi.flatMap { wifi in wifi.key.map { WiFiQRPayload.make(ssid: wifi.ssid, key: $0) } }
        return HandOverCardInfo(
            deviceID: status.id, ssid: wifi?.ssid, key: wifi?.key, qrPayload: payload, plan: status.plan,
            megabytes: plan?.megabytes, priceCents: plan?.priceCents, date: status.updatedAt,
            operatorName: profile?.name ?? status.operatorName, balanceCode: profile?.balanceCode, counter: config.card)
    }
}
