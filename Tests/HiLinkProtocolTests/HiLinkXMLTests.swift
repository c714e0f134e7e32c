import Testing
@testable import HiLinkProtocol

/// The strict XML parser: real answers read, hostile bodies refused with a typed error.
struct HiLinkXMLTests {
    // Shape of an E3372h-320 `/api/device/information` answer (fabiogermann/hilinkapi api-calls-reference),
    // with the identifiers replaced by test values.
    static let information = """
    <?xml version="1.0" encoding="UTF-8"?>
    <response>
    <DeviceName>E3372h-320</DeviceName>
    <SerialNumber>G4PDW19A01234567</SerialNumber>
    <Imei>356789012345678</Imei>
    <Imsi>001010123456789</Imsi>
    <Iccid>89001012345678901234</Iccid>
    <Msisdn></Msisdn>
    <HardwareVersion>CL4E3372HM</HardwareVersion>
    <SoftwareVersion>11.0.1.1(H697SP1C983)</SoftwareVersion>
    <Classify>hilink</Classify>
    </response>
    """

    @Test func readsADeviceInformationAnswer() throws {
        let response = try HiLinkResponse(body: Array(Self.information.utf8))
        guard case .fields(let element) = response else {
            Issue.record("expected fields, got \(response)")
            return
        }
        let info = HiLinkDeviceInformation(element)
        #expect(info.deviceName == "E3372h-320")
        #expect(info.imei == "356789012345678")
        #expect(info.iccid == "89001012345678901234")
        #expect(info.softwareVersion == "11.0.1.1(H697SP1C983)")
        #expect(info.classify == "hilink")
    }

    @Test func readsOKAndErrors() throws {
        #expect(try HiLinkResponse(body: Array("<?xml version=\"1.0\"?>\n<response>OK</response>\n".utf8)) == .ok)
        let error = try HiLinkResponse(body: Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?><error><code>125002</code><message></message></error>".utf8))
        #expect(error == .error(.wrongSession))
        #expect(HiLinkErrorCode.wrongSession.isTokenRejection)
        #expect(throws: HiLinkXMLError.self) { try HiLinkResponse(body: Array("<error><code>x</code></error>".utf8)) }
        #expect(throws: HiLinkXMLError.malformed("unexpected root <data>")) { try HiLinkResponse(body: Array("<data/>".utf8)) }
    }

    @Test func decodesReferencesAndNesting() throws {
        let root = try HiLinkXML.parse("<response><Ssids><Ssid><Index>0</Index><WifiSsid>a&amp;b &#40;x&#x29; &lt;</WifiSsid></Ssid></Ssids><WifiRestart/></response>")
        #expect(root.child("Ssids")?.child("Ssid")?["WifiSsid"] == "a&b (x) <")
        #expect(root["WifiRestart"] == "")
    }

    @Test func writesEscapedRequests() throws {
        let body = HiLinkXML.request(["WifiSsid": "Caf\u{e9} <&> \"'", "Index": "0"])
        #expect(body == "<?xml version=\"1.0\" encoding=\"UTF-8\"?><request><WifiSsid>Caf\u{e9} &lt;&amp;&gt; &quot;&apos;</WifiSsid><Index>0</Index></request>")
        let back = try HiLinkXML.parse(body)
        #expect(back["WifiSsid"] == "Caf\u{e9} <&> \"'")
    }

    @Test func refusesAnEntityBomb() {
        let bomb = """
        <?xml version="1.0"?>
        <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
        <response><x>&lol2;</x></response>
        """
        #expect(throws: HiLinkXMLError.declarationRefused) { try HiLinkXML.parse(bomb) }
        #expect(throws: HiLinkXMLError.unknownEntity("lol2")) { try HiLinkXML.parse("<response><x>&lol2;</x></response>") }
    }

    @Test func refusesHTMLPages() {
        #expect(throws: HiLinkXMLError.htmlInsteadOfXML) {
            try HiLinkXML.parse("<!DOCTYPE html>\n<html><head><meta name=\"csrf_token\" content=\"x\"></head></html>")
        }
        #expect(throws: HiLinkXMLError.htmlInsteadOfXML) { try HiLinkXML.parse("<HTML><body>login</body></HTML>") }
    }

    @Test func refusesHugeDeepAndCrowdedBodies() {
        let huge = [UInt8](repeating: UInt8(ascii: "a"), count: 10 * 1024 * 1024)
        #expect(throws: HiLinkXMLError.tooLarge(bytes: huge.count)) { try HiLinkXML.parse(huge) }
        let deep = String(repeating: "<a>", count: 50) + String(repeating: "</a>", count: 50)
        #expect(throws: HiLinkXMLError.tooDeep) { try HiLinkXML.parse(deep) }
        let crowded = "<response>" + String(repeating: "<a/>", count: 5000) + "</response>"
        #expect(throws: HiLinkXMLError.tooManyElements) { try HiLinkXML.parse(crowded) }
    }

    @Test func refusesMalformedBodies() {
        for body in ["", "plain text", "<response>", "<response><a></b></response>", "<response>x</response><more/>",
                     "<response>&#0;</response>", "<response>&amp</response>"] {
            #expect(throws: HiLinkXMLError.self, "\(body)") { try HiLinkXML.parse(body) }
        }
    }
}
