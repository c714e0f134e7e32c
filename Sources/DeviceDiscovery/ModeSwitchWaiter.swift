import Synchronization

/// Waits, after a mode switch was sent, for the device to come back on the same USB path with
/// one of the plan's target ids (or, for a plan with a target class, the same ids and new interfaces).
///
/// Reads a discovery event stream (subscribe with `USBDiscovery.events()` BEFORE sending the
/// switch, so the return cannot slip between send and wait). The storage personality's own
/// `added` replay and its `removed` are expected and ignored. Time is injected as a clock.
public enum ModeSwitchWaiter {
    /// Returns the snapshot of the switched device, or throws `modeSwitchTimedOut` after
    /// `plan.timeout` (context names the last id seen on that path) or `discoveryStopped` if the
    /// stream ends first.
    public static func awaitReturn<C: Clock>(of plan: ModeSwitchPlan, events: AsyncStream<DiscoveryEvent>,
                                             clock: C = ContinuousClock()) async throws(DiscoveryError) -> USBDeviceSnapshot
        where C.Duration == Duration {
        let lastSeen = LastSeenID()
        let result = await withTaskGroup(of: Result<USBDeviceSnapshot, DiscoveryError>?.self) { group in
            group.addTask {
                for await event in events where event.usbPath == plan.usbPath {
                    switch event {
                    case .added(let snapshot), .changed(let snapshot):
                        if plan.isSwitched(snapshot) { return .success(snapshot) }
                        lastSeen.set("\(snapshot.usbID)")
                    case .removed:
                        lastSeen.set("removed")
                    }
                }
                if Task.isCancelled { return nil }
                return .failure(DiscoveryError(.discoveryStopped,
                                               context: "discovery ended while waiting for \(plan.usbPath) (last seen: \(lastSeen.value))"))
            }
            group.addTask {
                do {
                    try await clock.sleep(for: plan.timeout)
                } catch {
                    return nil
                }
                return .failure(DiscoveryError(.modeSwitchTimedOut,
                                               context: "\(plan.usbPath) did not come back as one of \(plan.targetUSBIDs.map(\.description).joined(separator: ",")) within \(plan.timeout) (last seen: \(lastSeen.value))"))
            }
            var outcome: Result<USBDeviceSnapshot, DiscoveryError>?
            for await value in group {
                if let value {
                    outcome = value
                    break
                }
            }
            group.cancelAll()
            return outcome
        }
        switch result {
        case .success(let snapshot)?: return snapshot
        case .failure(let error)?: throw error
        case nil: throw DiscoveryError(.discoveryStopped, context: "wait for \(plan.usbPath) was cancelled")
        }
    }
}

/// What the waiter last saw on the USB path, shared by its reader and its timer task.
private final class LastSeenID: Sendable {
    private let text = Mutex("nothing")

    var value: String { text.withLock { $0 } }

    func set(_ value: String) { text.withLock { $0 = value } }
}
