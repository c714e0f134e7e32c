import Foundation
@testable import hotspotctl
import StationAPI
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// SIM reader rows, orders and the PIN prompt in the command-line client.
@Suite struct SIMReaderCommandTests {
    static func readerRow() -> DeviceStatus {
        var row = DeviceStatus(id: "r1", port: "pcsc:ACS ACR39U 00 00", state: .done, step: "read-sim", role: .simReader,
                               model: "ACS ACR39U 00 00", iccid: "…4567", iccidLuhnValid: false, simState: "SIM PIN",
                               updatedAt: Sample.date)
        row.simType = "GSM"
        row.pinTriesLeft = 3
        return row
    }

    @Test func readersAreListedWithTypePINTriesAndNoIMEI() async throws {
        let transport = FakeTransport()
        try transport.reply("GET", "/v1/devices", json: [Self.readerRow()])
        let result = try await runCommand(["devices"], transport: transport)
        #expect(result.status == 0)
        #expect(result.stdout == """
            ID  READER            STATE  ICCID  SIM  PIN      TRIES  IMEI     UPDATED
            r1  ACS ACR39U 00 00  done   …4567  GSM  SIM PIN  3      no IMEI  05-01

            """)
    }

    @Test func statusSaysNoIMEIForAReader() async throws {
        let report = StatusReport(timestamps: LocalTimestamp(timeZone: Sample.utc), showQRCode: false).render(Self.readerRow())
        let lines = report.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        #expect(lines.contains("IMEI none (a SIM reader)"))
        #expect(lines.contains("SIM SIM PIN (3 tries left)"))
        #expect(lines.contains("SIM type GSM"))
    }

    @Test func ordersAreListedAndCancelledByID() async throws {
        let transport = FakeTransport()
        let order = OrderInfo(id: 7, iccid: "…4567", plan: "2GB", origin: "provision", state: "open", credit: "none",
                              actorUID: 3000, createdAt: Sample.date, closedAt: nil)
        try transport.reply("GET", "/v1/orders", json: [order])
        var cancelled = order
        cancelled.state = "cancelled"
        try transport.reply("POST", "/v1/orders/7/cancel", json: cancelled)
        let listed = try await runCommand(["orders"], transport: transport)
        #expect(listed.stdout == """
            ID  ICCID  PLAN  ORIGIN     STATE  CREDIT  UID   PLACED
            7   …4567  2GB   provision  open   none    3000  2024-05-01 14:03:22

            """)
        let result = try await runCommand(["orders", "cancel", "7"], transport: transport)
        #expect(result.status == 0)
        #expect(result.stdout == "Order 7 (plan 2GB, SIM …4567) is cancelled.\n")
        #expect(transport.requests.last?.method == "POST" && transport.requests.last?.path == "/v1/orders/7/cancel")
    }

    private func pin(from text: String) throws -> String {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        _ = text.utf8CString.withUnsafeBufferPointer { write(fds[1], $0.baseAddress, text.utf8.count) }
        close(fds[1])
        return try PINReader.read(prompt: "PIN: ", from: fds[0])
    }

    @Test func thePINIsTheFirstLineOfStandardInput() throws {
        #expect(try pin(from: "4321\r\nrest\n") == "4321")
        #expect(try pin(from: "0000") == "0000")
        #expect(throws: HotspotctlError.self) { try pin(from: "\n") }
        #expect(throws: HotspotctlError.self) { try pin(from: String(repeating: "9", count: 100)) }
    }
}
