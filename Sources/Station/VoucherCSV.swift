/// Reads the voucher files partners and offices send: a header naming the code and plan columns, one voucher a line.
///
/// Files come as spreadsheets save them: the separator is `,`, `;` (French spreadsheets) or a tab, found from the
/// header; a UTF-8 byte-order mark is skipped; a field wholly in double quotes is unquoted; codes printed in groups
/// (`1111 2222 6666`, `1111-2222-6666`) lose their spaces and dashes; a plan is named as configured (any case) or by
/// its volume in English or French units (`500mb`, `500 Mo`, `2go`, `1,5 Go`).
///
/// Strict on purpose: a file with any bad line is refused whole, and every error names its line, so a technician can
/// fix the file and import it again without wondering what was half-imported. Codes are digits only, because they go
/// into a USSD string (`*123*<code>#`) that admits nothing else.
public enum VoucherCSV {
    /// One voucher and the file line it came from.
    public struct Row: Sendable, Equatable {
        /// The code (secret).
        public var code: String
        /// The plan it buys, as configured.
        public var plan: String
        /// 1-based line in the file.
        public var line: Int
    }

    /// A problem in the file.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        /// 1-based line, or nil for the file as a whole.
        public var line: Int?
        /// Why.
        public var reason: String
        /// `line N: reason`.
        public var description: String { line.map { "line \($0): \(reason)" } ?? reason }
    }

    /// A configured plan as the file may name it.
    public struct PlanName: Sendable, Equatable {
        /// The plan's configured name.
        public var name: String
        /// Its volume in megabytes, when known (lets `500 Mo` find plan `500MB`).
        public var megabytes: Int?
        /// Creates a plan name.
        public init(name: String, megabytes: Int?) {
            self.name = name
            self.megabytes = megabytes
        }
    }

    /// Header names accepted for the code column, lower-cased.
    static let codeHeaders: Set<String> = ["code", "voucher", "code recharge", "recharge", "pin", "ticket"]
    /// Header names accepted for the plan column, lower-cased.
    static let planHeaders: Set<String> = ["plan", "forfait", "offre"]

    /// Parses the whole file against plan names only (no volumes known).
    public static func parse(_ text: String, knownPlans: Set<String>) throws(Problem) -> [Row] {
        try parse(text, plans: knownPlans.sorted().map { PlanName(name: $0, megabytes: nil) })
    }

    /// Parses the whole file or throws its first problem.
    public static func parse(_ text: String, plans: [PlanName]) throws(Problem) -> [Row] {
        var rows: [Row] = []
        var columns: (code: Int, plan: Int, separator: Character)?
        var seen: [String: Int] = [:]
        var body = Substring(text)
        if body.hasPrefix("\u{FEFF}") { body = body.dropFirst() }
        // "\r\n" is one Character in Swift: split on any newline Character, not on "\n".
        let lines = body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (index, rawLine) in lines.enumerated() {
            let number = index + 1
            let trimmed = rawLine.trimmingSpaces()
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let (codeIndex, planIndex, separator) = columns else {
                columns = try header(trimmed, line: number)
                continue
            }
            let fields = try self.fields(trimmed, separator: separator, line: number)
            if fields.allSatisfy(\.isEmpty) { continue }   // a spreadsheet's trailing ";;"
            guard fields.count > max(codeIndex, planIndex) else {
                throw Problem(line: number, reason: "expected \(max(codeIndex, planIndex) + 1) fields, found \(fields.count)")
            }
            let code = String(fields[codeIndex].filter { !isGroupingMark($0) })
            guard (4...32).contains(code.count), code.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw Problem(line: number, reason: "a voucher code is 4 to 32 digits")
            }
            let plan = try matchPlan(fields[planIndex], plans: plans, line: number)
            if let first = seen[code] {
                throw Problem(line: number, reason: "the voucher ending \(code.suffix(4)) repeats line \(first)")
            }
            seen[code] = number
            rows.append(Row(code: code, plan: plan, line: number))
        }
        if columns == nil { throw Problem(line: nil, reason: "the file is empty") }
        if rows.isEmpty { throw Problem(line: nil, reason: "the file has no vouchers") }
        return rows
    }

    /// The code and plan columns and the separator, from the header line.
    private static func header(_ line: String, line number: Int) throws(Problem) -> (Int, Int, Character) {
        for separator in [";", "\t", ","] as [Character] where line.contains(separator) {
            guard let names = try? fields(line, separator: separator, line: number).map({ $0.lowercased() }) else { continue }
            if let code = names.firstIndex(where: codeHeaders.contains), let plan = names.firstIndex(where: planHeaders.contains) {
                return (code, plan, separator)
            }
        }
        throw Problem(line: number, reason: "the first line must be the header 'code,plan' (or 'code;plan')")
    }

    /// A line's fields, trimmed; a field wholly in double quotes is unquoted, any other quote refused.
    private static func fields(_ line: String, separator: Character, line number: Int) throws(Problem) -> [String] {
        var result: [String] = []
        for raw in line.split(separator: separator, omittingEmptySubsequences: false) {
            var field = raw.trimmingSpaces()
            if field.count >= 2, field.hasPrefix("\""), field.hasSuffix("\"") {
                field = String(field.dropFirst().dropLast()).trimmingSpaces()
            }
            if field.contains("\"") { throw Problem(line: number, reason: "quotes are not allowed in voucher files") }
            result.append(field)
        }
        return result
    }

    /// Spaces (also the no-break spaces spreadsheets put between digit groups) and dashes inside a printed code.
    private static func isGroupingMark(_ character: Character) -> Bool {
        character == " " || character == "-" || character == "\u{00A0}" || character == "\u{202F}" || character == "\u{2011}"
    }

    /// The configured plan a file's plan cell names: by name (any case), else by volume.
    static func matchPlan(_ cell: String, plans: [PlanName], line number: Int) throws(Problem) -> String {
        if let named = plans.first(where: { $0.name.caseInsensitiveCompare(cell) == .orderedSame }) { return named.name }
        let unknown = Problem(line: number, reason: "plan '\(cell.prefix(32))' is not configured (plans: \(plans.map(\.name).sorted().joined(separator: ", ")))")
        guard let volume = Volume(cell) else { throw unknown }
        let matches = plans.filter { plan in
            if let named = Volume(plan.name), named == volume { return true }
            guard let megabytes = plan.megabytes else { return false }
            return volume.megabytes.contains(megabytes)
        }
        guard let first = matches.first else { throw unknown }
        guard matches.count == 1 else {
            throw Problem(line: number, reason: "plan '\(cell.prefix(32))' could be \(matches.map(\.name).joined(separator: " or ")): name it exactly")
        }
        return first.name
    }

    /// A data volume written by people: a number (decimal point or comma), then `mb`/`mo`/`m` or `gb`/`go`/`g`, any
    /// case, with or without a space.
    struct Volume: Equatable {
        /// The amount, in thousandths of the unit (`1,5 Go` is 1500).
        var thousandths: Int
        /// Whether the unit is giga (else mega).
        var giga: Bool

        init?(_ text: String) {
            let lowered = text.lowercased().filter { !$0.isWhitespace }
            let units: [(String, Bool)] = [("mb", false), ("mo", false), ("m", false), ("gb", true), ("go", true), ("g", true)]
            guard let (unit, giga) = units.first(where: { lowered.hasSuffix($0.0) }) else { return nil }
            let number = lowered.dropLast(unit.count).replacingOccurrences(of: ",", with: ".")
            let parts = number.split(separator: ".", omittingEmptySubsequences: false)
            guard (1...2).contains(parts.count), let whole = Int(parts[0]), parts[0].allSatisfy(\.isASCIINumber),
                  whole >= 0, whole < 1_000_000 else { return nil }
            var thousandths = whole * 1000
            if parts.count == 2 {
                let fraction = parts[1]
                guard (1...3).contains(fraction.count), fraction.allSatisfy(\.isASCIINumber),
                      let value = Int(fraction.padding(toLength: 3, withPad: "0", startingAt: 0)) else { return nil }
                thousandths += value
            }
            guard thousandths > 0 else { return nil }
            self.thousandths = thousandths
            self.giga = giga
        }

        /// The megabyte figures a plan of this volume may be configured with (giga as 1000 or 1024).
        var megabytes: Set<Int> {
            giga ? [thousandths, thousandths * 1024 / 1000] : (thousandths % 1000 == 0 ? [thousandths / 1000] : [])
        }

        static func == (lhs: Volume, rhs: Volume) -> Bool {
            lhs.thousandths * (lhs.giga ? 1000 : 1) == rhs.thousandths * (rhs.giga ? 1000 : 1)
        }
    }
}

private extension Character {
    var isASCIINumber: Bool { isASCII && isNumber }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }),
              let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
