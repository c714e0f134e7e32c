/// Every failure code the programs report, by area. Each is documented by what happened; its French and English
/// sentences and the action to take are in `Localization`'s catalog.
extension FailureCode {
    // MARK: Provisioning runs.
    /// The device was unplugged or stopped answering.
    public static let deviceGone: FailureCode = "device-gone"
    /// The device did not answer in time.
    public static let deviceTimeout: FailureCode = "device-timeout"
    /// Talking to the device failed.
    public static let deviceIO: FailureCode = "device-io"
    /// The link to the device was closed during the operation.
    public static let channelClosed: FailureCode = "channel-closed"
    /// The device sent an abnormally long reply.
    public static let replyTooLarge: FailureCode = "reply-too-large"
    /// The device refused a command.
    public static let commandFailed: FailureCode = "command-failed"
    /// The device did not give a valid IMEI.
    public static let imeiUnreadable: FailureCode = "imei-unreadable"
    /// The SIM card could not be read.
    public static let simUnreadable: FailureCode = "sim-unreadable"
    /// The SIM is PIN-locked and no PIN is configured for it.
    public static let simPINRequired: FailureCode = "sim-pin-required"
    /// The PIN configured for this SIM is not well formed.
    public static let pinInvalid: FailureCode = "pin-invalid"
    /// The SIM is blocked: it asks for its PUK.
    public static let simPUKRequired: FailureCode = "sim-puk-required"
    /// The SIM is not ready.
    public static let simNotReady: FailureCode = "sim-not-ready"
    /// The SIM did not give its subscriber identity (IMSI).
    public static let imsiUnreadable: FailureCode = "imsi-unreadable"
    /// This operator is not configured at the station.
    public static let noOperatorProfile: FailureCode = "no-operator-profile"
    /// This device has no Wi-Fi the station can set.
    public static let wifiUnsupported: FailureCode = "wifi-unsupported"
    /// The Wi-Fi name or key asked for cannot be stored on the device.
    public static let wifiInvalid: FailureCode = "wifi-invalid"
    /// The hotspot refused the Wi-Fi setting.
    public static let wifiRefused: FailureCode = "wifi-refused"
    /// The hotspot does not show the Wi-Fi name or key just set.
    public static let wifiReadbackMismatch: FailureCode = "wifi-readback-mismatch"
    /// A voucher of this order is not settled yet: no other voucher is used until it is.
    public static let voucherUnsettled: FailureCode = "voucher-unsettled"
    /// No voucher is left for this plan.
    public static let noVoucherAvailable: FailureCode = "no-voucher-available"
    /// This voucher cannot be sent to the operator; it was put back.
    public static let voucherUnusable: FailureCode = "voucher-unusable"
    /// Whether the operator accepted the voucher is unknown: it is held aside.
    public static let voucherUnknown: FailureCode = "voucher-unknown"
    /// The operator refused the voucher; the balance did not change.
    public static let voucherRejected: FailureCode = "voucher-rejected"
    /// The SIM's balance could not be read.
    public static let balanceUnreadable: FailureCode = "balance-unreadable"
    /// The voucher was accepted but the new balance could not be read.
    public static let balanceUnconfirmed: FailureCode = "balance-unconfirmed"
    /// The voucher was accepted but the balance did not grow as expected.
    public static let balanceNotIncreased: FailureCode = "balance-not-increased"
    /// The USSD request (the code sent to the operator) is not valid.
    public static let ussdInvalid: FailureCode = "ussd-invalid"
    /// The operator's reply could not be read.
    public static let ussdMalformed: FailureCode = "ussd-malformed"
    /// The device refused to send the USSD request.
    public static let ussdRefusedByDevice: FailureCode = "ussd-refused-by-device"
    /// The station restarted during provisioning.
    public static let daemonRestarted: FailureCode = "daemon-restarted"
    /// This device is set aside: the station stopped several times while handling it.
    public static let quarantined: FailureCode = "quarantined"
    /// An unexpected error happened in the station.
    public static let internalFailure: FailureCode = "internal"

