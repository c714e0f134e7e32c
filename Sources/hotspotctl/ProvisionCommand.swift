import ArgumentParser
import Foundation
import StationAPI

/// `hotspotctl provision DEVICE`: starts (or resumes) provisioning, optionally with a plan, SSID or key; `--again` for a
/// SIM already served.
struct ProvisionCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "provision",
        abstract: HelpLanguage.text(.provisionAbstract),
        discussion: HelpLanguage.text(.provisionDiscussion))

    @OptionGroup var globals: GlobalOptions

    @Argument(help: HelpLanguage.argument(.deviceArgument, valueName: "device"), completion: CompletionCandidatesCommand.devices)
    var device: String

    @Option(name: .long, help: HelpLanguage.argument(.provisionPlan, valueName: "plan"), completion: CompletionCandidatesCommand.plans)
    var plan: String?

    @Option(name: .long, help: HelpLanguage.argument(.provisionSSID, valueName: "ssid"))
    var ssid: String?

    @Option(name: .long, help: HelpLanguage.argument(.provisionKey, valueName: "key"))
    var key: String?

    @Flag(name: .long, help: HelpLanguage.argument(.provisionWait))
    var wait = false

    @Option(name: .long, help: HelpLanguage.argument(.provisionTimeout, valueName: "seconds"))
    var timeout: Int?

    @Flag(name: .long, help: HelpLanguage.argument(.provisionAgain))
    var again = false

    func validate() throws {
        if let timeout, !(1...86_400).contains(timeout) {
            throw ValidationError(HelpLanguage.usage(.timeoutRange))
        }
        if timeout != nil, !wait {
            throw ValidationError(HelpLanguage.usage(.timeoutWithoutWait))
        }
        if let ssid, ssid.utf8.isEmpty || ssid.utf8.count > 32 {
            throw ValidationError(HelpLanguage.usage(.ssidLength))
        }
        if let key {
            let isPassphrase = (8...63).contains(key.count) && key.allSatisfy { $0.isASCII && !$0.isNewline }
            let isHexKey = key.count == 64 && key.allSatisfy(\.isHexDigit)
            guard isPassphrase || isHexKey else {
                throw ValidationError(HelpLanguage.usage(.keyLength))
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
                context.output.write(context.messages.text(.provisionRequested, values: [status.id]) + "\n")
            }
            return
        }
        let waiter = RunWaiter(client: context.client, timestamps: context.timestamps,
                               output: context.json ? nil : context.output, messages: context.messages)
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
