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
    case checkDigitWrong, imeiNoneICCID, imeiNoneHardware, triesLeft, unreadable
    case code, provisioningShort, beforeMB, afterMB, noVouchers, detached, started, succeeded, stepFailed
    // The hand-over card.
    case cardTitle, cardWiFiName, cardWiFiKey, cardScan, cardPlan, cardPrice, cardDate, cardBalance, cardBalanceHow
    case cardWhenCreditRunsOut, cardWhenCreditRunsOutDefault, cardCounter, cardHours, cardPhone, cardKeepSecret
    case cardKeyWithoutSpaces, colon, cardWritten, cardSentToPrinter
    // The board and the devices tables.
    case socket, fieldSocket, boardTime, boardToDo, boardMore, boardConnecting, boardLive, boardLost, boardQuit
    case reader, tries, noIMEI, simType, imeiNoneReader, updatedShort, provisioningStep
    // Supervisors' tables (ledger, vouchers, orders, history, report) and their result lines.
    case seq, time, kind, voucher, uid, detail, since, reason, checks, noUnknownVouchers, stillSending
    case run, startedAt, endedAt, noProvisionings, origin, credit, placed, noOrders
    case sold, total, rejected, unknown, manual, left, technician, handOvers, plans, policy, totalRow
    case reportTitle, reportFailedRuns, reportUnknownWaiting, noHandOvers
    case verifyFailed, verifyOK, verifyAnchorMatches, exported, backedUp, orderIs, voucherIsNow, imported
    case importSending, vouchersNoun, voucherNoun, inSeconds
    case unlockBefore, unlockAccepted, unlockRefused, simStateUnknown, provisionRequested
    case noChange, reloaded, atNextRestart

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
        case .checkDigitWrong: ("chiffre de contrôle faux", "check digit wrong")
        case .imeiNoneICCID: ("aucun : classé sous l'ICCID de sa SIM", "none: filed under its SIM's ICCID")
        case .imeiNoneHardware: ("aucun : classé sous son nom matériel", "none: filed under its hardware name")
        case .triesLeft: ("%@ essais restants", "%@ tries left")
        case .unreadable: ("Illisible", "Unreadable")
        case .code: ("CODE", "CODE")
        case .provisioningShort: ("APPRO", "PROV")
        case .beforeMB: ("AVANT Mo", "BEFORE MB")
        case .afterMB: ("APRÈS Mo", "AFTER MB")
        case .noVouchers: ("Aucun bon.", "No vouchers.")
        case .detached: ("%@ : son port est libéré.", "Detached %@: its port is released.")
        case .started: ("commencée", "started")
        case .succeeded: ("réussie", "succeeded")
        case .stepFailed: ("échouée", "failed")
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
        case .socket: ("PRISE", "SOCKET")
        case .fieldSocket: ("Prise", "Socket")
        case .boardTime: ("TEMPS", "TIME")
        case .boardToDo: ("À FAIRE", "ACTION")
        case .boardMore: ("+ %@ autres : hotspotctl devices", "+ %@ more: hotspotctl devices")
        case .boardConnecting: ("Connexion à hotspotd…", "Connecting to hotspotd…")
        case .boardLive: ("● hotspotd connecté", "● hotspotd connected")
        case .boardLost: ("hotspotd injoignable depuis %@ s : reconnexion automatique…",
                          "hotspotd unreachable for %@ s: reconnecting by itself…")
        case .boardQuit: ("Ctrl-C pour quitter", "Ctrl-C to quit")
        case .reader: ("LECTEUR", "READER")
        case .tries: ("ESSAIS", "TRIES")
        case .noIMEI: ("sans IMEI", "no IMEI")
        case .simType: ("Type de SIM", "SIM type")
        case .imeiNoneReader: ("aucun (un lecteur de SIM)", "none (a SIM reader)")
        case .updatedShort: ("MÀJ", "UPDATED")
        case .provisioningStep: ("appro. %@", "prov. %@")
        case .seq: ("N°", "SEQ")
        case .time: ("HEURE", "TIME")
        case .kind: ("ÉVÉNEMENT", "KIND")
        case .voucher: ("BON", "VOUCHER")
        case .uid: ("UID", "UID")
        case .detail: ("DÉTAIL", "DETAIL")
        case .since: ("DEPUIS", "SINCE")
        case .reason: ("RAISON", "REASON")
        case .checks: ("CONTRÔLES", "CHECKS")
        case .noUnknownVouchers: ("Aucun bon n'attend de règlement.", "No voucher waits for settlement.")
        case .stillSending: ("encore en envoi", "still sending")
        case .run: ("APPRO", "RUN")
        case .startedAt: ("DÉBUT", "STARTED")
        case .endedAt: ("FIN", "ENDED")
        case .noProvisionings: ("Aucun approvisionnement.", "No provisionings.")
        case .origin: ("ORIGINE", "ORIGIN")
        case .credit: ("CRÉDIT", "CREDIT")
        case .placed: ("PASSÉE LE", "PLACED")
        case .noOrders: ("Aucune commande.", "No orders.")
        case .sold: ("VENDUS", "SOLD")
        case .total: ("TOTAL", "TOTAL")
        case .rejected: ("REFUSÉS", "REJECTED")
        case .unknown: ("INCONNUS", "UNKNOWN")
        case .manual: ("À LA MAIN", "MANUAL")
        case .left: ("RESTANTS", "LEFT")
        case .technician: ("TECHNICIEN", "TECHNICIAN")
        case .handOvers: ("REMISES", "HAND-OVERS")
        case .plans: ("FORFAITS", "PLANS")
        case .policy: ("politique", "policy")
        case .totalRow: ("total", "total")
        case .reportTitle: ("Bilan du %1 (%2)", "Report for %1 (%2)")
        case .reportFailedRuns: ("%1 approvisionnement(s) en échec dans la journée (hotspotctl ledger --since %2).",
                                 "%1 run(s) failed during the day (hotspotctl ledger --since %2).")
        case .reportUnknownWaiting: ("%1 bon(s) attendent un règlement : hotspotctl vouchers unknown.",
                                     "%1 voucher(s) wait for settlement: hotspotctl vouchers unknown.")
        case .noHandOvers: ("Aucune remise.", "No hand-overs.")
        case .verifyFailed: ("ÉCHEC à l'événement %1 (%2) : %3\névénements vérifiés avant lui : %4, dernier bon %5",
                             "FAILED at event %1 (%2): %3\nevents verified before it: %4, last good %5")
        case .verifyOK: ("ok : %1 événements vérifiés en %2 ms\ntête : %3", "ok: %1 events verified in %2 ms\nhead: %3")
        case .verifyAnchorMatches: ("l'ancre %1 correspond : rien jusqu'à elle n'a été coupé ni réécrit",
                                    "anchor %1 matches: nothing up to it was cut or rewritten")
        case .exported: ("%1 événements exportés (%2 octets, %3) dans %4.", "Exported %1 events (%2 bytes, %3) to %4.")
        case .backedUp: ("%1 événements sauvegardés dans %2.\nLa copie passe integrity_check et sa chaîne se vérifie jusqu'à %3.",
                         "Backed up %1 events to %2.\nThe copy passes integrity_check and its chain verifies up to %3.")
        case .orderIs: ("Commande %1 (forfait %2, SIM %3) : %4.", "Order %1 (plan %2, SIM %3) is %4.")
        case .voucherIsNow: ("Bon %1 (%2) : désormais %3.", "Voucher %1 (%2) is now %3.")
        case .imported: ("%1 %2 importé(s) de %3%4.", "Imported %1 %2 from %3%4.")
        case .importSending: ("Envoi de %1 (%2 Kio) ; le démon importe tout ou rien…",
                              "Sending %1 (%2 KiB); the daemon imports all of it or nothing…")
        case .vouchersNoun: ("bons", "vouchers")
        case .voucherNoun: ("bon", "voucher")
        case .inSeconds: ("en %@ s", "in %@ s")
        case .unlockBefore: ("SIM %1 dans %2 : %3, essais restants : %4", "SIM %1 in %2: %3, tries left: %4")
        case .unlockAccepted: ("PIN accepté ; essais restants : %1 avant, %2 après ; SIM %3.",
                               "PIN accepted; tries left: before %1, after %2; SIM %3.")
        case .unlockRefused: ("PIN refusé ; essais restants : %1 avant, %2 après ; SIM %3.",
                              "PIN refused; tries left: before %1, after %2; SIM %3.")
        case .simStateUnknown: ("état inconnu", "state unknown")
        case .noChange: ("aucun changement", "no change")
        case .reloaded: ("Configuration relue : %@", "Configuration reloaded: %@")
        case .atNextRestart: ("Au prochain redémarrage : %@", "At the next restart: %@")
        case .provisionRequested:
            ("%1 : approvisionnement demandé. Suivez-le avec « hotspotctl watch », ou relancez provision avec --wait pour "
                + "attendre l'issue.",
             "%1: provisioning requested. Follow it with 'hotspotctl watch', or run provision with --wait to wait for the "
                + "outcome.")
        }
    }
}

extension Messages {
    /// A label's text.
    public func text(_ label: Label) -> String { text(.label(label)) }

    /// A label holding `%1`, `%2`… (up to `%9`), with `values` put in their places in one pass: a value that itself
    /// holds `%2` is left as it is.
    public func text(_ label: Label, values: [String]) -> String {
        Self.filling(text(.label(label)), with: values)
    }

    /// `text` with `%1` … `%9` replaced by `values` in one pass (a value holding `%2` is left as it is).
    static func filling(_ text: String, with values: [String]) -> String {
        var result = ""
        var characters = text[...]
        while let first = characters.first {
            characters = characters.dropFirst()
            if first == "%", let digit = characters.first?.wholeNumberValue, digit >= 1, digit <= values.count {
                result += values[digit - 1]
                characters = characters.dropFirst()
            } else {
                result.append(first)
            }
        }
        return result
    }

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
