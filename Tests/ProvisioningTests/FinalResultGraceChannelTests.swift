import ATDevice
import ATProtocol
import Testing

/// `DeviceChannel.execute(_:timeout:redacted:expecting:grace:)`: the grace reaches a channel that can take a reply
/// without its final result, and only with a positive grace; other channels are asked as usual.
@Suite struct FinalResultGraceChannelTests {
    /// A Wavecom-like device: `+CPIN?` has no final result, so a plain execute times out and a graceful one answers.
    actor WavecomChannel: FinalResultGraceChannel {
        private(set) var graces: [Duration] = []
        private(set) var plain = 0

        func execute(_ command: String, timeout: Duration, redacted: String?) async throws(ChannelError) -> ATResponse {
            plain += 1
            throw .timeout(command: redacted ?? command)
        }

        func executeAllowingMissingFinal(_ command: String, timeout: Duration, redacted: String?, expecting: String,
                                         grace: Duration) async throws(ChannelError) -> ATResponse {
            graces.append(grace)
            guard expecting == "+CPIN" else { throw .timeout(command: command) }
            return ATResponse(command: command, lines: ["+CPIN: READY"], final: .ok)
        }

        func waitForUnsolicited(named name: String, timeout: Duration) async throws(ChannelError) -> ATUnsolicited {
            throw .timeout(command: name)
        }

        func discardUnsolicited(named name: String) async {}
    }

    /// A channel that knows nothing of graces.
    struct PlainChannel: DeviceChannel {
        func execute(_ command: String, timeout: Duration, redacted: String?) async throws(ChannelError) -> ATResponse {
            ATResponse(command: command, lines: ["+CPIN: READY"], final: .ok)
        }

        func waitForUnsolicited(named name: String, timeout: Duration) async throws(ChannelError) -> ATUnsolicited {
            throw .timeout(command: name)
        }

        func discardUnsolicited(named name: String) async {}
    }

    @Test func aGraceReachesAChannelThatCanTakeARepliesWithoutFinal() async throws {
        let channel = WavecomChannel()
        let reply = try await channel.execute("AT+CPIN?", timeout: .seconds(5), redacted: nil, expecting: "+CPIN",
                                              grace: .milliseconds(500))
        #expect(reply.lines == ["+CPIN: READY"])
        #expect(await channel.graces == [.milliseconds(500)])
        #expect(await channel.plain == 0)
    }

    @Test func noGraceOrAZeroGraceAsksForTheFinalResult() async {
        let channel = WavecomChannel()
        for grace in [nil, Duration.zero] as [Duration?] {
            await #expect(throws: ChannelError.timeout(command: "AT+CPIN?")) {
                _ = try await channel.execute("AT+CPIN?", timeout: .seconds(1), redacted: nil, expecting: "+CPIN", grace: grace)
            }
        }
        await #expect(throws: ChannelError.timeout(command: "AT+CPIN?")) {
            _ = try await channel.execute("AT+CPIN?", timeout: .seconds(1), redacted: nil, expecting: nil, grace: .seconds(1))
        }
        #expect(await channel.plain == 3)
        #expect(await channel.graces.isEmpty)
    }

    @Test func aChannelWithoutGraceIsAskedAsUsual() async throws {
        let reply = try await PlainChannel().execute("AT+CPIN?", timeout: .seconds(1), redacted: nil, expecting: "+CPIN",
                                                     grace: .milliseconds(200))
        #expect(reply.isOK)
    }
}
