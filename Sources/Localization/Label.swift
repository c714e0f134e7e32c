/// Fixed labels and phrases of the human output (table headers, field names, short sentences).
///
/// An exhaustive `switch` gives each case its two texts, so a label cannot be added without both languages.
public enum Label: String, Sendable, CaseIterable {
    // Table headers.
    case id, port, state, step, role, model, iccid, imei, imsi, plan, updated, megabytes, price, isDefault, available
    // Status fields.
    case device, firmware, sim, operatorName, order, provisioning, balance, wifiName, wifiKey, failure, action
    case fieldPort, fieldState, fieldRole, fieldModel, fieldPlan, fieldUpdated
    // Words and phrases.
    case yes, stepWord, actionPrefix, noDevices, noPlans, noLedgerEvents, luhnWrong, qrTooLong
    // The hand-over card.
    case cardTitle, cardWiFiName, cardWiFiKey, cardScan, cardPlan, cardPrice, cardDate, cardBalance, cardBalanceHow
    case cardWhenCreditRunsOut, cardWhenCreditRunsOutDefault, cardCounter, cardHours, cardPhone, cardKeepSecret
    case cardKeyWithoutSpaces, colon, cardWritten, cardSentToPrinter

    /// The French and the English text.
    var texts: (fr: String, en: String) {
        switch self {
        case .id: ("ID", "ID")
        case .port: ("PORT", "PORT")
        case .state: ("ÉTAT", "STATE")
        case .step: ("ÉTAPE", "STEP")
        case .role: ("TYPE", "ROLE")
        case .model: ("MODÈLE", "MODEL")
        case .iccid: ("ICCID", "ICCID")
        case .imei: ("IMEI", "IMEI")
        case .imsi: ("IMSI", "IMSI")
        case .plan: ("FORFAIT", "PLAN")
        case .updated: ("MIS À JOUR", "UPDATED")
        case .megabytes: ("VOLUME", "MB")
        case .price: ("PRIX", "PRICE")
        case .isDefault: ("PAR DÉFAUT", "DEFAULT")
        case .available: ("DISPONIBLES", "AVAILABLE")
        case .device: ("Appareil", "Device")
        case .firmware: ("Micrologiciel", "Firmware")
        case .sim: ("SIM", "SIM")
        case .operatorName: ("Opérateur", "Operator")
        case .order: ("Commande", "Order")
        case .provisioning: ("Approvisionnement", "Provisioning")
        case .balance: ("Solde", "Balance")
        case .wifiName: ("Nom Wi-Fi", "Wi-Fi name")
        case .wifiKey: ("Clé Wi-Fi", "Wi-Fi key")
        case .failure: ("Échec", "Failure")
        case .action: ("À faire", "Action")
        case .fieldPort: ("Port", "Port")
        case .fieldState: ("État", "State")
        case .fieldRole: ("Type", "Role")
        case .fieldModel: ("Modèle", "Model")
        case .fieldPlan: ("Forfait", "Plan")
        case .fieldUpdated: ("Mis à jour", "Updated")
        case .yes: ("oui", "yes")
        case .stepWord: ("étape", "step")
        case .actionPrefix: ("À faire : ", "Action: ")
        case .noDevices: ("Aucun appareil branché.", "No devices attached.")
        case .noPlans: ("Aucun forfait configuré.", "No plans configured.")
        case .noLedgerEvents: ("Aucun événement dans le registre.", "No ledger events.")
        case .luhnWrong: ("chiffre de contrôle faux", "Luhn check digit wrong")
        case .qrTooLong: ("(pas de code QR : le nom et la clé Wi-Fi sont trop longs)",
                          "(no QR code: the Wi-Fi name and key are too long for one)")
        case .cardTitle: ("Votre accès Internet", "Your Internet access")
        case .cardWiFiName: ("Nom du Wi-Fi", "Wi-Fi name")
        case .cardWiFiKey: ("Mot de passe Wi-Fi", "Wi-Fi password")
        case .cardScan: ("Scannez ce code avec l'appareil photo de votre téléphone pour vous connecter.",
                         "Scan this code with your phone's camera to connect.")
        case .cardPlan: ("Forfait", "Plan")
        case .cardPrice: ("Prix", "Price")
        case .cardDate: ("Date", "Date")
        case .cardBalance: ("Données restantes", "Data left")
        case .cardBalanceHow: ("Pour connaître les données restantes, composez %@ depuis la clé ou le téléphone.",
                               "To see the data left, dial %@ from the hotspot or phone.")
        case .cardWhenCreditRunsOut: ("Quand le crédit est épuisé", "When the credit runs out")
        case .cardWhenCreditRunsOutDefault: ("Revenez au comptoir avec l'appareil : nous rechargerons la même carte SIM.",
                                             "Come back to the counter with the device: we will top up the same SIM.")
        case .cardCounter: ("Comptoir", "Counter")
        case .cardHours: ("Horaires", "Opening hours")
        case .cardPhone: ("Téléphone", "Phone")
        case .cardKeepSecret: ("Gardez ce mot de passe pour vous.", "Keep this password to yourself.")
        case .cardKeyWithoutSpaces: ("(sans les espaces)", "(without the spaces)")
        case .colon: (" : ", ": ")
        case .cardWritten: ("Carte écrite dans %@.", "Card written to %@.")
        case .cardSentToPrinter: ("Carte envoyée à l'imprimante (%@).", "Card sent to the printer (%@).")
        }
    }
}

extension Messages {
    /// A label's text.
    public func text(_ label: Label) -> String { text(.label(label)) }

    /// A label holding `%@`, with `value` put in its place.
    public func text(_ label: Label, _ value: String) -> String {
        text(.label(label)).replacingAll("%@", with: value)
    }
}

extension String {
    /// Every occurrence of `target` replaced (Foundation-free).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
