import ArgumentParser
import Dispatch
import Foundation
import HiLinkSimulator
import ModemSimulator
#if canImport(Glibc)
import Glibc
#endif

/// `hotspot-sim hilink`: one fake HiLink unit over HTTP, on the same operator truth as the AT devices.
struct HiLinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hilink",
        abstract: "Serve a fake HiLink unit (web API over HTTP) until SIGINT or SIGTERM.",
        discussion: """
        Personalities: \(HiLinkPersonality.all.map(\.name).joined(separator: ", ")).
        Example: hotspot-sim hilink --personality e5576-webui10 --listen 127.0.0.1:8081 \\
                   --operator simulator/operator-simunet.json --state /tmp/simunet-state.json
        Prints '<personality>\\t<host>:<port>' once it listens (port 0 picks a free one).
        """
    )

    @Option(help: ArgumentHelp("The unit's personality.", valueName: "name"))
    var personality: String = HiLinkPersonality.e3372hWebUI17.name

    @Option(help: ArgumentHelp("Address and port to listen on.", valueName: "host:port"))
    var listen: String = "127.0.0.1:0"

    @Option(help: ArgumentHelp("Override the unit's IMEI.", valueName: "digits"))
    var imei: String?

    @Option(help: ArgumentHelp("Override the SIM's ICCID.", valueName: "digits"))
    var iccid: String?

    @Option(help: ArgumentHelp("Operator (network) file; default: built-in SimuNet 00101 with no vouchers.", valueName: "file"))
    var `operator`: String?

    @Option(help: ArgumentHelp("Operator truth file (JSON), shared with AT simulators.", valueName: "file"))
    var state: String?

    func run() throws {
        guard var chosen = HiLinkPersonality.named(personality) else {
            throw ValidationError("no HiLink personality \(personality); known: \(HiLinkPersonality.all.map(\.name).joined(separator: ", "))")
        }
        if let imei { chosen.imei = imei }
        if let iccid { chosen.iccid = iccid }
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]) else {
            throw ValidationError("--listen takes host:port")
        }
        let host = String(listen[..<colon])
        let network: OperatorNetwork
        do throws(SimulatorError) {
            let profile = try self.operator.map { path throws(SimulatorError) in try OperatorProfile.load(path) } ?? OperatorProfile()
            network = OperatorNetwork(profile: profile, ledger: try OperatorLedger(profile: profile, path: state))
        } catch {
            FileHandle.standardError.write(Data("hotspot-sim: \(error.description)\n".utf8))
            throw ExitCode.failure
        }
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let stopRequested = DispatchSemaphore(value: 0)
        let sources = [SIGINT, SIGTERM].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stopRequested.signal() }
            source.resume()
            return source
        }
        let started = DispatchSemaphore(value: 0)
        let outcome = StartOutcome()
        let unitPersonality = chosen
        Task {
            do {
                let unit = try HiLinkUnit(personality: unitPersonality, network: network)
                outcome.set(.success(try await HiLinkServer.start(unit: unit, host: host, port: port)))
            } catch {
                outcome.set(.failure(error))
            }
            started.signal()
        }
        started.wait()
        switch outcome.get() {
        case .success(let server)?:
            FileHandle.standardOutput.write(Data("\(unitPersonality.name)\t\(host):\(server.port)\n".utf8))
            stopRequested.wait()
            sources.forEach { $0.cancel() }
            let stopped = DispatchSemaphore(value: 0)
            Task {
                await server.stop()
                stopped.signal()
            }
            stopped.wait()
        case .failure(let error)?:
            FileHandle.standardError.write(Data("hotspot-sim: cannot serve on \(listen): \(error)\n".utf8))
            throw ExitCode.failure
        case nil:
            throw ExitCode.failure
        }
    }
}

/// The server, or why it could not start, handed from the starting task to the command's thread.
private final class StartOutcome: @unchecked Sendable {
    // @unchecked Sendable: `value` is only touched while holding `lock`.
    private let lock = NSLock()
    private var value: Result<HiLinkServer, any Error>?

    func set(_ result: Result<HiLinkServer, any Error>) { lock.withLock { value = result } }
    func get() -> Result<HiLinkServer, any Error>? { lock.withLock { value } }
}
