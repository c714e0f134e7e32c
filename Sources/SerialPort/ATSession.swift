import ATProtocol
import Glibc
import Logging

/// One AT conversation with one device port: exactly one command in flight, deadlines, URCs.
///
/// The session owns a `SerialPort`, an `ATLineFramer` and an `ATResponseAssembler`. Commands are
/// written in FIFO order of their `send` calls; a command's deadline is counted from the moment
/// it is written (time spent waiting behind earlier commands does not count), so every command
/// gets its full budget from the device. Unsolicited reports (URCs) are buffered (bounded) for
/// `waitForUnsolicited(named:timeout:)` and also offered on `unsolicitedReports`.
///
/// After a timeout the next command first discards pending input and partial lines, and final
/// results that arrive with no command in flight are dropped (counted in `strayFinalResults`),
/// so a late `OK` is not taken as the next command's reply. A device answers in order, so a timed-out
/// USSD request (`AT+CUSD=…`, whose `OK` many modems hold until the network answers) still owes its final
/// result for a while (`owedFinalWindow`): the first bare final result
/// (no information lines) that arrives during a later command is taken as that late one and dropped,
/// once, and the later command keeps waiting for its own. This is what happens when a modem holds
/// the `OK` of `AT+CUSD=1,…` until the network answers, after our deadline. If the device had in fact
/// dropped the timed-out command, the later command loses its real `OK` and times out once; that
/// timeout owes nothing, so the session is back in step at the next command.
///
/// Lifetime: call `close()` when done; it fails pending calls with `.closed` and stops the
/// reader thread and every timer. If the device goes away, pending and later calls fail with
/// `.deviceGone` and the port is closed (its locks released) at once.
public actor ATSession {
    /// The device path of the port.
    public nonisolated let path: String
    /// Every URC as it arrives, for observers (single consumer; the newest 256 are kept when it lags).
    ///
    /// Finishes when the session is closed or the device goes away. URCs seen here are still
    /// delivered to `waitForUnsolicited(named:timeout:)`.
    public nonisolated let unsolicitedReports: AsyncStream<ATUnsolicited>

    /// The number of commands in a row that timed out (ModemManager gives up on a modem after 10).
    public private(set) var consecutiveTimeouts = 0
    /// Final results that arrived with no command in flight (late replies of timed-out commands).
    public private(set) var strayFinalResults = 0
    /// URCs dropped from the wait buffer because nobody waited for them and it was full.
    public private(set) var droppedUnsolicited = 0

    private enum State { case open, gone, closed }

    private struct SlotWaiter {
        var id: UInt64
        var continuation: CheckedContinuation<Result<Void, ATSessionError>, Never>
    }

    private struct InFlight {
        var id: UInt64
        /// The command as written (the assembler needs it again after an owed final result is dropped).
        var command: String
        var shownCommand: String
        /// A bare final result was already dropped as the late reply of an earlier command.
        var droppedOwedFinal = false
        var continuation: CheckedContinuation<Result<ATResponse, ATSessionError>, Never>
        var timer: Task<Void, Never>
    }

    private struct UnsolicitedWaiter {
        var id: UInt64
        var name: String
        var continuation: CheckedContinuation<Result<ATUnsolicited, ATSessionError>, Never>
        var timer: Task<Void, Never>
    }

    private static let maxBufferedUnsolicited = 64
    private static let maxObservedUnsolicited = 256
    private static let maxLineLength = 4096
    /// How long after a timeout a bare final result is still taken as the timed-out command's late reply. Networks
    /// answer USSD in 5 s to 2 min, and the recharge's deadline is usually 60 s.
    static let owedFinalWindow: Duration = .seconds(120)

    private let port: SerialPort
    private let logger: Logger
    private let unsolicitedContinuation: AsyncStream<ATUnsolicited>.Continuation
    private var state = State.open
    private var framer = ATLineFramer(maxLineLength: ATSession.maxLineLength)
    private var assembler = ATResponseAssembler()
    private var slotTaken = false
    private var slotWaiters: [SlotWaiter] = []
    private var inFlight: InFlight?
    private var bufferedUnsolicited: [ATUnsolicited] = []
    private var unsolicitedWaiters: [UnsolicitedWaiter] = []
    private var discardInputBeforeNextCommand = false
    /// Until when a timed-out command may still send its final result; nil when nothing is owed.
    private var owedFinalUntil: ContinuousClock.Instant?
    private var lastIdentifier: UInt64 = 0

    /// Opens `path` with `options` (exclusive, raw) and starts the session.
    ///
    /// Throws the port's error: `.busy` when another program holds the port, `.open`, `.configure`.
    public init(path: String, options: SerialPortOptions = SerialPortOptions(), logger: Logger) throws(SerialPortError) {
        let port = try SerialPort(path: path, options: options, logger: logger)
        self.init(port: port, logger: logger)
    }

    /// Starts a session on an already opened port; the session takes ownership and closes it.
    ///
    /// The port's `events` must not have been consumed by anyone else.
    public init(port: SerialPort, logger: Logger) {
        var logger = logger
        logger[metadataKey: "port.path"] = "\(port.path)"
        self.path = port.path
        self.port = port
        self.logger = logger
        (unsolicitedReports, unsolicitedContinuation) = AsyncStream<ATUnsolicited>.makeStream(
            bufferingPolicy: .bufferingNewest(ATSession.maxObservedUnsolicited))
        let events = port.events
        // The consumer holds the session weakly: dropping the last reference closes the port
        // (deinit), which finishes `events` and ends this task.
        Task { [weak self] in
            for await event in events {
                guard let self else { return }
                await self.handle(event)
            }
            await self?.readerEnded()
        }
    }

    deinit {
        port.close()
    }

    /// True once the device went away (end of file, EIO or POLLHUP seen).
    public var isGone: Bool { state == .gone }

    /// True once `close()` was called or the device went away.
    public var isClosed: Bool { state != .open }

    /// Commands waiting for the one in flight to finish (not counting it).
    public var queuedCommands: Int { slotWaiters.count }

    /// Bytes the reader thread dropped because the session did not keep up.
    public var droppedBytes: Int { port.droppedBytes }

    /// Sends `command` + CR and returns its complete reply at the final result.
    ///
    /// - Parameters:
    ///   - command: the text without CR, e.g. `AT+CGSN`; build untrusted parts with `ATCommand`.
    ///   - redacted: what logs, errors and the returned `ATResponse.command` show instead of
    ///     `command` (for USSD vouchers, Wi-Fi keys, PINs); nil shows `command` itself.
    ///   - timeout: the budget from the moment the command is written to its final result.
    /// - Throws: `.timeout` (the command is abandoned, its late reply dropped), `.deviceGone`,
    ///   `.replyTooLarge`, `.closed`, `.cancelled`, `.io`.
    public func send(_ command: String, redacted: String? = nil, timeout: Duration) async throws(ATSessionError) -> ATResponse {
        let shown = redacted ?? command
        try requireOpen()
        try await acquireSlot()
        defer { releaseSlot() }
        try requireOpen()  // state may have changed while waiting for the slot
        if Task.isCancelled { throw .cancelled }
        return try await exchange(command, shown: shown, timeout: timeout)
    }

    /// Writes `command` and waits for its reply; the caller holds the command slot.
    private func exchange(_ command: String, shown: String, timeout: Duration) async throws(ATSessionError) -> ATResponse {
        if discardInputBeforeNextCommand { discardStaleInput() }

        let id = nextIdentifier()
        let started = ContinuousClock.now
        let deadline = started.advanced(by: timeout)
        assembler.begin(command: command)
        do {
            try port.write(Array(command.utf8) + [0x0D], deadline: deadline)
        } catch {
            assembler.abandon()
            throw writeFailure(error, shownCommand: shown)
        }
        logger.debug("AT command written", metadata: ["at.command": "\(shown)"])

        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<ATResponse, ATSessionError>, Never>) in
                let timer = Task { [weak self] in
                    do {
                        try await Task.sleep(until: deadline, clock: .continuous)
                    } catch {
                        return  // cancelled: the reply came first
                    }
                    await self?.expireCommand(id)
                }
                inFlight = InFlight(id: id, command: command, shownCommand: shown, continuation: continuation, timer: timer)
            }
        } onCancel: {
            Task { await self.cancelCommand(id) }
        }
        let elapsed = started.duration(to: .now).components
        let milliseconds = elapsed.seconds * 1000 + elapsed.attoseconds / 1_000_000_000_000_000
        switch result {
        case .success(var response):
            response.command = shown
            logger.debug("AT command answered", metadata: [
                "at.command": "\(shown)", "at.final": "\(response.final)", "duration.ms": "\(milliseconds)",
            ])
            return response
        case .failure(let error):
            logger.debug("AT command failed", metadata: [
                "at.command": "\(shown)", "at.error": "\(error)", "duration.ms": "\(milliseconds)",
            ])
            throw error
        }
    }

    /// Returns the first buffered URC named `name` (e.g. `+CUSD`), or waits for the next one.
    ///
    /// URCs that arrived before this call (e.g. `+CUSD` before the `OK` of `AT+CUSD=1,...`) are
    /// returned, unless `discardUnsolicited(named:)` was called after they arrived. Each URC is
    /// delivered to at most one waiter; several waiters for one name are served in call order.
    /// Names compare case-insensitively. Throws `.unsolicitedTimeout(name:)` at the deadline.
    public func waitForUnsolicited(named name: String, timeout: Duration) async throws(ATSessionError) -> ATUnsolicited {
        try requireOpen()
        if let index = bufferedUnsolicited.firstIndex(where: { Self.matches($0, name) }) {
            return bufferedUnsolicited.remove(at: index)
        }
        let id = nextIdentifier()
        let deadline = ContinuousClock.now.advanced(by: timeout)
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<ATUnsolicited, ATSessionError>, Never>) in
                let timer = Task { [weak self] in
                    do {
                        try await Task.sleep(until: deadline, clock: .continuous)
                    } catch {
                        return
                    }
                    await self?.finishUnsolicitedWait(id, with: .failure(.unsolicitedTimeout(name: name)))
                }
                unsolicitedWaiters.append(UnsolicitedWaiter(id: id, name: name, continuation: continuation, timer: timer))
            }
        } onCancel: {
            Task { await self.finishUnsolicitedWait(id, with: .failure(.cancelled)) }
        }
        return try result.get()
    }

    /// Forgets buffered URCs named `name`, so a following wait only sees newer ones.
    ///
    /// Call it before sending a command whose answer arrives as a URC (`AT+CUSD=1,...`).
    public func discardUnsolicited(named name: String) {
        bufferedUnsolicited.removeAll { Self.matches($0, name) }
    }

    /// Closes the session: pending calls fail with `.closed`, the reader thread and timers stop,
    /// the port and its locks are released. Idempotent.
    public func close() {
        guard state == .open else { return }
        state = .closed
        failEverything(with: .closed)
        port.close()
        logger.debug("AT session closed")
    }

    // MARK: - Reader events

    private func handle(_ event: SerialPortEvent) {
        guard state == .open else { return }
        switch event {
        case .bytes(let bytes):
            for framed in framer.append(bytes) {
                process(framed)
            }
        case .gone(let error):
            deviceWentAway(error)
        }
    }

    private func readerEnded() {
        // The stream only ends without `.gone` after `port.close()`, i.e. when state is no longer open.
        if state == .open {
            deviceWentAway(SerialPortError(code: .hangup, errno: 0, path: path, message: "reader stopped"))
        }
    }

    private func process(_ framed: ATFramedLine) {
        // Every line goes through the assembler, even with nothing in flight: it tracks the
        // tail of an oversized reply and must see that reply's final result.
        guard let output = assembler.consume(framed) else { return }
        switch output {
        case .unsolicited(let report) where ATFinalResult.parse(report.line) != nil:
            // A final result with nothing in flight: the late reply of an abandoned command, now paid.
            strayFinalResults += 1
            owedFinalUntil = nil
            logger.debug("dropping final result with no command in flight")
        case .unsolicited(let report):
            deliver(report)
        case .response(let response):
            if dropOwedFinal(response) { return }
            consecutiveTimeouts = 0
            finishCommand(with: .success(response))
        case .replyTooLarge:
            consecutiveTimeouts = 0
            let shown = inFlight?.shownCommand ?? ""
            finishCommand(with: .failure(.replyTooLarge(command: shown)))
        }
    }

    /// Whether a timed-out `command` is one whose final result a modem may still send much later: `AT+CUSD=1,…` on
    /// modems that hold the `OK` until the network's answer. Other commands that time out usually never answer (a
    /// hung firmware, a lost line), and owing for them would cost the next bare command its reply.
    static func mayAnswerLate(_ command: String) -> Bool {
        ATCommand.isUSSDRequest(command)
    }

    /// Takes a bare final result as the late reply of a timed-out command, once per command in flight, and keeps
    /// the command in flight waiting for its own reply. Returns whether it did.
    private func dropOwedFinal(_ response: ATResponse) -> Bool {
        guard let until = owedFinalUntil, var current = inFlight else { return false }
        guard ContinuousClock.now < until else {
            owedFinalUntil = nil
            return false
        }
        guard response.lines.isEmpty, !current.droppedOwedFinal else { return false }
        owedFinalUntil = nil
        current.droppedOwedFinal = true
        inFlight = current
        strayFinalResults += 1
        assembler.begin(command: current.command)
        logger.debug("dropping a timed-out command's late final result", metadata: [
            "at.command": "\(current.shownCommand)", "at.final": "\(response.final)",
        ])
        return true
    }

    private func deliver(_ report: ATUnsolicited) {
        // The name only: URC lines can carry balances or echoed secrets.
        logger.debug("unsolicited report", metadata: ["at.urc": "\(report.name)"])
        unsolicitedContinuation.yield(report)
        if let index = unsolicitedWaiters.firstIndex(where: { Self.matches(report, $0.name) }) {
            let waiter = unsolicitedWaiters.remove(at: index)
            waiter.timer.cancel()
            waiter.continuation.resume(returning: .success(report))
            return
        }
        bufferedUnsolicited.append(report)
        if bufferedUnsolicited.count > Self.maxBufferedUnsolicited {
            bufferedUnsolicited.removeFirst()
            droppedUnsolicited += 1
        }
    }

    private func deviceWentAway(_ error: SerialPortError) {
        guard state == .open else { return }
        state = .gone
        logger.info("device gone", metadata: ["port.error": "\(error)"])
        failEverything(with: .deviceGone)
        port.close()
    }

    // MARK: - Command slot, deadlines, cancellation

    private func acquireSlot() async throws(ATSessionError) {
        guard slotTaken else {
            slotTaken = true
            return
        }
        let id = nextIdentifier()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<Void, ATSessionError>, Never>) in
                slotWaiters.append(SlotWaiter(id: id, continuation: continuation))
            }
        } onCancel: {
            Task { await self.cancelSlotWait(id) }
        }
        try result.get()
    }

    /// Hands the slot to the next waiter (FIFO) or frees it.
    private func releaseSlot() {
        if slotWaiters.isEmpty {
            slotTaken = false
        } else {
            slotWaiters.removeFirst().continuation.resume(returning: .success(()))
        }
    }

    private func cancelSlotWait(_ id: UInt64) {
        guard let index = slotWaiters.firstIndex(where: { $0.id == id }) else { return }
        slotWaiters.remove(at: index).continuation.resume(returning: .failure(.cancelled))
    }

    private func expireCommand(_ id: UInt64) {
        guard let current = inFlight, current.id == id else { return }
        assembler.abandon()
        consecutiveTimeouts += 1
        discardInputBeforeNextCommand = true
        // A USSD request is the command modems are known to hold their final result for (until the network answers,
        // after our deadline), so only it is taken to still owe one. If a final result was already dropped as an
        // earlier command's during it, that was most likely its own: nothing more is owed.
        let owes = !current.droppedOwedFinal && Self.mayAnswerLate(current.command)
        owedFinalUntil = owes ? ContinuousClock.now.advanced(by: Self.owedFinalWindow) : nil
        logger.info("AT command timed out", metadata: [
            "at.command": "\(current.shownCommand)", "at.consecutiveTimeouts": "\(consecutiveTimeouts)",
        ])
        finishCommand(with: .failure(.timeout(command: current.shownCommand)))
    }

    private func cancelCommand(_ id: UInt64) {
        guard let current = inFlight, current.id == id else { return }
        assembler.abandon()
        discardInputBeforeNextCommand = true
        // Not marked as owing a final result: a caller cancels to move on (a stopping run), and the next command
        // must not pay a timeout for a reply that may never come.
        finishCommand(with: .failure(.cancelled))
    }

    private func finishCommand(with result: Result<ATResponse, ATSessionError>) {
        guard let current = inFlight else { return }
        inFlight = nil
        current.timer.cancel()
        current.continuation.resume(returning: result)
    }

    private func finishUnsolicitedWait(_ id: UInt64, with result: Result<ATUnsolicited, ATSessionError>) {
        guard let index = unsolicitedWaiters.firstIndex(where: { $0.id == id }) else { return }
        let waiter = unsolicitedWaiters.remove(at: index)
        waiter.timer.cancel()
        waiter.continuation.resume(returning: result)
    }

    private func failEverything(with error: ATSessionError) {
        assembler.abandon()
        finishCommand(with: .failure(error))
        let slots = slotWaiters
        slotWaiters.removeAll()
        for waiter in slots { waiter.continuation.resume(returning: .failure(error)) }
        let waiters = unsolicitedWaiters
        unsolicitedWaiters.removeAll()
        for waiter in waiters {
            waiter.timer.cancel()
            waiter.continuation.resume(returning: .failure(error))
        }
        bufferedUnsolicited.removeAll()
        unsolicitedContinuation.finish()
    }

    // MARK: - Helpers

    private func requireOpen() throws(ATSessionError) {
        switch state {
        case .open: return
        case .gone: throw .deviceGone
        case .closed: throw .closed
        }
    }

    /// Drops input that may belong to an abandoned command: the kernel's queue and any partial line.
    private func discardStaleInput() {
        discardInputBeforeNextCommand = false
        do {
            try port.discardPendingInput()
        } catch {
            logger.debug("cannot discard pending input", metadata: ["port.error": "\(error)"])
        }
        framer = ATLineFramer(maxLineLength: Self.maxLineLength)
    }

    private func writeFailure(_ error: SerialPortError, shownCommand: String) -> ATSessionError {
        switch error.code {
        case .hangup:
            deviceWentAway(error)
            return .deviceGone
        case .closed:
            return state == .gone ? .deviceGone : .closed
        case .write where error.errno == ETIMEDOUT:
            consecutiveTimeouts += 1
            return .timeout(command: shownCommand)
        default:
            return .io(error)
        }
    }

    private func nextIdentifier() -> UInt64 {
        lastIdentifier += 1
        return lastIdentifier
    }

    private static func matches(_ report: ATUnsolicited, _ name: String) -> Bool {
        report.name.uppercased() == name.uppercased()
    }
}
