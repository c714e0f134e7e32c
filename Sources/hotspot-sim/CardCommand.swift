import ArgumentParser
import Dispatch
import Foundation
import ModemSimulator
#if canImport(Glibc)
import Glibc
#endif

/// `hotspot-sim card`: a simulated SIM in vsmartcard's virtual reader (vpcd, loaded by pcscd).
struct CardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "card",
        abstract: "Put a simulated SIM into vpcd's virtual reader; SIGHUP swaps to the next card, SIGINT/SIGTERM pull it.",
        discussion: """
        Each --card is uicc|gsm[:key=value,...] with keys iccid, imsi (digits or none), pin (enables the PIN), \\
        tries. The first card is inserted at once; SIGHUP pulls it and inserts the next (cycling), the way a \\
        technician swaps SIMs. Example:
          pcscd --foreground &          # with vsmartcard-vpcd installed: reader "Virtual PCD 00 00" on 35963
          hotspot-sim card --card uicc --card gsm:iccid=8931440400001234567,pin=1234
        vpcd listens on all interfaces: a test tool, never installed on a counter machine.
        """)

    @Option(name: .customLong("card"), help: ArgumentHelp("A card: uicc|gsm[:key=value,...]. Repeat to swap with SIGHUP.",
                                                          valueName: "spec"))
    var cards: [String] = []

    @Option(help: ArgumentHelp("vpcd's port (35963: reader 00 00, 35964: reader 00 01).", valueName: "port"))
    var port: UInt16 = 35963

    @Option(name: .customLong("drop-after"), help: ArgumentHelp("Pull the card after answering N commands (removal mid-read).",
                                                               valueName: "n"))
    var dropAfter: Int?

    func validate() throws {
        guard !cards.isEmpty else { throw ValidationError("give at least one --card") }
        for card in cards where SIMCardPersonality(spec: card) == nil {
            throw ValidationError("--card \(card): expected uicc|gsm[:iccid=18-20 digits,imsi=digits|none,pin=4-8 digits,tries=0-9]")
        }
    }

    func run() async throws {
        let personalities = cards.compactMap(SIMCardPersonality.init(spec:))
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        signal(SIGHUP, SIG_IGN)
        let (signals, continuation) = AsyncStream.makeStream(of: Int32.self)
        let sources = [SIGINT, SIGTERM, SIGHUP].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        var index = 0
        var slot = try insert(personalities[index])
        for await number in signals {
            await slot.remove()
            guard number == SIGHUP else { break }
            index = (index + 1) % personalities.count
            slot = try insert(personalities[index])
        }
    }

    private func insert(_ personality: SIMCardPersonality) throws -> VirtualCardSlot {
        let slot = VirtualCardSlot(personality: personality, port: port, dropAfterCommands: dropAfter)
        do {
            try slot.insert()
        } catch {
            FileHandle.standardError.write(Data("hotspot-sim: card: \(error.description) (is pcscd with vpcd running?)\n".utf8))
            throw ExitCode.failure
        }
        FileHandle.standardOutput.write(Data("inserted \(personality.family.rawValue) card ...\(personality.iccid.suffix(4))\n".utf8))
        return slot
    }
}
