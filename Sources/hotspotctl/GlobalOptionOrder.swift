/// Lets the global options come before the subcommand, as people type them: `hotspotctl --json devices`.
///
/// argument-parser reads a subcommand's options only after its name, so global options found before the first
/// other word are moved to the end of the arguments (before a `--`, when there is one), where the subcommand's
/// `GlobalOptions` reads them. Anything else before the subcommand (`--help`, `--version`, a typo) is left alone.
enum GlobalOptionOrder {
    /// Flags of `GlobalOptions`.
    static let flags: Set<String> = ["--json", "--reveal", "--reveal-key", "--reveal-ids"]
    /// Options of `GlobalOptions` that take a value.
    static let valued: Set<String> = ["--socket", "--lang"]

    /// The arguments with leading global options moved after the subcommand's own.
    static func movingLeadingGlobals(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if flags.contains(argument) {
                leading.append(argument)
                index += 1
            } else if valued.contains(argument), index + 1 < arguments.count {
                leading += [argument, arguments[index + 1]]
                index += 2
            } else if let equals = argument.firstIndex(of: "="), valued.contains(String(argument[..<equals])) {
                leading.append(argument)
                index += 1
            } else {
                break
            }
        }
        guard !leading.isEmpty, index < arguments.count else { return arguments }
        var rest = Array(arguments[index...])
        if let separator = rest.firstIndex(of: "--") {
            rest.insert(contentsOf: leading, at: separator)
        } else {
            rest += leading
        }
        return rest
    }
}
