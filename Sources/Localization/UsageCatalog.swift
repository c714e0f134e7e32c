/// The command line's own usage errors (a value `hotspotctl` refuses before asking the daemon), French and English.
///
/// Option names and the values typed stay as they are; `%1`, `%2` are filled in by `Messages.text(_:values:)`.
public enum UsageMessage: String, Sendable, CaseIterable {
    case attachPath, attachInterface, printerWithoutPrint, printerName, optionTakesFile
    case dcsRange, dcsWithoutPayload, payloadWithReplyOptions, langValue, historyLimit
    case ledgerICCID, ledgerIMEI, sinceValue, limitAtLeastOne, limitOrTail, databasePath, databaseWithSocket
    case anchorValue, exportOverDatabase, timeoutRange, timeoutWithoutWait, ssidLength, keyLength
    case dayValue, csvOrJSON, handOversOrByUID, voucherID, noteEmpty, noteTooLong

    /// The French and the English text.
    var texts: (fr: String, en: String) {
        switch self {
        case .attachPath:
            ("Donnez le chemin absolu d'un port, comme /dev/ttyUSB2, ou l'adresse d'une unité HiLink, comme http://192.168.8.1.",
             "Give an absolute port path, such as /dev/ttyUSB2, or a HiLink unit's address, such as http://192.168.8.1.")
        case .attachInterface:
            ("--interface va avec l'adresse http:// d'une unité HiLink, pas avec un port série.",
             "--interface goes with a HiLink unit's http:// address, not a serial port.")
        case .printerWithoutPrint: ("--printer va avec --print.", "--printer goes with --print.")
        case .printerName:
            ("--printer prend un nom d'imprimante, comme « Brother_QL-800 ».",
             "--printer takes a printer name, such as 'Brother_QL-800'.")
        case .optionTakesFile: ("%1 prend un nom de fichier.", "%1 takes a file name.")
        case .dcsRange: ("--dcs va de 0 à 255.", "--dcs must be 0 to 255.")
        case .dcsWithoutPayload: ("--dcs va avec une CHARGE en argument.", "--dcs goes with a PAYLOAD argument.")
        case .payloadWithReplyOptions:
            ("--command et --escaped concernent une réponse lue sur l'entrée standard, pas une CHARGE.",
             "--command and --escaped are for a reply read from stdin, not a PAYLOAD.")
        case .langValue: ("--lang prend fr ou en, pas « %1 ».", "--lang takes fr or en, not '%1'.")
        case .historyLimit: ("--limit va de 1 à 100000.", "--limit must be between 1 and 100000.")
        case .ledgerICCID:
            ("--iccid prend l'ICCID complet ou ses 4 derniers chiffres ou plus, pas « %1 ».",
             "--iccid takes the full ICCID or its last 4 or more digits, not '%1'.")
        case .ledgerIMEI:
            ("--imei prend l'IMEI complet ou ses 4 derniers chiffres ou plus, pas « %1 ».",
             "--imei takes the full IMEI or its last 4 or more digits, not '%1'.")
        case .sinceValue: ("--since prend %1, pas « %2 ».", "--since takes %1, not '%2'.")
        case .limitAtLeastOne: ("--limit et --tail valent au moins 1.", "--limit and --tail must be at least 1.")
        case .limitOrTail:
            ("--limit et --tail disent la même chose : donnez l'un des deux.",
             "--limit and --tail say the same thing: give one of them.")
        case .databasePath: ("--database prend le chemin d'un fichier de registre.", "--database takes the path of a ledger file.")
        case .databaseWithSocket:
            ("--database et --socket ne vont pas ensemble : --database lit un fichier de registre sans le démon, --socket "
                + "interroge le démon.",
             "--database and --socket cannot be used together: --database reads a ledger file without the daemon, "
                + "--socket asks the daemon.")
        case .anchorValue:
            ("--anchor prend SEQ:HASH tel que « hotspotctl ledger anchor » l'imprime (un nombre, deux-points, 64 chiffres "
                + "hexadécimaux).",
             "--anchor takes SEQ:HASH as `hotspotctl ledger anchor` prints it (a number, a colon, 64 hex digits).")
        case .exportOverDatabase:
            ("--output %1 est le fichier de registre donné avec --database : il serait remplacé par son propre export.",
             "--output %1 is the ledger file given with --database: it would be replaced by its own export.")
        case .timeoutRange: ("--timeout va de 1 à 86400 secondes.", "--timeout must be between 1 and 86400 seconds.")
        case .timeoutWithoutWait: ("--timeout va avec --wait.", "--timeout goes with --wait.")
        case .ssidLength: ("--ssid fait de 1 à 32 octets.", "--ssid must be 1 to 32 bytes long.")
        case .keyLength:
            ("--key fait de 8 à 63 caractères ASCII, ou 64 chiffres hexadécimaux.",
             "--key must be 8 to 63 ASCII characters, or 64 hex digits.")
        case .dayValue:
            ("--day prend today (aujourd'hui), yesterday (hier) ou AAAA-MM-JJ, pas « %1 ».",
             "--day takes today, yesterday or YYYY-MM-DD, not '%1'.")
        case .csvOrJSON: ("--csv ou --json : choisissez.", "--csv and --json: choose one.")
        case .handOversOrByUID: ("--hand-overs ou --by-uid : choisissez.", "--hand-overs and --by-uid: choose one.")
        case .voucherID: ("Le numéro d'un bon est un nombre positif.", "The voucher id is a positive number.")
        case .noteEmpty: ("--note doit dire ce que vous avez vérifié.", "--note must say what you checked.")
        case .noteTooLong: ("--note fait au plus 1024 octets.", "--note is at most 1024 bytes.")
        }
    }
}

extension Messages {
    /// A usage error in this catalog's language, `%1`, `%2`… filled in one pass with `values`.
    public func text(_ usage: UsageMessage, values: [String] = []) -> String {
        let pair = usage.texts
        return Messages.filling(language.pick(fr: pair.fr, en: pair.en), with: values)
    }
}
