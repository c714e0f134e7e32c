import Logging
import SerialPort
import TestSupport

/// Opens an `ATSession` without resynchronisation on a fresh `FakeModem` answered by `script`, runs `body`, then
/// closes the session (also when `body` throws) and stops the modem.
///
/// No resynchronisation: the scripts answer only the commands of each test, and some count them.
func withScriptedSession(
    script: @escaping @Sendable (String) -> [FakeModem.Action],
    options: SerialPortOptions,
    logger: Logger,
    _ body: (ATSession, FakeModem) async throws -> Void
) async throws {
    let modem = try FakeModem(script: script)
    defer { modem.stop() }
    let session = try ATSession(path: modem.slavePath, options: options, resynchronisation: nil, logger: logger)
    do {
        try await body(session, modem)
    } catch {
        await session.close()
        throw error
    }
    await session.close()
}
