/// Reads the voucher files partners send: CSV with a `code,plan` header, one voucher a line.
///
/// Strict on purpose: a file with any bad line is refused whole, and every error names its line, so a technician can
/// fix the file and import it again without wondering what was half-imported. Codes are digits only, because they go
/// into a USSD string (`*123*<code>#`) that admits nothing else.
public enum VoucherCSV {
    /// One voucher and the file line it came from.
    public struct Row: Sendable, Equatable {
        /// The code (secret).
        public var code: String
        /// The plan it buys.
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

    /// Parses the whole file or throws its first problem.
    public static func parse(_ text: String, knownPlans: Set<String>) throws(Problem) -> [Row] {
        var rows: [Row] = []
        var codeColumn: Int?
        var planColumn: Int?
        var seen: [String: Int] = [:]
        // "\r\n" is one Character in Swift: split on any newline Character, not on "\n".
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (index, rawLine) in lines.enumerated() {
            let number = index + 1
            let trimmed = rawLine.trimmingSpaces()
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            if trimmed.contains("\"") {
                throw Problem(line: number, reason: "quotes are not allowed in voucher files")
            }
            let fields = trimmed.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces() }
            guard let codeIndex = codeColumn, let planIndex = planColumn else {
                let names = fields.map { $0.lowercased() }
                guard let code = names.firstIndex(of: "code"), let plan = names.firstIndex(of: "plan") else {
                    throw Problem(line: number, reason: "the first line must be the header 'code,plan'")
                }
                codeColumn = code
                planColumn = plan
                continue
            }
            guard fields.count > max(codeIndex, planIndex) else {
                throw Problem(line: number, reason: "expected \(max(codeIndex, planIndex) + 1) fields, found \(fields.count)")
            }
            let code = fields[codeIndex]
            let plan = fields[planIndex]
            guard (4...32).contains(code.count), code.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw Problem(line: number, reason: "a voucher code is 4 to 32 digits")
            }
            guard knownPlans.contains(plan) else {
                let plans = knownPlans.sorted().joined(separator: ", ")
                throw Problem(line: number, reason: "plan '\(plan.prefix(32))' is not configured (plans: \(plans))")
            }
            if let first = seen[code] {
                throw Problem(line: number, reason: "the voucher ending \(code.suffix(4)) repeats line \(first)")
            }
            seen[code] = number
            rows.append(Row(code: code, plan: plan, line: number))
        }
        if codeColumn == nil { throw Problem(line: nil, reason: "the file is empty") }
        if rows.isEmpty { throw Problem(line: nil, reason: "the file has no vouchers") }
        return rows
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }),
              let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
