import ArgumentParser
import Dispatch
import Foundation
import Localization
import StationAPI

/// `hotspotctl board`: the counter's full-screen view, one line per device, updated in place until Ctrl-C.
///
/// It follows the daemon's events and fetches the device list when something changed (and every few seconds), redraws
/// every second for the elapsed times, and when the daemon goes away (a restart) says so on its last line and
/// reconnects by itself.
struct BoardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "board",
        abstract: HelpLanguage.text(.boardAbstract),
        discussion: HelpLanguage.text(.boardDiscussion))

    @Option(name: .long, help: HelpLanguage.argument(.socketOption, discussion: .socketDiscussion, valueName: "path"))
    var socket: String?

    @Flag(name: .long, help: HelpLanguage.argument(.boardNoColour))
    var noColour = false

    @Option(name: .long, help: HelpLanguage.argument(.langOption, discussion: .langDiscussion, valueName: "fr|en"))
    var lang: String?

    /// Refuses a `--lang` the station does not speak.
    func validate() throws {
        var options = GlobalOptions()
        options.lang = lang
        try options.validate()
    }

    func run() async throws {
        var options = GlobalOptions()
        options.socket = socket
        options.lang = lang
        let client = StationClient(transport: UnixSocketTransport(socketPath: options.socketPath()), reveal: false)
        let colour = !noColour && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        let screen = TerminalScreen(output: StandardStream.standardOutput)
        let board = BoardLoop(client: client, renderer: BoardRenderer(timestamps: LocalTimestamp(timeZone: .current), colour: colour,
                                                                      messages: Messages(language: options.language())),
                              screen: screen)
        // Ctrl-C, a stop, or the terminal going away (a closed window, tmux kill-server): give the screen back and exit.
        let stops = [SIGINT, SIGTERM, SIGHUP]
        for number in stops { signal(number, SIG_IGN) }
        screen.enter()
        let task = Task { await board.run() }
        let queue = DispatchQueue(label: "hotspotctl.board.signals")
        let sources = stops.map { DispatchSource.makeSignalSource(signal: $0, queue: queue) }
        for source in sources {
            source.setEventHandler {
                task.cancel()
                // A read the cancellation cannot interrupt (a connection to a daemon that went away) must not keep
                // the board on screen: give the terminal back and leave within a second whatever happens.
                queue.asyncAfter(deadline: .now() + 1) {
                    screen.leave()
                    Foundation.exit(0)
                }
            }
            source.resume()
        }
        let resize = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: queue)
        signal(SIGWINCH, SIG_IGN)
        resize.setEventHandler { Task { await board.requestRedraw() } }
        resize.resume()
        await task.value
        for source in sources { source.cancel() }
        resize.cancel()
        screen.leave()
    }
}

/// The terminal as the board uses it: the alternate screen, no cursor, lines rewritten in place.
struct TerminalScreen: Sendable {
    /// Where the escape sequences go.
    var output: any OutputSink

    /// Switches to the alternate screen and hides the cursor.
    func enter() { output.write("\u{1B}[?1049h\u{1B}[?25l\u{1B}[H\u{1B}[2J") }

    /// Shows the cursor and gives the normal screen back.
    func leave() { output.write("\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l") }

    /// Rewrites the screen from the top, line by line (each cleared to its end), then clears what is below: no
    /// flicker, and nothing left over from a longer previous frame.
    func draw(_ lines: [String]) {
        var frame = "\u{1B}[H"
        for (index, line) in lines.enumerated() {
            frame += line + "\u{1B}[K"
            if index < lines.count - 1 { frame += "\r\n" }
        }
        output.write(frame + "\u{1B}[J")
    }

    /// Whether standard input is a terminal that hung up (POLLHUP): the board's reader is gone.
    static func hungUp(descriptor: Int32 = STDIN_FILENO) -> Bool {
        guard isatty(descriptor) == 1 else { return false }
        var entry = pollfd(fd: descriptor, events: 0, revents: 0)
        guard poll(&entry, 1, 0) == 1 else { return false }
        return entry.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0
    }

    /// The terminal's size in columns and rows, or 80×24 when it does not say.
    static func size(descriptor: Int32 = STDOUT_FILENO) -> (columns: Int, rows: Int) {
        var size = winsize()
        let status = withUnsafeMutablePointer(to: &size) { ioctl(descriptor, UInt(TIOCGWINSZ), $0) }
        guard status == 0, size.ws_col > 0, size.ws_row > 0 else { return (80, 24) }
        return (Int(size.ws_col), Int(size.ws_row))
    }
}

/// The board's state and its two jobs: following the daemon's events (reconnecting), and redrawing.
actor BoardLoop {
    private let client: StationClient
    private let renderer: BoardRenderer
    private let screen: TerminalScreen
    private let size: @Sendable () -> (columns: Int, rows: Int)
    private var devices: [DeviceStatus] = []
    private var plans: [PlanInfo] = []
    private var connection = BoardRenderer.Connection.connecting
    private var dirty = true
    private var lastFetch: ContinuousClock.Instant?

    /// Creates the loop; `size` is the terminal's (injectable for tests).
    init(client: StationClient, renderer: BoardRenderer, screen: TerminalScreen,
         size: @escaping @Sendable () -> (columns: Int, rows: Int) = { TerminalScreen.size() }) {
        self.client = client
        self.renderer = renderer
        self.screen = screen
        self.size = size
    }

    /// Runs until cancelled.
    func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.followEvents() }
            group.addTask { await self.redrawLoop() }
            await group.waitForAll()
        }
    }

    /// Asks for a fresh frame (terminal resized).
    func requestRedraw() { dirty = true }

    /// Follows `/v1/events`; every event marks the list stale. When the stream ends or fails, waits a second and
    /// connects again, for as long as the board runs.
    private func followEvents() async {
        while !Task.isCancelled {
            do {
                let lines = try await client.events()
                markConnected()
                for try await _ in lines { dirty = true }
            } catch {
                // Unreachable or broken: said on the board by the next failed fetch; try again below.
            }
            markLost()
            try? await Task.sleep(for: .seconds(1))
        }
    }

    private func markConnected() {
        if connection != .live { dirty = true }
    }

    private func markLost() {
        if case .lost = connection { return }
        connection = .lost(since: Date())
        dirty = true
    }

    /// Fetches when something changed (or every 5 s), and draws every 250 ms when changed, else every second.
    private func redrawLoop() async {
        var lastDraw = ContinuousClock.now - .seconds(10)
        while !Task.isCancelled {
            if TerminalScreen.hungUp() {
                // The terminal went away (its window closed, its tmux server killed): nobody reads the board.
                Foundation.exit(0)
            }
            let stale = lastFetch.map { ContinuousClock.now - $0 > .seconds(5) } ?? true
            if dirty || stale {
                dirty = false
                await fetch()
                draw()
                lastDraw = .now
            } else if ContinuousClock.now - lastDraw >= .seconds(1) {
                draw()
                lastDraw = .now
            }
            try? await Task.sleep(for: .milliseconds(250))
        }
    }

    private func fetch() async {
        lastFetch = .now
        do {
            let devices = try await client.devices()
            let plans = try await client.plans()
            self.devices = devices
            self.plans = plans
            connection = .live
        } catch {
            markLost()
            dirty = false
        }
    }

    private func draw() {
        let (columns, rows) = size()
        screen.draw(renderer.render(devices: devices, plans: plans, now: Date(), connection: connection,
                                    width: columns, height: rows))
    }
}
