import ArgumentParser
import Foundation
import ModemSimulator

/// `hotspot-sim state`: print the operator truth kept in a state file.
struct StateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state",
        abstract: "Print the operator truth (balances, voucher redemptions) from a state file."
    )

    @Option(help: ArgumentHelp("The --state file of a simulator (running or not).", valueName: "file"))
    var state: String

    @Flag(help: "Print the state file's JSON (pretty, sorted keys).")
    var json = false

    func run() throws {
        let truth: OperatorState
        do {
            truth = try OperatorLedger.load(state)
        } catch {
            FileHandle.standardError.write(Data("hotspot-sim: \(error.description)\n".utf8))
            throw ExitCode.failure
        }
        if json {
            do {
                FileHandle.standardOutput.write(Data(try OperatorLedger.encode(truth)))
            } catch {
                FileHandle.standardError.write(Data("hotspot-sim: \(error.description)\n".utf8))
                throw ExitCode.failure
            }
            return
        }
        var text = "operator \(truth.operatorName), updated \(truth.updatedAt), \(truth.recharges) recharge request(s)\n"
        text += "balances (MB):\n"
        for (iccid, balance) in truth.balancesMB.sorted(by: { $0.key < $1.key }) {
            let queries = truth.balanceQueries[iccid] ?? 0
            text += "  \(iccid)\t\(balance)\t(\(queries) balance quer\(queries == 1 ? "y" : "ies"))\n"
        }
        text += "vouchers tried:\n"
        for (code, record) in truth.vouchers.sorted(by: { $0.key < $1.key }) {
            let refused = record.attempts.filter { !$0.accepted }.count
            let owner = record.redeemedBy.map { "redeemed by \($0) at \(record.redeemedAt ?? "?")" } ?? "not redeemed"
            text += "  \(code)\t\(record.megabytes) MB\t\(owner)\t\(refused) refused attempt(s)\n"
        }
        if !truth.unknownCodeAttempts.isEmpty {
            text += "unknown codes tried:\n"
            for attempt in truth.unknownCodeAttempts {
                text += "  \(attempt.code)\tby \(attempt.iccid)\tat \(attempt.at)\n"
            }
        }
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
