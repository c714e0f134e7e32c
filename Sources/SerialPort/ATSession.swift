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
/// A port opened is a port resynchronised: a session opened from a path (or given a `Resynchronisation`)
/// runs `resynchronise(_:)` before its first command, because the device may still be answering the port's
/// previous holder (a process killed mid-command): late final results, information lines, a `+CUSD` report
/// owed to that holder. Without it those replies would be taken for the new session's, one command off.
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
    /// Replies taken without their final result, after the grace of `send(_:redacted:timeout:expecting:grace:)`.
    public private(set) var repliesTakenWithoutFinal = 0
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
        /// The whole command, carriage return included, has been written (the device may answer it).
        var isWritten = false
        /// The information line that may end this reply without a final result, and how long to wait for the final
        /// result once it is here; nil when the command needs its final result.
        var missingFinal: MissingFinalResult?
        /// The grace timer, started when the expected information line arrived.
        var graceTimer: Task<Void, Never>?
        var continuation: CheckedContinuation<Result<ATResponse, ATSessionError>, Never>
        var timer: Task<Void, Never>
    }

    /// A reply that may end without its final result: the information line that makes it complete, and the grace.
    private struct MissingFinalResult {
        /// The prefix of the awaited information line, upper-case bytes (`+CPIN`).
        var prefix: [UInt8]
        var grace: Duration
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
    /// The resynchronisation still to run before the next command; nil once done (or not wanted).
    private var pendingResynchronisation: Resynchronisation?
    /// True while `resynchronise` runs: unsolicited reports are discarded, not delivered.
    private var resynchronising = false
    /// When the last bytes arrived from the device.
    private var lastInputAt = ContinuousClock.now
    /// Lines that arrived with no command in flight (strays and reports); a change shows the line was not quiet.
    private var linesWithNothingInFlight = 0
    /// Until when a timed-out command may still send its final result; nil when nothing is owed.
    private var owedFinalUntil: ContinuousClock.Instant?
    private var lastIdentifier: UInt64 = 0

    /// Opens `path` with `options` (exclusive, raw) and starts the session.
    ///
    /// `resynchronisation`: run before the first command (see `resynchronise(_:)`), because the device may still be
    /// answering the port's previous holder; nil skips it (a caller that knows the port is fresh, or tests).
    /// Throws the port's error: `.busy` when another program holds the port, `.open`, `.configure`.
    public init(
        path: String,
        options: SerialPortOptions = SerialPortOptions(),
        resynchronisation: Resynchronisation? = Resynchronisation(),
        logger: Logger
    ) throws(SerialPortError) {
        let port = try SerialPort(path: path, options: options, logger: logger)
        self.init(port: port, resynchronisation: resynchronisation, logger: logger)
    }

    /// Opens `path` with `options` (exclusive, raw) on a thread of its own and starts the session: the lock file and
    /// the driver's open may take a moment, and neither the calling actor nor a thread of Swift's cooperative pool
    /// waits on them. Otherwise as `init(path:options:resynchronisation:logger:)`.
    public static func open(
        path: String,
        options: SerialPortOptions = SerialPortOptions(),
        resynchronisation: Resynchronisation? = Resynchronisation(),
        logger: Logger
    ) async throws(SerialPortError) -> ATSession {
        let port = try await SerialPort.open(path: path, options: options, logger: logger)
        return ATSession(port: port, resynchronisation: resynchronisation, logger: logger)
    }

    /// Starts a session on an already opened port; the session takes ownership and closes it.
    ///
    /// The port's `events` must not have been consumed by anyone else. `resynchronisation`: run before the first
    /// command (see `resynchronise(_:)`); nil (the default here) skips it.
    public init(port: SerialPort, resynchronisation: Resynchronisation? = nil, logger: Logger) {
        var logger = logger
        logger[metadataKey: "port.path"] = "\(port.path)"
        self.path = port.path
        self.port = port
        self.logger = logger
        self.pendingResynchronisation = resynchronisation
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
    ///
    /// The first command of a session that was given a `Resynchronisation` first runs it (outside `timeout`). If the
    /// device does not come in step by that deadline the command is sent anyway: a device that never answers fails
    /// it with `.timeout` as it would without the resynchronisation.
    public func send(_ command: String, redacted: String? = nil, timeout: Duration) async throws(ATSessionError) -> ATResponse {
        try await send(command, redacted: redacted, timeout: timeout, expecting: nil, grace: .zero)
    }

    /// Sends `command` like `send(_:redacted:timeout:)`, and takes its reply without a final result once the
    /// information line it waits for has arrived and no final result followed within `grace`.
    ///
    /// For firmwares that end some read commands with their information line and no `OK` (old Wavecom modems answer
    /// `AT+CPIN?` with `+CPIN: READY` alone; python-gsmmodem's Wavecom profile records it): without this the command
    /// would time out although its answer arrived. The reply so taken has the information lines received until then
    /// and the final result `.ok`; `repliesTakenWithoutFinal` counts them. A final result that arrives in time ends
    /// the reply as usual (an `ERROR` stays an error). If the deadline comes first while the line is here, the reply
    /// is taken then instead of timing out. A final result that arrives after the reply was taken, with nothing in
    /// flight, is dropped as a stray; `grace` should outlast the device's usual delay before its `OK`.
    ///
    /// - Parameters:
    ///   - expecting: the prefix of the awaited information line (`+CPIN`, compared without case); nil, or a `grace`
    ///     of zero or less, waits for the final result as `send(_:redacted:timeout:)` does.
    ///   - grace: how long to wait for the final result once that line arrived (the dialect's `finalResultGraceMS`).
    public func send(_ command: String, redacted: String? = nil, timeout: Duration, expecting: String?,
                     grace: Duration) async throws(ATSessionError) -> ATResponse {
        let missingFinal = expecting.flatMap { prefix -> MissingFinalResult? in
            let bytes = Self.upperASCII(prefix.utf8.filter { $0 != 0x20 })
            guard !bytes.isEmpty, grace > .zero else { return nil }
            return MissingFinalResult(prefix: bytes, grace: grace)
        }
        let shown = redacted ?? command
        try requireOpen()
        try await acquireSlot()
        defer { releaseSlot() }
        try requireOpen()  // state may have changed while waiting for the slot
        if Task.isCancelled { throw .cancelled }
        if let parameters = pendingResynchronisation {
            do throws(ATSessionError) {
                try await resynchroniseHoldingSlot(parameters)
            } catch {
                guard case .timeout = error else { throw error }
                logger.debug("resynchronisation gave up, sending the command anyway")
            }
        }
        return try await exchange(command, shown: shown, timeout: timeout, missingFinal: missingFinal)
    }

    /// Brings the device's replies back in step with this session's commands; waits for the command slot first.
    ///
    /// For a port whose previous holder may have left commands unanswered (a killed process): the device's late
    /// replies to them would otherwise be taken for the next commands' replies. In order:
    /// 1. what the device sends is discarded until the line has been quiet for `quietPeriod` (at most `drainLimit`):
    ///    late final results (which pay what a timed-out command of this session owed), information lines, reports;
    /// 2. `AT+CUSD=2` ends a USSD dialogue the previous holder left open (its result, `ERROR` when none is open,
    ///    or a timeout, is ignored);
    /// 3. `AT` is sent until it gets a bare `OK` after which the line stays quiet for `quietPeriod` (a stale reply
    ///    taken for the probe's is followed by the probe's own, which shows the exchange was off by one), with input
    ///    discarded until quiet before each retry;
    /// 4. unsolicited reports are discarded: those buffered before and all that arrive during the resynchronisation
    ///    (a `+CUSD` owed to the previous holder never reaches `waitForUnsolicited(named:timeout:)`), and nothing is
    ///    owed by earlier timed-out commands any more.
    ///
    /// A session given a `Resynchronisation` at its creation runs this before its first command; a completed run
    /// (in step or timed out) replaces that. Each command has `commandTimeout`, the whole run `timeout`.
    /// - Throws: `.timeout(command: "AT")` when the device is not in step by `timeout` (a silent or chattering
    ///   device), `.deviceGone`, `.closed`, `.cancelled`, `.io`.
    public func resynchronise(_ parameters: Resynchronisation = Resynchronisation()) async throws(ATSessionError) {
        try requireOpen()
        try await acquireSlot()
        defer { releaseSlot() }
        try requireOpen()
        if Task.isCancelled { throw .cancelled }
        try await resynchroniseHoldingSlot(parameters)
    }

    /// Writes `command` and waits for its reply; the caller holds the command slot.
    ///
    /// The command is in flight before its first byte is written, so a reply can never arrive with nothing in flight
    /// to take it. What the output queue takes at once is written on the actor (`writeCommand`: a non-blocking write
    /// never waits); when the queue is full, the rest waits for room without holding the actor, the port's lock or a
    /// thread (`writeRest`). A write that cannot finish by the deadline ends as a timeout, like a silent device.
    private func exchange(_ command: String, shown: String, timeout: Duration,
                          missingFinal: MissingFinalResult? = nil) async throws(ATSessionError) -> ATResponse {
        if discardInputBeforeNextCommand { discardStaleInput() }

        let id = nextIdentifier()
        let started = ContinuousClock.now
        let deadline = started.advanced(by: timeout)
        let bytes = Array(command.utf8) + [0x0D]
        assembler.begin(command: command)

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
                inFlight = InFlight(id: id, command: command, shownCommand: shown, missingFinal: missingFinal,
                                    continuation: continuation, timer: timer)
                writeCommand(bytes, from: 0, of: id, deadline: deadline)
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

    /// Writes what the output queue takes now of command `id`'s `bytes` from `offset`, if it is still in flight (not
    /// timed out, cancelled or failed meanwhile: its remaining bytes are then never written, so they cannot mix with
    /// a later command's). When the queue is full, `writeRest` continues once there is room. A failed write ends the
    /// command.
    private func writeCommand(_ bytes: [UInt8], from offset: Int, of id: UInt64, deadline: ContinuousClock.Instant) {
        guard let current = inFlight, current.id == id else { return }
        let written: Int
        do {
            written = try port.writeAvailable(bytes, from: offset)
        } catch {
            failWrite(of: id, error)
            return
        }
        guard written == bytes.count else {
            Task { [weak self] in await self?.writeRest(bytes, from: written, of: id, deadline: deadline) }
            return
        }
        inFlight?.isWritten = true
        logger.debug("AT command written", metadata: ["at.command": "\(current.shownCommand)"])
    }

    /// Waits for room in the port's output queue (the actor is free meanwhile: replies, `close()`, other calls go
    /// on), then writes more of command `id`.
    private func writeRest(_ bytes: [UInt8], from offset: Int, of id: UInt64, deadline: ContinuousClock.Instant) async {
        do {
            try await port.awaitWritable(until: deadline)
        } catch {
            failWrite(of: id, error)
            return
        }
        writeCommand(bytes, from: offset, of: id, deadline: deadline)
    }

    /// Ends command `id`, if still in flight, with its write's failure (`writeFailure`).
    private func failWrite(of id: UInt64, _ error: SerialPortError) {
        guard let current = inFlight, current.id == id else { return }
        assembler.abandon()
        finishCommand(with: .failure(writeFailure(error, shownCommand: current.shownCommand)))
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
            lastInputAt = .now
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
        let nothingInFlight = inFlight == nil
        guard let output = assembler.consume(framed) else {
            startGraceIfTheAwaitedLineArrived()
            return
        }
        if nothingInFlight { linesWithNothingInFlight &+= 1 }
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

    /// Starts the grace timer of the command in flight once its awaited information line is among its lines.
    private func startGraceIfTheAwaitedLineArrived() {
        guard var current = inFlight, let missingFinal = current.missingFinal, current.graceTimer == nil else { return }
        guard assembler.pendingInformationLines.contains(where: { Self.hasPrefix($0, missingFinal.prefix) }) else { return }
        let id = current.id
        current.graceTimer = Task { [weak self] in
            do {
                try await Task.sleep(for: missingFinal.grace)
            } catch {
                return  // cancelled: the final result came
            }
            await self?.takeReplyWithoutFinal(id)
        }
        inFlight = current
    }

    /// Ends the command in flight with the information lines received so far and `OK`, when its awaited line
    /// arrived; returns whether it did.
    @discardableResult
    private func takeReplyWithoutFinal(_ id: UInt64) -> Bool {
        guard let current = inFlight, current.id == id, current.graceTimer != nil else { return false }
        let lines = assembler.pendingInformationLines
        assembler.abandon()
        consecutiveTimeouts = 0
        repliesTakenWithoutFinal += 1
        logger.debug("reply taken without its final result", metadata: ["at.command": "\(current.shownCommand)"])
        finishCommand(with: .success(ATResponse(command: current.command, lines: lines, final: .ok)))
        return true
    }

    /// Whether `line` starts with `prefix` (upper-case bytes), comparing without case.
    private static func hasPrefix(_ line: String, _ prefix: [UInt8]) -> Bool {
        Self.upperASCII(line.utf8.prefix(prefix.count)) == prefix
    }

    /// The bytes with ASCII letters upper-cased.
    private static func upperASCII(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        bytes.map { (0x61...0x7A).contains($0) ? $0 - 0x20 : $0 }
    }

    private func deliver(_ report: ATUnsolicited) {
        // During a resynchronisation a report may be owed to the port's previous holder: nobody gets it.
        if resynchronising {
            logger.debug("discarding an unsolicited report during resynchronisation")
            return
        }
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
        // The awaited line is here and only the final result is missing: that is the reply, not a timeout.
        if takeReplyWithoutFinal(id) { return }
        assembler.abandon()
        consecutiveTimeouts += 1
        discardInputBeforeNextCommand = true
        // A USSD request is the command modems are known to hold their final result for (until the network answers,
        // after our deadline), so only it is taken to still owe one. If a final result was already dropped as an
        // earlier command's during it, that was most likely its own: nothing more is owed.
        // A command whose carriage return never went out cannot be answered at all.
        let owes = current.isWritten && !current.droppedOwedFinal && Self.mayAnswerLate(current.command)
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
        current.graceTimer?.cancel()
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

    // MARK: - Resynchronisation

    /// Ends a USSD dialogue left open (3GPP TS 27.007 `+CUSD=2`); `ERROR` when none is open.
    private static let endUSSDCommand = "AT+CUSD=2"
    /// The sync probe: its only reply is a bare `OK`.
    private static let probeCommand = "AT"

    /// `resynchronise(_:)` with the command slot held. A run that ends in step or by its deadline is the session's
    /// resynchronisation: none is pending any more.
    private func resynchroniseHoldingSlot(_ parameters: Resynchronisation) async throws(ATSessionError) {
        let started = ContinuousClock.now
        let deadline = started.advanced(by: parameters.timeout)
        resynchronising = true
        defer { resynchronising = false }
        logger.debug("resynchronising")
        do throws(ATSessionError) {
            try await bringInStep(parameters, deadline: deadline)
        } catch {
            if case .timeout = error {
                pendingResynchronisation = nil
                logger.debug("resynchronisation timed out")
            }
            throw error
        }
        pendingResynchronisation = nil
        // Reports buffered before the run may be owed to the previous holder too; none owed arrives from now on.
        bufferedUnsolicited.removeAll()
        // The probe was answered in step, so every earlier command's final result has arrived.
        owedFinalUntil = nil
        let elapsed = started.duration(to: .now).components
        logger.debug("resynchronised", metadata: [
            "duration.ms": "\(elapsed.seconds * 1000 + elapsed.attoseconds / 1_000_000_000_000_000)",
        ])
    }

    /// Steps 1–3 of `resynchronise(_:)`; throws `.timeout(command: "AT")` when `deadline` comes first.
    private func bringInStep(_ parameters: Resynchronisation, deadline: ContinuousClock.Instant) async throws(ATSessionError) {
        let drainUntil = min(deadline, ContinuousClock.now.advanced(by: parameters.drainLimit))
        // A chattering device is not quiet by `drainUntil`: the probe below still decides.
        _ = try await drain(parameters.quietPeriod, until: drainUntil)

        if let budget = Self.budget(parameters.commandTimeout, until: deadline) {
            do throws(ATSessionError) {
                _ = try await exchange(Self.endUSSDCommand, shown: Self.endUSSDCommand, timeout: budget)
            } catch {
                switch error {
                case .timeout, .replyTooLarge: break  // ignored: the probe decides whether the device is in step
                default: throw error
                }
            }
        }

        var attempts = 0
        while true {
            if attempts > 0 {
                // The last exchange was off: throw away what is still coming for it (or for earlier holders).
                _ = try await drain(parameters.quietPeriod, until: deadline)
            }
            attempts += 1
            guard let budget = Self.budget(parameters.commandTimeout, until: deadline) else {
                throw .timeout(command: Self.probeCommand)
            }
            let probe: ATResponse
            do throws(ATSessionError) {
                probe = try await exchange(Self.probeCommand, shown: Self.probeCommand, timeout: budget)
            } catch {
                switch error {
                case .timeout, .replyTooLarge: continue
                default: throw error
                }
            }
            // Information lines or another final result: a reply owed to an earlier command.
            guard probe.isOK, probe.lines.isEmpty else { continue }
            // A stale bare `OK` taken for the probe's is followed by the probe's own: in step only if nothing comes.
            let seen = linesWithNothingInFlight
            let quiet = try await waitForQuietLine(parameters.quietPeriod, until: deadline)
            if quiet, linesWithNothingInFlight == seen {
                logger.debug("sync probe answered in step", metadata: ["attempts": "\(attempts)"])
                return
            }
        }
    }

    /// Throws away what the device sends until the line has been quiet for `quietPeriod`; false when `limit` comes
    /// first. Nothing is in flight meanwhile, so every line is dropped: final results as late replies (paying what a
    /// timed-out command owes), reports and anything else undelivered (the session is resynchronising). A partial
    /// line left at the end is dropped too, and reply assembly starts afresh (no oversized reply's tail pending).
    private func drain(_ quietPeriod: Duration, until limit: ContinuousClock.Instant) async throws(ATSessionError) -> Bool {
        defer {
            framer = ATLineFramer(maxLineLength: Self.maxLineLength)
            assembler = ATResponseAssembler()
        }
        return try await waitForQuietLine(quietPeriod, until: limit)
    }

    /// Waits until no byte has arrived for `quietPeriod`, counted from now at the earliest; false when `limit` comes
    /// first. Input is processed as usual meanwhile.
    private func waitForQuietLine(_ quietPeriod: Duration, until limit: ContinuousClock.Instant) async throws(ATSessionError) -> Bool {
        let started = ContinuousClock.now
        while true {
            try requireOpen()
            let quietAt = max(lastInputAt, started).advanced(by: quietPeriod)
            let now = ContinuousClock.now
            if now >= quietAt { return true }
            if now >= limit { return false }
            do {
                try await Task.sleep(until: min(quietAt, limit), clock: .continuous)
            } catch {
                throw .cancelled
            }
        }
    }

    /// `timeout`, shortened to what is left until `deadline`; nil when nothing is left.
    private static func budget(_ timeout: Duration, until deadline: ContinuousClock.Instant) -> Duration? {
        let left = ContinuousClock.now.duration(to: deadline)
        guard left > .zero else { return nil }
        return min(timeout, left)
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