    // MARK: HiLink units (web API over USB networking).
    /// The HiLink unit asks for a login and no password is configured for it.
    public static let loginRequired: FailureCode = "login-required"
    /// The HiLink unit refused the configured password.
    public static let loginFailed: FailureCode = "login-failed"
    /// The HiLink unit locked its login after wrong passwords.
    public static let loginLocked: FailureCode = "login-locked"
    /// The station stopped trying to log in to the HiLink unit so as not to block it.
    public static let loginAttemptsExhausted: FailureCode = "login-attempts-exhausted"
    /// Someone else is logged in to the HiLink unit.
    public static let loginBusy: FailureCode = "login-busy"
    /// The HiLink unit refused the station's session.
    public static let sessionRefused: FailureCode = "session-refused"
    /// The SIM refused the configured PIN.
    public static let pinWrong: FailureCode = "pin-wrong"
    /// The device refused the request.
    public static let refusedByDevice: FailureCode = "refused-by-device"
    /// This device cannot do this operation.
    public static let unsupportedByDevice: FailureCode = "unsupported-by-device"
    /// The operator's network did not answer the USSD request.
    public static let ussdNetworkTimeout: FailureCode = "ussd-network-timeout"
    /// The device answered with an error.
    public static let deviceError: FailureCode = "device-error"
    /// The device's web interface answered with an error.
    public static let deviceHTTPError: FailureCode = "device-http-error"
    /// The device's reply could not be read.
    public static let deviceMalformedReply: FailureCode = "device-malformed-reply"
    /// The device redirected the station elsewhere.
    public static let deviceRedirected: FailureCode = "device-redirected"
    /// The station could not encrypt its request for the device.
    public static let encryptionFailed: FailureCode = "encryption-failed"
    /// The station could not use the device's network interface.
    public static let interfaceBindFailed: FailureCode = "interface-bind-failed"
    /// The operation was stopped.
    public static let cancelled: FailureCode = "cancelled"

    // MARK: Requests at the counter.
    /// This SIM was already served.
    public static let alreadyServed: FailureCode = "already-served"
    /// An order of this SIM is already under way.
    public static let orderOpen: FailureCode = "order-open"
    /// This device's SIM is not known yet.
    public static let simUnknown: FailureCode = "sim-unknown"
    /// This plan does not exist at the station.
    public static let unknownPlan: FailureCode = "unknown-plan"
    /// No plan was chosen and the station has no default plan.
    public static let planRequired: FailureCode = "plan-required"
    /// This device has no plan or Wi-Fi yet: there is no card to print.
    public static let cardNotReady: FailureCode = "card-not-ready"
    /// The device is busy with another operation.
    public static let deviceBusy: FailureCode = "device-busy"
    /// No device matches.
    public static let deviceNotFound: FailureCode = "device-not-found"
    /// Several devices match.
    public static let ambiguousDevice: FailureCode = "ambiguous-device"
    /// This port is already attached.
    public static let alreadyAttached: FailureCode = "already-attached"
    /// The port is used by another program.
    public static let portBusy: FailureCode = "port-busy"
    /// Too many money operations in a short time.
    public static let rateLimited: FailureCode = "rate-limited"
    /// Your account may not do this.
    public static let forbidden: FailureCode = "forbidden"
    /// The station is shutting down.
    public static let shuttingDown: FailureCode = "shutting-down"
    /// This USB device needs a mode switch but mode switching is disabled.
    public static let modeSwitchDisabled: FailureCode = "mode-switch-disabled"
    /// The USB device could not be switched to modem mode.
    public static let modeSwitchFailed: FailureCode = "mode-switch-failed"
    /// The device offers no command port the station can use.
    public static let noATPort: FailureCode = "no-at-port"
    /// None of the device's ports answered commands.
    public static let noATPortAnswered: FailureCode = "no-at-port-answered"
    /// The network stick (HiLink) got no address.
    public static let noAddress: FailureCode = "no-address"
    /// This path cannot be used.
    public static let invalidPath: FailureCode = "invalid-path"

    // MARK: Vouchers and the ledger (supervisors).
    /// No such voucher.
    public static let voucherNotFound: FailureCode = "voucher-not-found"
    /// This voucher is not waiting to be settled.
    public static let voucherNotUnknown: FailureCode = "voucher-not-unknown"
    /// This settlement contradicts the balance read on the SIM.
    public static let settlementContradictsBalance: FailureCode = "settlement-contradicts-balance"
    /// A note is required to settle a voucher.
    public static let noteRequired: FailureCode = "note-required"
    /// The note is not acceptable.
    public static let invalidNote: FailureCode = "invalid-note"
    /// No such settlement outcome.
    public static let invalidOutcome: FailureCode = "invalid-outcome"
    /// The voucher file is not valid; no voucher was imported.
    public static let invalidVoucherFile: FailureCode = "invalid-voucher-file"
    /// No such voucher state.
    public static let invalidState: FailureCode = "invalid-state"
    /// This SIM has an unsettled voucher.
    public static let simHasUnsettledVoucher: FailureCode = "sim-has-unsettled-voucher"
    /// This order is already closed.
    public static let orderClosed: FailureCode = "order-closed"
    /// This order already has its credit.
    public static let orderHasCredit: FailureCode = "order-has-credit"
    /// The station's disk is full.
    public static let diskFull: FailureCode = "disk-full"
    /// The backup directory cannot be created.
    public static let backupDirectory: FailureCode = "backup-directory"
    /// A backup of that name already exists.
    public static let backupExists: FailureCode = "backup-exists"
    /// The ledger does not verify: a record was changed or damaged.
    public static let ledgerDoesNotVerify: FailureCode = "ledger-does-not-verify"
    /// This ledger file cannot be read.
    public static let ledgerFile: FailureCode = "ledger-file"

