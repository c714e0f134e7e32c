/// The help texts of `hotspotctl` (`--help`, `help COMMAND`, the completion scripts' descriptions), French and English.
///
/// One case per abstract, discussion and option help; an exhaustive `switch` gives each its two texts, so a help
/// text cannot be added in one language only. Option names, value names (`<device>`) and examples stay as typed.
public enum HelpText: String, Sendable, CaseIterable {
    // Shared by several commands.
    case deviceArgument, socketOption, socketDiscussion, lightTerminal, dayValues
    // Global options.
    case jsonFlag, revealFlag, revealKeyFlag, revealIDsFlag, langOption, langDiscussion
    // The root command.
    case rootAbstract, rootDiscussion
    // Devices and one device.
    case devicesAbstract, statusAbstract, statusDiscussion, plansAbstract
    // The hand-over card.
    case cardAbstract, cardDiscussion, cardPDF, cardPNG, cardPrint, cardPrinter
    // Completion candidates (hidden).
    case completeAbstract, completeKind
    // Attach, detach, unlock, reload.
    case attachAbstract, attachPath, attachInterface, detachAbstract
    case unlockAbstract, unlockDiscussion, unlockDevice, unlockRemember, reloadAbstract, reloadDiscussion
    // The board and watch.
    case boardAbstract, boardDiscussion, boardNoColour
    case watchAbstract, watchDiscussion, watchFollow, watchCompact
    // Provisioning and top-up.
    case provisionAbstract, provisionDiscussion, provisionPlan, provisionSSID, provisionKey, provisionWait
    case provisionTimeout, provisionAgain, topUpAbstract, topUpDiscussion, topUpPlan
    // Orders.
    case ordersAbstract, orderListAbstract, orderListState, orderCancelAbstract, orderCancelDiscussion, orderCancelID
    // Vouchers.
    case vouchersAbstract, voucherImportAbstract, voucherImportDiscussion, voucherImportFile
    case voucherListAbstract, voucherListState, voucherListSince
    case voucherUnknownAbstract, voucherUnknownDiscussion, voucherSettleAbstract, voucherSettleDiscussion
    case voucherSettleID, voucherSettleOutcome, voucherSettleNote, voucherSettleForce
    case settledApplied, settledRejected, settledManual
    // The ledger.
    case ledgerAbstract, ledgerEventsAbstract, ledgerICCID, ledgerIMEI, ledgerSince, ledgerLimit, ledgerTail
    case ledgerDatabase, ledgerDatabaseDiscussion, ledgerVerifyAbstract, ledgerVerifyDiscussion, ledgerVerifyAnchor
    case ledgerAnchorAbstract, ledgerExportAbstract, ledgerExportDiscussion, ledgerExportFormat, ledgerExportOutput
    case ledgerBackupAbstract, ledgerBackupDiscussion, ledgerBackupPath
    // The end of the day and a device's history.
    case reportAbstract, reportDiscussion, reportDay, reportByUID, reportHandOvers, reportCSV
    case historyAbstract, historyDiscussion, historyReference, historyLimit
    // Decoding AT replies and USSD payloads.
    case decodeAbstract, decodeDiscussion, decodePayload, decodeDCS, decodeCommand, decodeEscaped, decodeCompact
    case decodeJSON

