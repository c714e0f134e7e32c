import StationAPI
import Testing
@testable import hotspotctl

@Suite struct WiFiQRPayloadTests {
    @Test func buildsAWPAPayload() {
        #expect(WiFiQRPayload.make(ssid: "Connexion-0121", key: "abc") == "WIFI:T:WPA;S:Connexion-0121;P:abc;;")
    }

    @Test func escapesReservedCharacters() {
        #expect(WiFiQRPayload.make(ssid: #"a;b,c"d:e\f"#, key: "k;1:2") == #"WIFI:T:WPA;S:a\;b\,c\"d\:e\\f;P:k\;1\:2;;"#)
    }
}
