import ArgumentParser
import Dispatch
import Foundation
import ModemSimulator
#if canImport(Glibc)
import Glibc
#endif

/// `hotspot-sim run` (the default): start the devices and serve until SIGINT or SIGTERM.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Start fake devices and serve them until SIGINT or SIGTERM (the default command).",
        discussion: """
        Example (one personality file, two devices with different identities):
          P=simulator/personalities/huawei-e5-mifi.json
          hotspot-sim --device $P:label=mifi1 \\
            --device $P:label=mifi2,imei=867530012345680,iccid=89001010000456789015 \\
            --operator simulator/operator-simunet.json \\
            --state /tmp/simunet-state.json \\
            --ports-file /tmp/sim.ports --link /tmp/sim-ttys

        The ports file appears (atomically) only once every device answers; it and the \
        links are removed on exit. Exit status 0 after SIGINT/SIGTERM, 1 on a bad file or \
        argument. File formats: docs/simulator.md.
        """
    )

    @Option(name: .customLong("device"), parsing: .singleValue, help: ArgumentHelp(
        "A device: PATH[:key=value,...]. Repeat for more devices.",
        discussion: "Keys: label, imei, iccid, imsi, pin (ready | locked:<pin> | puk:<puk>), echo (on|off), "
            + "ussd (text|packedGSM7|eightBitHex|ucs2Hex), cusdDelayMs, latencyMs, and fault patterns silentAfter, hangupOn, hangupAfter, "
            + "failFirst (e.g. hangupAfter=AT+CUSD=*; no commas in patterns), count=N (N devices <label>-1..N with "
            + "consecutive Luhn-valid IMEIs/ICCIDs). The default label is <personality name>-<n>.",
        valueName: "path[:key=value,...]"))
    var devices: [String] = []

    @Option(help: ArgumentHelp("Operator (network) file; default: built-in SimuNet 00101 with no vouchers.", valueName: "file"))
    var `operator`: String?

    @Option(help: ArgumentHelp("Operator truth file (JSON): loaded if it exists, rewritten atomically after every change.", valueName: "file"))
    var state: String?

    @Option(name: .customLong("ports-file"), help: ArgumentHelp("Write '<label>\\t<tty>' lines here once all devices are ready.", valueName: "file"))
    var portsFile: String?

    @Option(help: ArgumentHelp("Make symlinks DIR/<label> -> tty.", valueName: "dir"))
    var link: String?

    @Flag(help: "Log every command and reply to standard error.")
    var verbose = false

    func validate() throws {
        guard !devices.isEmpty else { throw ValidationError("give at least one --device") }
    }

    func run() throws {
        do throws(SimulatorError) {
            var setups: [DeviceSetup] = []
            for (index, text) in devices.enumerated() {
                setups += try DeviceSpec.parse(text).resolveAll(firstIndex: index + 1)
            }
            let profile = try self.operator.map { path throws(SimulatorError) in try OperatorProfile.load(path) } ?? OperatorProfile()
            let ledger = try OperatorLedger(profile: profile, path: state)
            let host = SimulatorHost(devices: setups, network: OperatorNetwork(profile: profile, ledger: ledger), verbose: verbose)

            // Signals are turned into dispatch events so that the threads need no signal masks.
            signal(SIGINT, SIG_IGN)
            signal(SIGTERM, SIG_IGN)
            let stopRequested = DispatchSemaphore(value: 0)
            let sources = [SIGINT, SIGTERM].map { number in
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { stopRequested.signal() }
                source.resume()
                return source
            }

            let ports = try host.start(portsFile: portsFile, linkDirectory: link)
            let listing = ports.map { "\($0.label)\t\($0.path)\n" }.joined()
            FileHandle.standardOutput.write(Data(listing.utf8))

            stopRequested.wait()
            sources.forEach { $0.cancel() }
            host.stop()
        } catch {
            FileHandle.standardError.write(Data("hotspot-sim: \(error.description)\n".utf8))
            throw ExitCode.failure
        }
    }
}
