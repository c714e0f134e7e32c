import Foundation
import Testing
@testable import ATProtocol

@Suite struct JSONValueTests {
    @Test func encodesWithSortedKeysAndEscapes() {
        let value: JSONValue = ["b": 1, "a": ["x\"y\n", nil, true, 1.5], "c": ["z": false]]
        #expect(value.encodedString() == #"{"a":["x\"y\n",null,true,1.5],"b":1,"c":{"z":false}}"#)
        #expect(value.encodedString(pretty: true) == """
        {
          "a": [
            "x\\"y\\n",
            null,
            true,
            1.5
          ],
          "b": 1,
          "c": {
            "z": false
          }
        }
        """)
        #expect(JSONValue.string("\u{1}é").encodedString() == "\"\\u0001é\"")
        #expect(JSONValue.object(JSONObject()).encodedString() == "{}")
    }

    @Test func keepsInsertionOrderButComparesAsJSON() {
        let first = JSONObject([("z", 1), ("a", 2)])
        let second = JSONObject([("a", 2), ("z", 1)])
        #expect(first.keys == ["z", "a"])
        #expect(first == second)
        var edited = first
        edited["z"] = 3
        #expect(edited.keys == ["z", "a"])
        edited["z"] = nil
        #expect(edited.keys == ["a"])
    }

    @Test func roundTripsThroughCodable() throws {
        let value: JSONValue = ["ports": ["PCUI": 1, "MDM": 0], "ok": true, "list": [1, "two", nil, 2.5]]
        let data = try JSONEncoder().encode(value)
        let decoded = try JSONDecoder().decode(JSONValue.self, from: data)
        #expect(decoded == value)
        #expect(decoded["ok"]?.boolValue == true)
        #expect(decoded["ports"]?["PCUI"]?.intValue == 1)
    }

    @Test func decodesBooleansAsBooleansAndIntegersAsIntegers() throws {
        let decoded = try JSONDecoder().decode(JSONValue.self, from: Data(#"[true, 1, 1.25, "s", null]"#.utf8))
        #expect(decoded == [true, 1, 1.25, "s", nil])
    }
}