    /// The French and the English text.
    var texts: (fr: String, en: String) {
        switch self {
        case .deviceArgument:
            ("L'appareil : son identifiant (d1), son IMEI, son ICCID (complet ou derniers chiffres sans ambiguïté) ou son port.",
             "The device: its id (d1), IMEI, ICCID (full or unique last digits) or port.")
        case .socketOption: ("Le socket Unix du démon.", "The daemon's Unix socket.")
        case .socketDiscussion:
            ("Par défaut $HOTSPOTD_SOCKET, puis /run/hotspotd/api.sock.",
             "Defaults to $HOTSPOTD_SOCKET, then /run/hotspotd/api.sock.")
        case .lightTerminal:
            ("Dessine le code QR pour un terminal à texte sombre sur fond clair.",
             "Draw the QR code for a terminal with dark text on a light background.")
        case .dayValues:
            ("today (aujourd'hui), yesterday (hier), AAAA-MM-JJ (minuit, heure locale) ou une heure ISO 8601 (2024-05-01T14:00:00Z)",
             "today, yesterday, YYYY-MM-DD (local midnight) or an ISO 8601 time (2024-05-01T14:00:00Z)")
        case .jsonFlag:
            ("Affiche le JSON de l'API (indenté, clés triées) au lieu des tableaux ; les erreurs aussi.",
             "Print the API's JSON (pretty, sorted keys) instead of tables; errors too.")
        case .revealFlag:
            ("Demande les secrets à hotspotd : identifiants complets, clé Wi-Fi et code QR, codes des bons (un technicien "
                + "n'obtient que la clé).",
             "Ask hotspotd for secrets: full identifiers, Wi-Fi key and QR code, voucher codes (a technician gets the key only).")
        case .revealKeyFlag:
            ("Demande à hotspotd seulement la clé Wi-Fi et le code QR (techniciens).",
             "Ask hotspotd for the Wi-Fi key and QR code only (technicians).")
        case .revealIDsFlag:
            ("Demande à hotspotd seulement les IMEI, IMSI, ICCID complets et les codes des bons (superviseurs).",
             "Ask hotspotd for full IMEI, IMSI, ICCID and voucher codes only (supervisors).")
        case .langOption: ("La langue de l'affichage : fr ou en.", "The language of the human output: fr or en.")
        case .langDiscussion:
            ("Par défaut $HOTSPOT_LANG, puis la locale ($LC_ALL, $LC_MESSAGES, $LANG) : français pour fr_*, anglais pour "
                + "en_*, C et POSIX, français sinon. La sortie --json ne change jamais.",
             "Defaults to $HOTSPOT_LANG, then the locale ($LC_ALL, $LC_MESSAGES, $LANG): French for fr_*, English for "
                + "en_*, C and POSIX, French otherwise. --json output never changes.")
        case .rootAbstract:
            ("Interroge la station (hotspotd) sur les appareils, les bons et le registre, et lance l'approvisionnement.",
             "Ask the hotspot station (hotspotd) about devices, vouchers and the ledger, and start provisioning.")
        case .rootDiscussion:
            ("Code de sortie : 0 succès, 1 erreur signalée par hotspotd (ou erreur locale), 2 erreur d'utilisation, "
                + "3 hotspotd injoignable, 4 introuvable, 5 le registre ne se vérifie pas. Les options globales (--json, "
                + "--socket, --lang, --reveal…) peuvent précéder la sous-commande : hotspotctl --json devices.",
             "Exit status: 0 success, 1 error reported by hotspotd (or a local error), 2 usage error, "
                + "3 hotspotd not reachable, 4 not found, 5 the ledger does not verify. Global options (--json, --socket, "
                + "--lang, --reveal…) may come before the subcommand: hotspotctl --json devices.")
        case .devicesAbstract: ("Liste les appareils branchés à la station.", "List the devices attached to the station.")
        case .statusAbstract:
            ("Affiche un appareil : identité, SIM, forfait, progression, Wi-Fi.",
             "Show one device: identity, SIM, plan, progress, Wi-Fi.")
        case .statusDiscussion:
            ("Avec --reveal (ou --reveal-key), un point d'accès configuré montre aussi sa clé Wi-Fi et un code QR à scanner "
                + "avec un téléphone. Le code QR est dessiné pour un terminal clair sur fond sombre ; ajoutez "
                + "--light-terminal sur fond clair.",
             "With --reveal (or --reveal-key) a configured hotspot also shows its Wi-Fi key and a QR code to scan with a "
                + "phone. The QR code is drawn for light-on-dark terminals; add --light-terminal on dark-on-light ones.")
        case .plansAbstract:
            ("Liste les forfaits et les bons disponibles pour chacun.", "List the data plans and the vouchers available for each.")
        case .cardAbstract:
            ("Imprime la carte remise au bénéficiaire (nom et clé Wi-Fi, code QR, forfait, coordonnées du comptoir).",
             "Print the beneficiary's hand-over card (Wi-Fi name and key, QR code, plan, counter details).")
        case .cardDiscussion:
            ("Du texte sur la sortie standard par défaut (avec le code QR dessiné pour le terminal) ; --pdf écrit une page "
                + "A6, --png une étiquette de 62 mm de large à 300 dpi, --print envoie le PDF à une imprimante CUPS avec lp. "
                + "La carte est dans la langue de l'affichage (--lang, le français aux comptoirs) et ne porte ni IMEI, ni "
                + "IMSI, ni ICCID. Elle porte la clé Wi-Fi : il faut être technicien, et les fichiers écrits ne sont "
                + "lisibles que par leur propriétaire.",
             "Text on stdout by default (with the QR code drawn for the terminal); --pdf writes an A6 page, --png a label "
                + "62 mm wide at 300 dpi, --print sends the PDF to a CUPS printer with lp. The card is in the output's "
                + "language (--lang, French at the counters) and holds no IMEI, IMSI or ICCID. It holds the Wi-Fi key: it "
                + "needs a technician, and files written are readable by their owner only.")
        case .cardPDF: ("Écrit la carte en PDF A6 dans ce fichier.", "Write the card as an A6 PDF to this file.")
        case .cardPNG:
            ("Écrit la carte en étiquette PNG de 62 mm de large (300 dpi) dans ce fichier.",
             "Write the card as a PNG label 62 mm wide (300 dpi) to this file.")
        case .cardPrint: ("Envoie la carte (PDF A6) à une imprimante avec lp.", "Send the card (A6 PDF) to a printer with lp.")
        case .cardPrinter:
            ("L'imprimante CUPS pour --print (par défaut celle de lp).",
             "The CUPS printer for --print (default: lp's default printer).")
        case .completeAbstract:
            ("Liste les identifiants d'appareils ou les noms de forfaits pour la complétion du shell.",
             "List device ids or plan names for shell completion.")
        case .completeKind: ("devices (appareils) ou plans (forfaits)", "devices or plans")
        case .attachAbstract:
            ("Branche un port série par son chemin, ou une unité HiLink par son adresse (pour un appareil que la détection "
                + "n'a pas reconnu, ou le pty d'un simulateur quand la configuration autorise les pseudo-terminaux).",
             "Attach a serial port by path, or a HiLink unit by its address (for devices discovery did not recognise, or a "
                + "simulator's pty where the configuration allows pseudo-terminals).")
        case .attachPath:
            ("Le tty, comme /dev/ttyUSB2 ou /dev/pts/5, ou une unité HiLink, http://HÔTE[:PORT].",
             "The tty, such as /dev/ttyUSB2 or /dev/pts/5, or a HiLink unit, http://HOST[:PORT].")
        case .attachInterface:
            ("Pour une unité HiLink : l'interface réseau derrière laquelle elle se trouve (toutes répondent en 192.168.8.1).",
             "For a HiLink unit: the network interface it is behind (several units all answer at 192.168.8.1).")
        case .detachAbstract:
            ("Détache un appareil : termine sa session et libère son port série (refusé pendant un approvisionnement).",
             "Detach a device: end its session and release its serial port (refused while a run is under way).")
        case .unlockAbstract:
            ("Donne une fois le PIN de la SIM d'un appareil ou d'un lecteur (lu au terminal sans écho, ou sur l'entrée "
                + "standard).",
             "Give the PIN of the SIM in a device or card reader, once (read from the terminal without echo, or stdin).")
        case .unlockDiscussion:
            ("La station n'essaie jamais un PIN d'elle-même : trois essais faux bloquent une SIM. Cette commande fait "
                + "exactement un essai avec le PIN saisi et montre les essais restants avant et après. Une SIM bloquée "
                + "demande le PUK de l'opérateur.",
             "The station never tries a PIN on its own: three wrong tries block a SIM. This makes exactly one attempt "
                + "with the PIN you type, and shows the tries left before and after. A blocked SIM needs the operator's PUK.")
        case .unlockDevice:
            ("L'appareil ou le lecteur SIM : son identifiant (d1, r1), son port, le nom du lecteur ou l'ICCID de la SIM "
                + "(ou ses derniers chiffres).",
             "The device or SIM reader: its id (d1, r1), port, reader name or the SIM's ICCID (or last digits).")
        case .unlockRemember:
            ("Garde le PIN pour les identifications suivantes de cette SIM (point d'accès ou clé modem ; en mémoire du "
                + "démon seulement).",
             "Keep the PIN for this SIM's later identifications (a hotspot or modem; in the daemon's memory only).")
        case .reloadAbstract:
            ("Relit la configuration du démon (forfaits, opérateurs, Wi-Fi, PIN, prises, crochets, carte) sans perdre "
                + "les appareils.",
             "Read the daemon's configuration again (plans, operators, Wi-Fi, PINs, sockets, hooks, card) without "
                + "dropping devices.")
        case .reloadDiscussion:
            ("Un fichier qui ne passe pas les contrôles du démarrage ne change rien. Les réglages fixés au démarrage "
                + "(accès, détection, dialectes, limites, chemins) sont listés comme attendant un redémarrage. Commande "
                + "de superviseur.",
             "A file that does not pass the start-up checks changes nothing. Settings built at start (access, "
                + "discovery, dialects, limits, paths) are listed as waiting for a restart. A supervisor's command.")
        case .boardAbstract:
            ("Tableau plein écran des appareils du comptoir, mis à jour en direct (Ctrl-C pour quitter).",
             "Full-screen board of the devices at the counter, updated live (Ctrl-C to quit).")
        case .boardDiscussion:
            ("Une ligne par appareil : prise, modèle, derniers chiffres de l'IMEI et de l'ICCID, étape, temps passé à la "
                + "station, un PRÊT / ÉCHEC / EN COURS en couleur et ce qu'il faut faire. Utilise l'écran alternatif du "
                + "terminal, comme « top » ; l'écran est rendu à la sortie. Continue à travers les redémarrages du démon.",
             "One line per device: socket, model, IMEI and ICCID last digits, step, time at the station, a coloured "
                + "READY / FAILED / WORKING and what to do. Uses the terminal's alternate screen, like 'top'; the screen "
                + "is given back on exit. Keeps running across daemon restarts.")
        case .boardNoColour: ("Sans couleurs (les mots du verdict restent).", "No colours (the verdict words stay).")
        case .watchAbstract:
            ("Suit les événements en direct (appareils branchés, étapes commencées, réussies, échouées) jusqu'à Ctrl-C.",
             "Follow live events (devices attached, steps started, succeeded, failed) until Ctrl-C.")
        case .watchDiscussion:
            ("Chaque événement tient sur une ligne : heure, appareil, état, puis l'étape et son issue ou le type "
                + "d'événement, puis le message. Avec --json chaque événement est l'objet JSON du démon, un par ligne "
                + "(NDJSON). Ctrl-C sort avec le code 0 ; si hotspotd ferme le flux le code est 3, sauf avec --follow qui "
                + "continue à travers les redémarrages du démon. --compact affiche une ligne par changement d'état qui dit "
                + "ce qui a été identifié (prise, modèle, derniers chiffres de l'IMEI et de l'ICCID) et quoi faire, au lieu "
                + "de chaque étape.",
             "Each event is one line: time, device, state, then the step and its status or the event kind, then the "
                + "message. With --json each event is printed as the daemon's JSON object, one per line (NDJSON). Ctrl-C "
                + "exits with status 0; if hotspotd closes the stream the status is 3, unless --follow keeps watching "
                + "across daemon restarts. --compact prints one line per state change that says what was identified "
                + "(socket, model, IMEI and ICCID last digits) and what to do, instead of every step.")
        case .watchFollow:
            ("Continue quand hotspotd redémarre : se reconnecte tout seul jusqu'à Ctrl-C.",
             "Keep watching when hotspotd restarts: reconnect by itself until Ctrl-C.")
        case .watchCompact:
            ("Une ligne par changement d'état, qui dit ce qui a été identifié et quoi faire.",
             "One line per state change, saying what was identified and what to do.")
        case .provisionAbstract:
            ("Lance ou reprend l'approvisionnement d'un appareil.", "Start or resume provisioning a device.")
        case .provisionDiscussion:
            ("Sans option, le forfait par défaut et les modèles Wi-Fi de la station s'appliquent ; un appareil dont la "
                + "commande n'est pas finie la reprend sans payer son crédit deux fois. Une SIM déjà servie est refusée "
                + "(« already-served ») : « hotspotctl topup » pour plus de crédit, ou --again pour du crédit et une "
                + "nouvelle clé Wi-Fi. Suivez la progression avec « hotspotctl watch », ou ajoutez --wait : la commande "
                + "suit alors l'approvisionnement, affiche chaque étape et sort avec le code 0 quand l'appareil est prêt, "
                + "1 quand il a échoué ou n'a pas fini en --timeout secondes (comme « nmcli -w ») ; elle continue à "
                + "travers un redémarrage du démon.",
             "Without options the station's default plan and Wi-Fi templates apply; a device whose order is not finished "
                + "resumes it without buying its credit twice. A SIM already served is refused ('already-served'): use "
                + "'hotspotctl topup' for more credit, or --again for credit and a new Wi-Fi key. Follow progress with "
                + "'hotspotctl watch', or add --wait: the command then follows the run, prints each step, and exits with "
                + "status 0 when the device is done, 1 when the run failed or did not end in --timeout seconds (as "
                + "'nmcli -w'); it keeps following across a daemon restart.")
        case .provisionPlan:
            ("Le forfait à appliquer au lieu de celui par défaut (voir « hotspotctl plans »).",
             "The plan to apply instead of the default (see 'hotspotctl plans').")
        case .provisionSSID:
            ("Le nom Wi-Fi à donner au lieu de celui du modèle (1 à 32 octets).",
             "The Wi-Fi name to set instead of the template's (1–32 bytes).")
        case .provisionKey:
            ("La clé WPA2 à donner au lieu d'une clé générée (8 à 63 caractères).",
             "The WPA2 key to set instead of a generated one (8–63 characters).")
        case .provisionWait:
            ("Suit l'approvisionnement et sort selon son issue : 0 prêt, 1 échec.",
             "Follow the run and exit by its outcome: 0 done, 1 failed.")
        case .provisionTimeout:
            ("Avec --wait, abandonne après ce nombre de secondes (900 par défaut).",
             "With --wait, give up after this many seconds (default 900).")
        case .provisionAgain:
            ("Approvisionne de nouveau une SIM déjà servie : une nouvelle commande, un autre bon, une nouvelle clé Wi-Fi "
                + "(la carte déjà remise ne marche plus).",
             "Provision a SIM already served again: a new order, another voucher, a new Wi-Fi key (the card handed over "
                + "stops working).")
        case .topUpAbstract:
            ("Achète du crédit en plus pour la SIM d'un appareil (le Wi-Fi reste tel quel).",
             "Buy more credit for the SIM in a device (the Wi-Fi stays as it is).")
        case .topUpDiscussion:
            ("Passe une nouvelle commande pour la SIM de l'appareil et applique un bon du forfait, confirmé par une "
                + "consultation du solde. Le nom et la clé Wi-Fi ne changent pas : la carte déjà remise reste valable. "
                + "Refusé tant que la SIM a une commande inachevée. Suivez la progression avec « hotspotctl watch ».",
             "Places a new order for the SIM the device holds and applies one voucher of the plan, confirmed by a balance "
                + "query. The Wi-Fi name and key are not touched: the card already handed over keeps working. Refused "
                + "while the SIM has an unfinished order. Follow progress with 'hotspotctl watch'.")
        case .topUpPlan: ("Le forfait à acheter (voir « hotspotctl plans »).", "The plan to buy (see 'hotspotctl plans').")
        case .ordersAbstract: ("Liste les commandes, ou annule une commande ouverte.", "List orders, or cancel an open one.")
        case .orderListAbstract: ("Liste les commandes, les plus récentes d'abord.", "List orders, newest first.")
        case .orderListState:
            ("Seulement les commandes dans cet état : open, fulfilled, cancelled.",
             "Only orders in this state: open, fulfilled, cancelled.")
        case .orderCancelAbstract:
            ("Annule une commande ouverte dont le crédit n'a jamais été appliqué (votre uid est enregistré).",
             "Cancel an open order whose credit was never applied (your uid is recorded).")
        case .orderCancelDiscussion:
            ("Refusé quand un bon est réservé, en cours d'envoi, d'issue inconnue ou appliqué pour la commande : réglez "
                + "d'abord ce bon (« hotspotctl vouchers unknown »).",
             "Refused when a voucher is reserved, being sent, of unknown outcome or applied for the order: settle that "
                + "voucher first ('hotspotctl vouchers unknown').")
        case .orderCancelID:
            ("Le numéro de la commande (voir « hotspotctl orders »).", "The order's id (see 'hotspotctl orders').")
        case .vouchersAbstract: ("Importe, liste et règle les bons prépayés.", "Import, list and settle prepaid vouchers.")
        case .voucherImportAbstract:
            ("Importe des bons d'un fichier CSV (une ligne d'en-tête, puis code,forfait ; séparateurs , ; ou tabulation).",
             "Import vouchers from a CSV file (header line, then code,plan; , ; or tab separators).")
        case .voucherImportDiscussion:
            ("Le démon vérifie d'abord tout le fichier et importe tout ou rien ; une erreur nomme le fichier et la ligne.",
             "The daemon checks the whole file first and imports all of it or nothing; an error names the file and line.")
        case .voucherImportFile: ("Le fichier CSV.", "The CSV file.")
        case .voucherListAbstract:
            ("Liste les bons, éventuellement ceux d'un seul état.", "List vouchers, optionally only those in one state.")
        case .voucherListState: ("Seulement les bons dans cet état.", "Only vouchers in this state.")
        case .voucherListSince:
            ("Seulement les bons dont l'état a changé depuis : ", "Only vouchers whose state changed since: ")
        case .voucherUnknownAbstract:
            ("Liste les bons d'issue inconnue (délai dépassé, débranchement, redémarrage) qui attendent une personne.",
             "List vouchers whose outcome is unknown (timeout, unplug, restart) and wait for a person.")
        case .voucherUnknownDiscussion:
            ("Vérifiez le solde de la SIM ou les relevés de l'opérateur, puis « hotspotctl vouchers settle ID "
                + "--applied|--rejected|--manual --note TEXTE ». Le démon a déjà comparé les soldes quand il le pouvait.",
             "Check the SIM's balance or the operator's records, then `hotspotctl vouchers settle ID "
                + "--applied|--rejected|--manual --note TEXT`. The daemon already compared balances where it could.")
        case .voucherSettleAbstract:
            ("Règle un bon d'issue inconnue : appliqué, refusé ou à la main, avec une note qui dit ce que vous avez vérifié.",
             "Settle an unknown voucher as applied, rejected or manual, with a note saying what you checked.")
        case .voucherSettleDiscussion:
            ("Seul un bon d'issue inconnue peut être réglé. Le registre garde l'issue, la note et votre uid. La station "
                + "refuse un règlement que ses contrôles de solde contredisent (« rejected » alors que le solde a monté ou "
                + "n'a jamais été lu, « applied » alors qu'il n'a pas monté) : branchez l'appareil pour que le solde soit "
                + "lu, ou utilisez --force si vous en savez plus (le registre note que c'était forcé).",
             "Only an unknown voucher can be settled. The ledger records the outcome, the note and your uid. The station "
                + "refuses a settlement its balance checks contradict ('rejected' while the balance rose or was never "
                + "checked, 'applied' while it did not rise): plug the device in so the balance is checked, or use --force "
                + "if you know better (the ledger records that it was forced).")
        case .voucherSettleID:
            ("Le numéro du bon (voir « hotspotctl vouchers unknown »).", "The voucher's id (see `hotspotctl vouchers unknown`).")
        case .voucherSettleOutcome: ("L'issue.", "The outcome.")
        case .voucherSettleNote:
            ("Ce que vous avez vérifié, par exemple \"solde 120 Mo → 2168 Mo sur *100#\".",
             "What you checked, e.g. \"balance 120 MB → 2168 MB on *100#\".")
        case .voucherSettleForce:
            ("Règle même contre les contrôles de solde de la station (noté comme forcé).",
             "Settle even against the station's balance checks (recorded as forced).")
        case .settledApplied: ("Le crédit est arrivé sur la SIM.", "The credit arrived on the SIM.")
        case .settledRejected:
            ("Le crédit n'est pas arrivé ; le code est consommé ou refusé.",
             "The credit did not arrive; the code is spent or refused.")
        case .settledManual:
            ("Réglé hors du registre (remboursement, ticket opérateur) ; dites comment dans la note.",
             "Settled outside the ledger (refund, operator ticket); say how in the note.")
        case .ledgerAbstract:
            ("Affiche les événements du registre, vérifie sa chaîne de hachage, imprime son ancre, l'exporte ou le "
                + "sauvegarde.",
             "Show the ledger's events, verify its hash chain, print its anchor, export or back it up.")
        case .ledgerEventsAbstract:
            ("Affiche les événements les plus récents du registre, le plus récent en dernier (ce que fait "
                + "« hotspotctl ledger » sans sous-commande).",
             "Show the ledger's newest events, newest last (the default of `hotspotctl ledger`).")
        case .ledgerICCID:
            ("Seulement les événements de cette SIM : l'ICCID complet ou ses 4 derniers chiffres ou plus (…6782 tel "
                + "qu'affiché marche aussi).",
             "Only events of this SIM: the full ICCID or its last 4 or more digits (…6782 as printed works too).")
        case .ledgerIMEI:
            ("Seulement les événements de cet appareil : l'IMEI complet ou ses 4 derniers chiffres ou plus (comme sur la "
                + "boîte).",
             "Only events of this device: the full IMEI or its last 4 or more digits (as on the box).")
        case .ledgerSince: ("Seulement les événements à partir de : ", "Only events at or after this time: ")
        case .ledgerLimit:
            ("Les n événements les plus récents (1000 par défaut), affichés du plus ancien au plus récent.",
             "The newest n events (default 1000), shown oldest first.")
        case .ledgerTail: ("Les n derniers événements : comme --limit.", "The last n events: the same as --limit.")
        case .ledgerDatabase:
            ("Lit ce fichier de registre directement, en lecture seule, au lieu de demander à hotspotd (une sauvegarde "
                + "ou une copie).",
             "Read this ledger file directly, read-only, instead of asking hotspotd (a backup or a copy).")
        case .ledgerDatabaseDiscussion:
            ("Aucun démon n'est nécessaire ; le fichier lui-même n'est jamais écrit (SQLite peut ajouter des fichiers "
                + "-wal/-shm vides à côté d'une copie en mode WAL pendant la lecture). Pas avec --socket.",
             "No daemon is needed; the file itself is never written (SQLite may add empty -wal/-shm files beside a "
                + "WAL-mode copy while reading it). Not with --socket.")
        case .ledgerVerifyAbstract:
            ("Reparcourt la chaîne de hachage du registre ; nomme le premier événement faux et sort avec 5 si elle ne se "
                + "vérifie pas.",
             "Re-walk the ledger's hash chain; name the first bad event and exit 5 if it does not verify.")
        case .ledgerVerifyDiscussion:
            ("Avec --anchor (de « hotspotctl ledger anchor », gardée ailleurs) elle prouve aussi qu'aucun événement "
                + "jusqu'à l'ancre n'a été coupé ni réécrit. Avec --database FICHIER elle vérifie un fichier de registre "
                + "(une sauvegarde, une copie) en lecture seule, sans le démon.",
             "With --anchor (from `hotspotctl ledger anchor`, kept elsewhere) it also proves that no event up to the "
                + "anchor was cut off or rewritten. With --database FILE it checks a ledger file (a backup, a copy) "
                + "read-only, without the daemon.")
        case .ledgerVerifyAnchor:
            ("Une ancre imprimée plus tôt par « hotspotctl ledger anchor ».", "An anchor printed earlier by `hotspotctl ledger anchor`.")
        case .ledgerAnchorAbstract:
            ("Imprime la tête de la chaîne de hachage du registre (SEQ:HASH) à garder ailleurs pour « verify --anchor ».",
             "Print the head of the ledger's hash chain (SEQ:HASH) to keep elsewhere for `verify --anchor`.")
        case .ledgerExportAbstract:
            ("Écrit chaque événement du registre, avec ses hachages, en CSV ou JSON Lines sur la sortie standard ou dans "
                + "un fichier.",
             "Write every ledger event, with its hashes, as CSV or JSON Lines to stdout or a file.")
        case .ledgerExportDiscussion:
            ("L'export contient les IMEI et ICCID complets (jamais les codes des bons ni les clés Wi-Fi) : gardez-le aussi "
                + "privé que le registre. Chaque ligne porte prev_hash et hash, pour revérifier la chaîne hors de la station.",
             "The export holds full IMEIs and ICCIDs (never voucher codes or Wi-Fi keys): keep it as private as the "
                + "ledger. Each row carries prev_hash and hash, so the chain can be re-checked outside the station.")
        case .ledgerExportFormat: ("csv ou jsonl.", "csv or jsonl.")
        case .ledgerExportOutput:
            ("Écrit dans ce fichier (remplacé) au lieu de la sortie standard.", "Write to this file (replaced) instead of stdout.")
        case .ledgerBackupAbstract:
            ("Copie le registre avec la sauvegarde en ligne de SQLite vers CHEMIN (écrit par le démon) et vérifie la copie.",
             "Copy the ledger with SQLite's online backup to PATH (written by the daemon) and verify the copy.")
        case .ledgerBackupDiscussion:
            ("Le démon écrit le fichier : CHEMIN doit être un endroit où son utilisateur peut écrire ; un CHEMIN relatif "
                + "part du répertoire courant. L'approvisionnement peut continuer pendant la copie.",
             "The daemon writes the file, so PATH must be somewhere its user may write; a relative PATH is taken from "
                + "the current directory. Provisioning may go on during the copy.")
        case .ledgerBackupPath: ("Où va la copie (remplacée si elle existe).", "Where the copy goes (replaced if it exists).")
        case .reportAbstract:
            ("Les chiffres du jour : par forfait vendus, total en euros, refusés, inconnus, réglés à la main, bons restants ; "
                + "les remises.",
             "The day's figures: per plan sold, total in euros, rejected, unknown, manual, vouchers left; the hand-overs.")
        case .reportDiscussion:
            ("« vendus », « refusés » et « à la main » comptent les bons arrivés dans cet état pendant la journée ; "
                + "« inconnus » compte les bons qui attendent un règlement maintenant (quel que soit leur jour d'envoi) ; "
                + "« restants » est le stock actuel. Les remises sont les approvisionnements réussis dans la journée, avec "
                + "l'uid du technicien qui les a demandés (aucun : la politique de la station). --csv imprime un tableau "
                + "pour un tableur : les forfaits, ou les remises avec --hand-overs, ou le compte par technicien avec "
                + "--by-uid.",
             "'sold', 'rejected' and 'manual' count vouchers that reached that state during the day; 'unknown' counts the "
                + "vouchers held for settlement now (whenever they were sent); 'left' is the stock now. Hand-overs are the "
                + "provisionings that succeeded during the day, with the uid of the technician who asked (none: the "
                + "station's policy). --csv prints one table for a spreadsheet: the plans, or the hand-overs with "
                + "--hand-overs, or the count per technician with --by-uid.")
        case .reportDay:
            ("Le jour : today (aujourd'hui, par défaut), yesterday (hier) ou AAAA-MM-JJ.",
             "The day: today (default), yesterday or YYYY-MM-DD.")
        case .reportByUID: ("Compte les remises par uid de technicien.", "Count the hand-overs per technician uid.")
        case .reportHandOvers: ("Avec --csv : les remises au lieu des forfaits.", "With --csv: the hand-overs instead of the plans.")
        case .reportCSV:
            ("Imprime du CSV (séparé par des virgules, ligne d'en-tête) au lieu des tableaux.",
             "Print CSV (comma-separated, header line) instead of tables.")
        case .historyAbstract:
            ("Les approvisionnements d'un appareil ou d'une SIM, les plus récents d'abord.",
             "The provisionings of a device or SIM, newest first.")
        case .historyDiscussion:
            ("APPAREIL est l'identifiant d'un appareil branché (d3), ou les 4 derniers chiffres ou plus d'un IMEI ou d'un "
                + "ICCID (…7899 tel que les tableaux l'affichent marche aussi), branché ou non.",
             "DEVICE is an attached device's id (d3), or the last 4 or more digits of an IMEI or ICCID (…7899 as the "
                + "tables print it works too), attached or not.")
        case .historyReference:
            ("Un identifiant d'appareil, ou des chiffres d'IMEI ou d'ICCID (complets ou 4 derniers ou plus).",
             "A device id, or IMEI or ICCID digits (full or last 4+).")
        case .historyLimit: ("Au plus ce nombre d'approvisionnements (100 par défaut).", "At most this many runs (default 100).")
        case .decodeAbstract:
            ("Décode une réponse AT brute lue sur l'entrée standard en JSON, ou une charge USSD en texte (hors ligne ; "
                + "sans démon).",
             "Decode a raw AT reply from stdin into JSON, or a USSD payload into text (offline; no daemon needed).")
        case .decodeDiscussion:
            ("Lit la réponse en octets bruts (vrais CR/LF) sur l'entrée standard et imprime en JSON ce qu'en font les "
                + "analyseurs de la station. Avec --escaped la réponse est écrite en clair : \\r \\n \\t \\\" \\\\ et \\xHH "
                + "valent leurs octets et les vrais retours à la ligne sont ignorés. Code de sortie 1 quand la réponse est "
                + "une erreur (ERROR, +CME ERROR…) ou n'a pas pu être décodée.\n\n"
                + "Avec une CHARGE (ce qu'un rapport +CUSD porte entre ses guillemets), elle imprime le texte de cette "
                + "charge, trouvé comme la station le trouve : hexadécimal UCS2, hexadécimal 8 bits, hexadécimal GSM 7 bits "
                + "compacté ou texte brut, avec --dcs comme indice ; --json dit aussi quel codage a été trouvé.\n\n"
                + "Exemple : printf 'AT+CSQ\\r\\r\\n+CSQ: 17,99\\r\\n\\r\\nOK\\r\\n' | hotspotctl decode --command AT+CSQ\n"
                + "Exemple : hotspotctl decode 3037373935 --dcs 15",
             "Reads the reply as raw bytes (real CR/LF) from stdin and prints what the station's parsers make of it, as "
                + "JSON. With --escaped the reply is written out instead: \\r \\n \\t \\\" \\\\ and \\xHH stand for their "
                + "bytes and real line ends are ignored. Exit status 1 when the reply is an error (ERROR, +CME ERROR…) or "
                + "could not be decoded.\n\n"
                + "Given a PAYLOAD (what a +CUSD report carries between its quotes) it prints that payload's text instead, "
                + "found as the station finds it: UCS2 hex, 8-bit hex, packed GSM 7-bit hex or plain text, with --dcs as a "
                + "hint; --json also says which encoding was found.\n\n"
                + "Example: printf 'AT+CSQ\\r\\r\\n+CSQ: 17,99\\r\\n\\r\\nOK\\r\\n' | hotspotctl decode --command AT+CSQ\n"
                + "Example: hotspotctl decode 3037373935 --dcs 15")
        case .decodePayload:
            ("Une charge USSD à décoder au lieu de lire une réponse sur l'entrée standard.",
             "A USSD payload to decode instead of reading a reply from stdin.")
        case .decodeDCS:
            ("Le schéma de codage (0-255) que le rapport +CUSD donnait avec la CHARGE.",
             "The data coding scheme the +CUSD report gave with PAYLOAD (0-255).")
        case .decodeCommand:
            ("La commande à laquelle la réponse répond, comme « AT+CSQ » (sinon tirée de l'écho).",
             "The command the reply answers, such as 'AT+CSQ' (otherwise taken from the echo).")
        case .decodeEscaped:
            ("La réponse sur l'entrée standard est écrite avec des échappements (\\r, \\n, \\xHH…).",
             "The reply on stdin is written out with escapes (\\r, \\n, \\xHH…).")
        case .decodeCompact: ("Imprime le JSON sur une ligne.", "Print the JSON on one line.")
        case .decodeJSON:
            ("Imprime du JSON (une réponse lue sur l'entrée standard est toujours imprimée en JSON).",
             "Print JSON (a reply from stdin is always printed as JSON).")
        }
    }
}

extension Messages {
    /// A help text in this catalog's language.
    public func text(_ help: HelpText) -> String {
        let pair = help.texts
        return language.pick(fr: pair.fr, en: pair.en)
    }
}
