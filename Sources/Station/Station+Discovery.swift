import Foundation
import Provisioning
import StationAPI

/// The station's side of USB discovery: attach a device found on a USB socket, end its session when it is unplugged,
/// and list devices that cannot (yet) be driven, with the reason.
extension Station {
    /// Attaches the AT port chosen for the device on `usbPath` and remembers where it came from.
    ///
    /// A listed placeholder for the same socket (mode switch under way) is replaced by the session.
    func attachDiscovered(path: String, usbPath: String) async throws(StationError) -> DeviceStatus {
        let status = try attach(path: path, followReplug: true)
        discovered.usbPathOfSession[status.id] = usbPath
        discovered.placeholders[usbPath] = nil
        return status
    }

    /// Ends the sessions of the device that left `usbPath` (within the time it takes to close the port: an in-flight
    /// voucher becomes `unknown` through the workflow) and drops its placeholder. Returns the ids it ended.
    @discardableResult
    func detachDiscovered(usbPath: String, reason: String) async -> [String] {
        var ended: [String] = []
        if let placeholder = discovered.placeholders.removeValue(forKey: usbPath) {
            ended.append(placeholder.id)
            await events.publish(StationEvent(kind: "gone", deviceID: placeholder.id, state: .gone, message: reason, at: Date()))
        }
        for id in discovered.sessionIDs(usbPath: usbPath) {
            discovered.usbPathOfSession[id] = nil
            guard let session = sessions.first(where: { $0.id == id }) else { continue }
            await session.markGone(reason: reason)
            ended.append(id)
        }
        return ended
    }

    /// Lists (or updates) a device found on `usbPath` that has no session, with its state and the reason.
    func reportDiscovered(usbPath: String, port: String, state: DeviceState, role: DeviceRole, step: String?,
                          failure: FailureInfo?, message: String) async {
        var status: DeviceStatus
        if let existing = discovered.placeholders[usbPath] {
            status = existing
        } else {
            status = DeviceStatus(id: "d\(nextDeviceNumber)", port: port, state: state, updatedAt: Date())
            nextDeviceNumber += 1
        }
        status.port = port
        status.state = state
        status.role = role
        status.step = step
        status.failure = failure
        status.updatedAt = Date()
        discovered.placeholders[usbPath] = status
        await events.publish(StationEvent(kind: "state", deviceID: status.id, state: state, step: step, message: message,
                                          at: status.updatedAt))
    }

    /// Called when a discovered device was identified: if a gone session has the same IMEI and ICCID, that session
    /// is replaced by the new one (its id keeps finding the device) and its last state is handed over.
    func takeOverGoneSession(newID: String, identity: DeviceIdentity) async -> DeviceSession.Replug? {
        for session in sessions where session.id != newID {
            let status = await session.snapshot()
            guard status.state == .gone, status.imei == identity.imei.digits, status.iccid == identity.iccid?.digits,
                  let record = await session.replugRecord() else { continue }
            sessions.removeAll { $0 === session }
            discovered.replacedBy[session.id] = newID
            discovered.usbPathOfSession[session.id] = nil
            return record
        }
        return nil
    }

    /// Whether a session from this USB path is still connected (not gone).
    func hasLiveSession(usbPath: String) async -> Bool {
        for id in discovered.sessionIDs(usbPath: usbPath) {
            guard let session = sessions.first(where: { $0.id == id }) else { continue }
            if await session.snapshot().state != .gone { return true }
        }
        return false
    }

    /// Devices without a session, ordered by id number.
    var placeholderStatuses: [DeviceStatus] {
        discovered.placeholders.values.sorted { ($0.id.count, $0.id) < ($1.id.count, $1.id) }
    }
}
