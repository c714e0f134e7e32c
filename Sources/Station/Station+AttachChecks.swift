import FailureCodes
import Logging
import SerialPort

/// What `attach` tells a caller whose port could not be opened.
extension Station {
    /// The one message for every path that is not a serial device this station drives: a missing file, a directory,
    /// a regular file, a FIFO, the console, another user's pseudo-terminal. It names only what the caller gave, so it
    /// cannot tell whether, or what, the path is.
    static func notSerialDeviceMessage(_ path: String) -> String {
        "\(path) is not a serial device this station drives: it takes USB serial (ttyUSB) and ACM (ttyACM) ports, and "
            + "its own user's pseudo-terminals only when the configuration sets \"allowPseudoTerminals\": true."
    }

    /// The API error for a port `attach` could not open; a refused path is logged with what it was (for the
    /// administrator, never for the caller).
    func attachFailure(_ error: SerialPortError, path: String, actor: Int?) -> StationError {
        guard error.code != .notSerialDevice else {
            logger.notice("attach refused: not a serial device this station drives", metadata: [
                "port.path": "\(path)", "port.detail": "\(error.detail ?? "-")", "errno": "\(error.errno)",
                "actor.uid": "\(actor.map(String.init) ?? "-")",
            ])
            return StationError(.unprocessable, code: FailureCode.Family.port.code(error.code.rawValue), message: Self.notSerialDeviceMessage(path))
        }
        // The adapter's description names the path, the holder of a busy port and the errno.
        return StationError(error.code == .busy ? .conflict : .unprocessable, code: FailureCode.Family.port.code(error.code.rawValue),
                            message: error.description)
    }
}