    // MARK: Talking to the daemon.
    /// The station's service (hotspotd) cannot be reached.
    public static let daemonUnreachable: FailureCode = "daemon-unreachable"
    /// The connection to the station's service broke.
    public static let connectionFailed: FailureCode = "connection-failed"
    /// The station's service closed the live feed.
    public static let eventStreamEnded: FailureCode = "event-stream-ended"
    /// The station service's reply could not be read.
    public static let invalidReply: FailureCode = "invalid-reply"
    /// A local input could not be used.
    public static let localInput: FailureCode = "local-input"
    /// The station's service found nothing there.
    public static let notFound: FailureCode = "not-found"
    /// The station's service does not know this request.
    public static let noSuchRoute: FailureCode = "no-such-route"
    /// The request sent to the service is not valid.
    public static let invalidRequest: FailureCode = "invalid-request"
    /// The service could not prepare its reply.
    public static let encodingFailed: FailureCode = "encoding-failed"
    /// The ledger anchor is not well formed.
    public static let invalidAnchor: FailureCode = "invalid-anchor"
    /// The date is not well formed.
    public static let invalidDate: FailureCode = "invalid-date"
    /// No such export format.
    public static let invalidFormat: FailureCode = "invalid-format"
    /// The reveal request is not well formed.
    public static let invalidReveal: FailureCode = "invalid-reveal"
    /// The limit must be a number from 1 to 100000.
    public static let invalidLimit: FailureCode = "invalid-limit"

    // MARK: SIM readers and devices reached by URL.
    /// The SIM card was taken out of the reader while it was being read.
    public static let cardRemoved: FailureCode = "card-removed"
    /// The SIM card keeps answering without end: its answer is refused.
    public static let cardReplyEndless: FailureCode = "card-reply-endless"
    /// The card sent an answer too long for a SIM card.
    public static let cardReplyTooLong: FailureCode = "card-reply-too-long"
    /// The card sent an incomplete answer.
    public static let cardReplyTooShort: FailureCode = "card-reply-too-short"
    /// The card answered unexpectedly: nothing was recorded.
    public static let cardStatusUnexpected: FailureCode = "card-status-unexpected"
    /// The SIM's number (ICCID) read is not valid: it is not recorded.
    public static let iccidMalformed: FailureCode = "iccid-malformed"
    /// The subscriber identity (IMSI) read is not valid: it is not recorded.
    public static let imsiMalformed: FailureCode = "imsi-malformed"
    /// This address does not name a HiLink unit (http://HOST[:PORT]).
    public static let invalidURL: FailureCode = "invalid-url"
    /// No card in the reader.
    public static let noCard: FailureCode = "no-card"
    /// The card inserted is not a SIM card (a bank card?).
    public static let notASIM: FailureCode = "not-a-sim"
    /// There is no such order.
    public static let orderNotFound: FailureCode = "order-not-found"
    /// A PIN is 4 to 8 digits.
    public static let pinFormat: FailureCode = "pin-format"
    /// This SIM asks for no PIN: nothing was sent.
    public static let pinNotRequired: FailureCode = "pin-not-required"
    /// The SIM is locked by a PIN.
    public static let pinRequired: FailureCode = "pin-required"
    /// The card reader does not answer properly.
    public static let readerFailed: FailureCode = "reader-failed"
    /// The card reader was unplugged.
    public static let readerGone: FailureCode = "reader-gone"
    /// This device does not let its PIN be entered here.
    public static let unlockNotSupported: FailureCode = "unlock-not-supported"
    /// This station attaches only serial ports by hand.
    public static let urlDevicesUnsupported: FailureCode = "url-devices-unsupported"
    /// This device cannot send USSD codes (a SIM reader).
    public static let ussdNotSupported: FailureCode = "ussd-not-supported"

    // MARK: The counter: history and waiting for a run.
    /// The device is not identified yet: its history is not available.
    public static let deviceNotIdentified: FailureCode = "device-not-identified"
    /// This is neither a known device nor IMEI or ICCID digits.
    public static let invalidIdentifier: FailureCode = "invalid-identifier"
    /// The run had not ended when the wait gave up.
    public static let waitTimeout: FailureCode = "wait-timeout"

    // MARK: Reloading the configuration.
    /// The configuration file did not pass the checks: nothing was changed.
    public static let invalidConfig: FailureCode = "invalid-config"
    /// This station was not started from a configuration file.
    public static let reloadUnavailable: FailureCode = "reload-unavailable"

    // MARK: The ledger family, named where the station builds them
    /// The ledger could not read or write (the ledger family).
    public static let ledgerIO: FailureCode = "ledger-io"
    /// The ledger refused a state change its rules forbid (the ledger family).
    public static let ledgerIllegalTransition: FailureCode = "ledger-illegal-transition"
    /// The ledger has no such record (the ledger family).
    public static let ledgerNotFound: FailureCode = "ledger-not-found"
}
