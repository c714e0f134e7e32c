import Localization

/// A failure as printed on stderr, in the output's language.
///
/// English keeps the one line the daemon or the CLI wrote (`hotspotctl: <sentence>`), which scripts and people already
/// read. French gives the catalog's sentence with the stable code, what to do, and the original English sentence as
/// the detail (it names the device, voucher or file concerned), indented so the first line still reads alone; where
/// the daemon sent the facts as named values (`details`), they are said in French instead.
enum FailureText {
    /// The stderr text for `error`, each line ending in `\n`.
    static func lines(for error: HotspotctlError, language: Language) -> String {
        let original = TerminalText.sanitize(error.message)
        guard language == .french else { return "hotspotctl: \(original)\n" }
        let messages = Messages(language: language)
        let code = error.body.error.code
        var text = "hotspotctl: \(messages.text(.failure(code.rawValue))) [\(code)]\n"
        if let action = messages.action(code) { text += "  " + messages.text(.actionPrefix) + action + "\n" }
        // The facts the daemon sent as named values are said in French; otherwise its English sentence is the detail.
        if let detail = messages.detail(error.body.error.details) {
            text += "  " + TerminalText.sanitize(detail) + "\n"
        } else {
            text += "  (" + original + ")\n"
        }
        return text
    }
}
