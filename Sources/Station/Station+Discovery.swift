#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Ledger
import Provisioning
import SerialPort
import StationAPI

/// The station's side of USB discovery: attach a device found on a USB socket, end its session when it is unplugged,
/// and list devices that cannot (yet) be driven, with the reason.
extension Station {
    /// Returns once the station is ready to take devices (start-up recovery over), or when the task is cancelled.
    /// Discovery waits here instead of asking again and again.
    public func untilReady() async {
        guard !ready else { return }
        let ticket = discovered.nextReadyTicket
        discovered.nextReadyTicket += 1
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                if ready || Task.isCancelled {
                    continuation.resume()
                } else {
                    discovered.readyWaiters[ticket] = continuation
                }
            }
        } onCancel: {
            Task { await self.resumeReadyWaiter(ticket) }
        }
    }

    /// Resumes one wait of `untilReady` (cancelled).
    private func resumeReadyWaiter(_ ticket: UInt64) {
        discovered.readyWaiters.removeValue(forKey: ticket)?.resume()
    }

    /// Resumes every wait of `untilReady`: the station became ready.
    func resumeReadyWaiters() {
        let waiters = discovered.readyWaiters.values
        discovered.readyWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
    }

    /// Attaches the AT port chosen for the device on `usbPath` and remembers where it came from.
    ///
    /// A listed placeholder for the same socket (mode switch under way) is replaced by the session.
    func attachDiscovered(path: String, usbPath: String) async throws(StationError) -> DeviceStatus {
        // Present at start-up, the device may still be answering a daemon that was killed: resynchronise. Plugged in
        // since, its port has had no other holder and the chooser has just heard it answer AT.
        let status = try await attach(path: path, followReplug: true, resynchronise: !ready)
        discovered.usbPathOfSession[status.id] = usbPath
        discovered.placeholders[usbPath] = nil
        return status
    }

    /// Attaches a device discovery reached through another driver than AT (a HiLink unit behind its USB network
    /// interface), and remembers where it came from: its unplug ends the session like any other.
    func attachDiscovered(driver: any DeviceDriver, port: String, usbPath: String,
                          close: @escaping @Sendable () async -> Void) async throws(StationError) -> DeviceStatus {
        let status = try await attach(driver: driver, port: port, closeDevice: close)
        discovered.usbPathOfSession[status.id] = usbPath
        discovered.placeholders[usbPath] = nil
        return status
    }

    /// The port of a live session (not gone) among `ports`, comparing the nodes their symlinks lead to: a device
    /// attached by hand or from the configuration that discovery then finds on USB.
    func livePort(among ports: [String]) async -> String? {
        let wanted = Set(ports.map(SerialPort.canonicalPath))
        for session in sessions where wanted.contains(SerialPort.canonicalPath(session.port)) {
            if await session.snapshot().state != .gone { return session.port }
        }
        return nil
    }

    /// Ends the sessions of the device that left `usbPath` (within the time it takes to close the port: an in-flight
    /// voucher becomes `unknown` through the workflow) and drops its placeholder. Returns the ids it ended.
    ///
    /// Every ended session whose device was identified (IMEI or ICCID known) gets one ledger event `device.unplugged`,
    /// idle or busy: the provisioning path records only how its run ended (`provisioning.finished`, `voucher.unknown`),
    /// not the unplug. A session leaves `usbPathOfSession` here, so a second remove event cannot record it again.
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
            // The run or the port's end may have noticed the loss first: the state before the loss counts, not `gone`.
            let state = await session.stateWhenGone() ?? .gone
            let after = await session.snapshot()
            await recordDeviceEvent(.unplugged, imei: after.imei, iccid: after.iccid, detail: [
                "device_id": identifiers.shown(id), "port": session.port, "usb_path": usbPath, "reason": reason, "state": state.rawValue,
            ])
        }
        return ended
    }

    /// Queues a device event to the ledger's writer and returns without waiting for its commit: a voucher import or a
    /// slow disk holding the writer must not hold an unplug (or the plug events behind it). Events still commit in the
    /// order they were queued; a failure (disk full) is logged, never thrown: the device is gone either way.
    private func recordDeviceEvent(_ kind: DeviceEventKind, imei: String?, iccid: String?, detail: [String: String]) async {
        guard imei != nil || iccid != nil else { return }   // never identified: nothing to find the event by
        let logger = self.logger
        ledger.submitting({ ledger in
            _ = try ledger.recordDeviceEvent(imei: imei, iccid: iccid, kind: kind, detail: detail, actor: nil)
        }, completion: { outcome in
            guard case .failure(let error) = outcome else { return }
            logger.error("could not record a device event in the ledger",
                         metadata: ["event.kind": "\(kind.rawValue)", "device.id": "\(detail["device_id"] ?? "-")",
                                    "error": "\(error)"])
        })
    }

    /// Lists (or updates) a device found on `usbPath` that has no session, with its state and the reason.
    func reportDiscovered(usbPath: String, port: String, state: DeviceState, role: DeviceRole, step: String?,
                          failure: FailureInfo?, message: String) async {
        var status: DeviceStatus
        if let existing = discovered.placeholders[usbPath] {
            status = existing
        } else {
            status = DeviceStatus(id: identifiers.allocate(), port: port, state: state, updatedAt: Date())
        }
        status.port = port
        status.socket = SocketLabels.label(usbPath: usbPath, labels: config.sockets ?? [:])
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
    /// is replaced by the new one (its id keeps finding the device) and its last state is handed over; the ledger
    /// records the takeover as event `device.replugged`.
    func takeOverGoneSession(newID: String, identity: DeviceIdentity) async -> DeviceSession.Replug? {
        for session in sessions where session.id != newID {
            let status = await session.snapshot()
            guard status.state == .gone, status.imei == identity.imei?.digits, status.iccid == identity.iccid?.digits,
                  let record = await session.replugRecord() else { continue }
            sessions.removeAll { $0 === session }
            discovered.replacedBy[session.id] = newID
            discovered.usbPathOfSession[session.id] = nil
            // The ids people see (stable across restarts), not the sessions' own.
            var detail = ["device_id": identifiers.shown(newID), "previous_id": identifiers.shown(session.id), "previous_port": session.port,
                          "last_state": record.state.rawValue]
            detail["port"] = sessions.first { $0.id == newID }?.port
            detail["usb_path"] = discovered.usbPathOfSession[newID]
            await recordDeviceEvent(.replugged, imei: identity.imei?.digits, iccid: identity.iccid?.digits, detail: detail)
            return record
        }
        return nil
    }

    /// Devices without a session, ordered by id number.
    var placeholderStatuses: [DeviceStatus] {
        discovered.placeholders.values.sorted { ($0.id.count, $0.id) < ($1.id.count, $1.id) }
    }
}
