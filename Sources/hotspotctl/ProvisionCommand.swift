import ArgumentParser
import Foundation
import StationAPI

/// `hotspotctl provision DEVICE`: starts (or resumes) provisioning, optionally with a plan, SSID or key; `--again` for a
/// SIM already served.
struct ProvisionCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "provision",
        abstract: "Start or resume provisioning a device.",
        discussion: """
            Without options the station's default plan and Wi-Fi templates apply; a device whose order is not finished \
            resumes it without buying its credit twice. A SIM already served is refused ('already-served'): use \
            'hotspotctl topup' for more credit, or --again for credit and a new Wi-Fi key. Follow progress with \
            'hotspotctl watch', or add --wait: the command then follows the run, prints each step, and exits with \
            status 0 when the device is done, 1 when the run failed or did not end in --timeout seconds (as \
            'nmcli -w'); it keeps following across a daemon restart.
            """)

    @OptionGroup var globals: GlobalOptions

    @Argument(help: ArgumentHelp("The device: its id (d1), IMEI, ICCID (full or unique last digits) or port.",
                                 valueName: "device"), completion: CompletionCandidatesCommand.devices)
    var device: String

    @Option(name: .long, help: ArgumentHelp("The plan to apply instead of the default (see 'hotspotctl plans').", valueName: "plan"), completion: CompletionCandidatesCommand.plans)
    var plan: String?

    @Option(name: .long, help: ArgumentHelp("The Wi-Fi name to set instead of the template's (1–32 bytes).", valueName: "ssid"))
    var ssid: String?

    @Option(name: .long, help: ArgumentHelp("The WPA2 key to set instead of a generated one (8–63 characters).", valueName: "key"))
    var key: String?

    @Flag(name: .long, help: "Follow the run and exit by its outcome: 0 done, 1 failed.")
    var wait = false

    @Option(name: .long, help: ArgumentHelp("With --wait, give up after this many seconds (default 900).", valueName: "seconds"))
    var timeout: Int?

    @Flag(name: .long, help: "Provision a SIM already served again: a new order, another voucher, a new Wi-Fi key (the card handed over stops working).")
    var again = false

    func validate() throws {
        if let timeout, !(1...86_400).contains(timeout) {
            throw ValidationError("--timeout must be between 1 and 86400 seconds.")
        }
        if timeout != nil, !wait {
            throw ValidationError("--timeout goes with --wait.")
        }
        if let ssid, ssid.utf8.isEmpty || ssid.utf8.count > 32 {
            throw ValidationError("--ssid must be 1 to 32 bytes long.")
        }
        if let key {
            let isPassphrase = (8...63).contains(key.count) && key.allSatisfy { $0.isASCII && !$0.isNewline }
            let isHexKey = key.count == 64 && key.allSatisfy(\.isHexDigit)
            guard isPassphrase || isHexKey else {
                throw ValidationError("--key must be 8 to 63 ASCII characters, or 64 hex digits.")
            }
        }
    }

    func execute(in context: CommandContext) async throws(HotspotctlError) {
        let requestedAt = Date()
        let status = try await context.client.provision(device, ProvisionRequest(plan: plan, ssid: ssid, key: key,
                                                                                      again: again ? true : nil))
        guard wait else {
            if context.json {
                try context.emitJSON(status)
            } else {
                // The reply is the device as the request found it, not the run's outcome: say what happens instead.
                context.output.write("\(status.id): provisioning requested. Follow it with 'hotspotctl watch', "
                                     + "or run provision with --wait to wait for the outcome.\n")
            }
            return
        }
        let waiter = RunWaiter(client: context.client, timestamps: context.timestamps,
                               output: context.json ? nil : context.output)
        let final = try await waiter.wait(for: status.id, requestedAt: requestedAt, first: status,
                                          timeout: .seconds(timeout ?? 900))
        if context.json {
            try context.emitJSON(final)
        } else {
            context.output.write(StatusReport(timestamps: context.timestamps, showQRCode: false, messages: context.messages).render(final))
        }
        if final.state != .done {
            throw .runFailed(device: final.id, failure: final.failure
                             ?? FailureInfo(code: .init(rawValue: final.state.rawValue), message: "the run ended \(final.state.rawValue)"))
        }
    }
}
