import ArgumentParser
import Foundation

/// The options every daemon command shares: where the daemon listens, machine output, secrets.
struct GlobalOptions: ParsableArguments {
    /// The socket used when neither `--socket` nor `$HOTSPOTD_SOCKET` says otherwise.
    static let defaultSocketPath = "/run/hotspotd/api.sock"

    @Option(name: .long, help: ArgumentHelp(
        "The daemon's Unix socket.",
        discussion: "Defaults to $HOTSPOTD_SOCKET, then /run/hotspotd/api.sock.",
        valueName: "path"))
    var socket: String?

    @Flag(name: .long, help: "Print the API's JSON (pretty, sorted keys) instead of tables; errors too.")
    var json = false

    @Flag(name: .long, help: "Ask hotspotd for secrets: full identifiers, Wi-Fi key and QR code, voucher codes.")
    var reveal = false

    /// The socket to connect to, after the environment and the default.
    func socketPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let socket, !socket.isEmpty { return socket }
        if let fromEnvironment = environment["HOTSPOTD_SOCKET"], !fromEnvironment.isEmpty { return fromEnvironment }
        return Self.defaultSocketPath
    }
}
