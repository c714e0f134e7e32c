import Foundation
import Testing
@testable import ATProtocol

/// One captured reply from `Fixtures/replies-<vendor>.json` (see `Fixtures/SOURCES.md`).
struct ReplyFixture: Decodable, Sendable, CustomTestStringConvertible {
    var id: String
    var source: String
    var vendor: String
    var model: String?
    var command: String?
    var reply: String
    var expect: JSONValue

    var testDescription: String { id }

    /// Every fixture of every `replies-*.json` file in the test bundle's `Fixtures` directory.
    static func all() throws -> [ReplyFixture] {
        let directory = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.lastPathComponent.hasPrefix("replies-") && $0.pathExtension == "json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        var fixtures: [ReplyFixture] = []
        for file in files {
            let data = try Data(contentsOf: file)
            fixtures += try JSONDecoder().decode([ReplyFixture].self, from: data)
        }
        return fixtures
    }

    /// Loads fixtures for a parameterised test; an unreadable file fails the test that uses it.
    static let loaded: [ReplyFixture] = (try? all()) ?? []
}

/// Checks `actual` against `expected`: objects as subsets (recursively), numbers by value, an
/// expected null matching a missing key. Returns the paths that differ.
func mismatches(expected: JSONValue, actual: JSONValue?, path: String = "") -> [String] {
    switch expected {
    case .object(let object):
        guard case .object(let actualObject)? = actual else { return ["\(path): expected object, got \(describe(actual))"] }
        var result: [String] = []
        for key in object.keys {
            result += mismatches(expected: object[key] ?? .null, actual: actualObject[key], path: path + "." + key)
        }
        return result
    case .array(let values):
        guard case .array(let actualValues)? = actual, actualValues.count == values.count else {
            return ["\(path): expected \(expected.encodedString()), got \(describe(actual))"]
        }
        return zip(values, actualValues).enumerated().flatMap { index, pair in
            mismatches(expected: pair.0, actual: pair.1, path: "\(path)[\(index)]")
        }
    case .int, .double:
        if let want = expected.intValue, let got = actual?.intValue, want == got { return [] }
        if case .double(let want) = expected, case .double(let got)? = actual, want == got { return [] }
        return ["\(path): expected \(expected.encodedString()), got \(describe(actual))"]
    case .null:
        return actual == nil || actual == .null ? [] : ["\(path): expected null, got \(describe(actual))"]
    default:
        return actual == expected ? [] : ["\(path): expected \(expected.encodedString()), got \(describe(actual))"]
    }
}

private func describe(_ value: JSONValue?) -> String { value?.encodedString() ?? "(absent)" }

/// Compares a decoder result with a fixture's `expect`, translating the fixture conventions
/// (`parseError: true` means the decoder reported a parse error; `unsolicited: "<name>"` names the
/// last URC).
func fixtureMismatches(_ fixture: ReplyFixture, _ result: ATDecodeResult) -> [String] {
    guard case .object(var expected) = fixture.expect else { return ["expect is not an object"] }
    var problems: [String] = []
    if let parseError = expected["parseError"] {
        expected["parseError"] = nil
        let kind = result.value["error"]?["kind"]?.stringValue
        let isParse = result.isError && (kind == "parse" || kind == "simStatus")
        if parseError.boolValue == true && !isParse {
            problems.append("expected a parse error, got \(result.value.encodedString())")
        }
        if parseError.boolValue == false && isParse {
            problems.append("expected no parse error, got \(result.value.encodedString())")
        }
    }
    if case .string(let name)? = expected["unsolicited"] {
        // Fixture convention: a string names the last URC seen (the decoder lists whole lines).
        expected["unsolicited"] = nil
        let last = result.value["unsolicited"].flatMap { value -> String? in
            if case .array(let lines) = value { return lines.last?.stringValue }
            return nil
        }
        let lastName = last.flatMap { ATText.prefix(of: $0).map(String.init) ?? $0 }
        if lastName != name { problems.append("expected last URC \(name), got \(last ?? "none")") }
    }
    if expected["error"] != nil && !result.isError { problems.append("expected isError") }
    problems += mismatches(expected: .object(expected), actual: result.value)
    return problems
}

@Suite struct ReplyFixtureTests {
    @Test func fixtureFilesLoad() throws {
        let fixtures = try ReplyFixture.all()
        #expect(fixtures.count >= 1)
        #expect(Set(fixtures.map(\.id)).count == fixtures.count, "fixture ids must be unique")
    }

    @Test(arguments: ReplyFixture.loaded)
    func decodesFixture(_ fixture: ReplyFixture) {
        let result = ATReplyDecoder.decode(command: fixture.command, reply: Array(fixture.reply.utf8))
        let problems = fixtureMismatches(fixture, result)
        #expect(problems.isEmpty, "\(fixture.id): \(problems.joined(separator: "; ")) — output \(result.value.encodedString())")
    }

    @Test(arguments: ReplyFixture.loaded)
    func decodesFixtureTheSameWhateverTheSplit(_ fixture: ReplyFixture) {
        let bytes = Array(fixture.reply.utf8)
        let whole = ATReplyDecoder.decode(command: fixture.command, reply: bytes)
        var failures = 0
        for cut in 0...bytes.count {
            let split = ATReplyDecoder.decode(command: fixture.command, chunks: [Array(bytes[..<cut]), Array(bytes[cut...])])
            if split != whole { failures += 1 }
        }
        let byteByByte = ATReplyDecoder.decode(command: fixture.command, chunks: bytes.map { [$0] })
        #expect(failures == 0, "\(fixture.id): \(failures) split points give a different result")
        #expect(byteByByte == whole, "\(fixture.id): byte-by-byte feed gives a different result")
    }
}
