import FailureCodes

/// The failure sentences, French and English, each with the action the technician takes.
///
/// Keyed by the typed codes (`FailureCode`) the daemon and the CLI report. `LocalizationTests` reads `Sources/` and
/// fails when a code declared or used there has no entry here, so a new failure cannot reach the counter untranslated.
enum FailureCatalog {
    /// One failure's sentences.
    struct Entry: Sendable {
        /// What happened, in French.
        var fr: String
        /// What happened, in English.
        var en: String
        /// What to do, in French.
        var actionFR: String
        /// What to do, in English.
        var actionEN: String
    }

    /// The entry for a code: its own, or its family's (`ledger-…`, `port-…`, `http-…`).
    static func entry(_ code: FailureCode) -> Entry? {
        if let entry = entries[code] { return entry }
        for (family, entry) in families where code.isIn(family) { return entry }
        return nil
    }

    /// The entry for a code as the wire carries it.
    static func entry(_ code: String) -> Entry? {
        entry(FailureCode(rawValue: code))
    }

    /// Codes built from another module's error code: the prefix says which part failed.
    static let families: [(FailureCode.Family, Entry)] = [
        (.ledger, Entry(
            fr: "Le registre (la base de données de la station) n'a pas pu faire l'opération.",
            en: "The ledger (the station's database) could not do the operation.",
            actionFR: "Réessayez ; si cela recommence, n'utilisez plus la station et appelez le responsable technique.",
            actionEN: "Try again; if it happens again, stop using the station and call the technical lead.")),
        (.port, Entry(
            fr: "Le port série de l'appareil n'a pas pu être utilisé.",
            en: "The device's serial port could not be used.",
            actionFR: "Débranchez l'appareil, attendez dix secondes et rebranchez-le sur un autre port USB.",
            actionEN: "Unplug the device, wait ten seconds and plug it into another USB port.")),
        (.http, Entry(
            fr: "Le service de la station a répondu par une erreur inattendue.",
            en: "The station's service answered with an unexpected error.",
            actionFR: "Réessayez ; si cela recommence, notez l'heure et appelez le responsable technique.",
            actionEN: "Try again; if it happens again, note the time and call the technical lead.")),
    ]

    /// The entries by code.
    static let entries: [FailureCode: Entry] = [
        // Provisioning runs.
        .deviceGone: Entry(
            fr: "L'appareil a été débranché ou ne répond plus.",
            en: "The device was unplugged or stopped answering.",
            actionFR: "Rebranchez-le : le solde sera vérifié, aucun nouveau bon n'est utilisé.",
            actionEN: "Plug it back in: the balance will be checked, no new voucher is used."),
        .deviceTimeout: Entry(
            fr: "L'appareil n'a pas répondu à temps.",
            en: "The device did not answer in time.",
            actionFR: "Attendez une minute puis relancez ; s'il ne répond toujours pas, débranchez-le et rebranchez-le.",
            actionEN: "Wait a minute and start again; if it still does not answer, unplug it and plug it back in."),
        .deviceIO: Entry(
            fr: "La communication avec l'appareil a échoué.",
            en: "Talking to the device failed.",
            actionFR: "Débranchez l'appareil et rebranchez-le ; le solde sera vérifié avant tout nouveau bon.",
            actionEN: "Unplug the device and plug it back in; the balance is checked before any new voucher."),
        .channelClosed: Entry(
            fr: "La liaison avec l'appareil a été fermée pendant l'opération.",
            en: "The link to the device was closed during the operation.",
            actionFR: "Rebranchez l'appareil : le solde sera vérifié, aucun nouveau bon n'est utilisé.",
            actionEN: "Plug the device back in: the balance will be checked, no new voucher is used."),
        .replyTooLarge: Entry(
            fr: "L'appareil a envoyé une réponse anormalement longue.",
            en: "The device sent an abnormally long reply.",
            actionFR: "Débranchez-le et rebranchez-le ; si cela recommence, mettez l'appareil de côté.",
            actionEN: "Unplug it and plug it back in; if it happens again, set the device aside."),
        .commandFailed: Entry(
            fr: "L'appareil a refusé une commande.",
            en: "The device refused a command.",
            actionFR: "Relancez l'approvisionnement ; si le refus se répète, essayez un autre appareil.",
            actionEN: "Start provisioning again; if it keeps refusing, try another device."),
        .imeiUnreadable: Entry(
            fr: "L'appareil n'a pas donné de numéro IMEI valide.",
            en: "The device did not give a valid IMEI.",
            actionFR: "Débranchez-le et rebranchez-le ; s'il ne se présente toujours pas, mettez-le de côté.",
            actionEN: "Unplug it and plug it back in; if it still does not identify itself, set it aside."),
        .simUnreadable: Entry(
            fr: "La carte SIM n'a pas pu être lue.",
            en: "The SIM card could not be read.",
            actionFR: "Vérifiez qu'une carte SIM est insérée et bien en place, puis rebranchez l'appareil.",
            actionEN: "Check that a SIM card is inserted and seated, then plug the device back in."),
        .simPINRequired: Entry(
            fr: "La carte SIM est verrouillée par un code PIN et aucun code n'est configuré pour elle.",
            en: "The SIM is PIN-locked and no PIN is configured for it.",
            actionFR: "Ajoutez son code PIN à la configuration (simPINs) ou retirez le code sur un téléphone, puis rebranchez l'appareil.",
            actionEN: "Add its PIN to the configuration (simPINs) or remove the PIN on a phone, then plug the device back in."),
        .pinInvalid: Entry(
            fr: "Le code PIN configuré pour cette carte SIM n'a pas la bonne forme.",
            en: "The PIN configured for this SIM is not well formed.",
            actionFR: "Corrigez-le dans la configuration (simPINs ou defaultPIN : 4 à 8 chiffres), puis rebranchez l'appareil.",
            actionEN: "Fix it in the configuration (simPINs or defaultPIN: 4 to 8 digits), then plug the device back in."),
        .simPUKRequired: Entry(
            fr: "La carte SIM est bloquée : elle demande son code PUK.",
            en: "The SIM is blocked: it asks for its PUK.",
            actionFR: "Demandez le code PUK à l'opérateur ; n'essayez plus de code PIN.",
            actionEN: "Ask the operator for the PUK; do not try any more PINs."),
        .simNotReady: Entry(
            fr: "La carte SIM n'est pas prête.",
            en: "The SIM is not ready.",
            actionFR: "Attendez une minute puis rebranchez l'appareil ; vérifiez que la carte est bien insérée.",
            actionEN: "Wait a minute and plug the device back in; check the card is properly inserted."),
        .imsiUnreadable: Entry(
            fr: "La carte SIM n'a pas donné son identité d'abonné (IMSI).",
            en: "The SIM did not give its subscriber identity (IMSI).",
            actionFR: "Rebranchez l'appareil ; si cela recommence, essayez la carte dans un autre appareil.",
            actionEN: "Plug the device back in; if it happens again, try the card in another device."),
        .noOperatorProfile: Entry(
            fr: "Cet opérateur n'est pas configuré à la station.",
            en: "This operator is not configured at the station.",
            actionFR: "Utilisez une carte SIM d'un opérateur configuré, ou demandez au responsable d'ajouter l'opérateur.",
            actionEN: "Use a SIM of a configured operator, or ask the lead to add the operator."),
        .wifiUnsupported: Entry(
            fr: "Cet appareil n'a pas de Wi-Fi que la station sait régler.",
            en: "This device has no Wi-Fi the station can set.",
            actionFR: "Remettez-le comme clé modem, ou approvisionnez-le sans changer le Wi-Fi.",
            actionEN: "Hand it over as a modem stick, or provision it without changing the Wi-Fi."),
        .wifiInvalid: Entry(
            fr: "Le nom ou la clé Wi-Fi demandés ne peuvent pas être enregistrés sur l'appareil.",
            en: "The Wi-Fi name or key asked for cannot be stored on the device.",
            actionFR: "Choisissez un nom sans point-virgule ni guillemet et une clé de 8 à 63 caractères, ou laissez la station les choisir.",
            actionEN: "Choose a name without semicolons or quotes and a key of 8 to 63 characters, or let the station choose."),
        .wifiRefused: Entry(
            fr: "Le point d'accès a refusé le réglage Wi-Fi.",
            en: "The hotspot refused the Wi-Fi setting.",
            actionFR: "Relancez l'approvisionnement : le crédit déjà chargé n'est pas racheté.",
            actionEN: "Start provisioning again: credit already loaded is not bought twice."),
        .wifiReadbackMismatch: Entry(
            fr: "Le point d'accès n'affiche pas le nom ou la clé Wi-Fi qui viennent d'être réglés.",
            en: "The hotspot does not show the Wi-Fi name or key just set.",
            actionFR: "Relancez l'approvisionnement ; ne remettez pas l'appareil tant que le Wi-Fi n'est pas vérifié.",
            actionEN: "Start provisioning again; do not hand the device over until its Wi-Fi is verified."),
        .voucherUnsettled: Entry(
            fr: "Un bon de cette commande n'est pas encore réglé : aucun autre bon n'est utilisé d'ici là.",
            en: "A voucher of this order is not settled yet: no other voucher is used until it is.",
            actionFR: "Rebranchez l'appareil pour que le solde soit vérifié, ou demandez au responsable de régler le bon.",
            actionEN: "Plug the device back in so the balance is checked, or ask the supervisor to settle the voucher."),
        .noVoucherAvailable: Entry(
            fr: "Il n'y a plus de bon disponible pour ce forfait.",
            en: "No voucher is left for this plan.",
            actionFR: "Demandez au responsable d'importer des bons, ou choisissez un autre forfait.",
            actionEN: "Ask the supervisor to import vouchers, or choose another plan."),
        .voucherUnusable: Entry(
            fr: "Ce bon ne peut pas être envoyé à l'opérateur ; il a été remis en stock.",
            en: "This voucher cannot be sent to the operator; it was put back.",
            actionFR: "Signalez-le au responsable : le fichier de bons contient un code incorrect.",
            actionEN: "Tell the supervisor: the voucher file holds a wrong code."),
        .voucherUnknown: Entry(
            fr: "On ne sait pas si l'opérateur a accepté le bon : il est mis de côté.",
            en: "Whether the operator accepted the voucher is unknown: it is held aside.",
            actionFR: "Rebranchez l'appareil : le solde dira si le bon est passé ; aucun autre bon n'est utilisé d'ici là.",
            actionEN: "Plug the device back in: the balance will tell whether it went through; no other voucher is used meanwhile."),
        .voucherRejected: Entry(
            fr: "L'opérateur a refusé le bon ; le solde n'a pas changé.",
            en: "The operator refused the voucher; the balance did not change.",
            actionFR: "Relancez l'approvisionnement : un autre bon sera utilisé ; signalez le bon refusé au responsable.",
            actionEN: "Start provisioning again: another voucher is used; report the refused voucher to the supervisor."),
        .balanceUnreadable: Entry(
            fr: "Le solde de la carte SIM n'a pas pu être lu.",
            en: "The SIM's balance could not be read.",
            actionFR: "Vérifiez la réception (antenne, opérateur) puis relancez ; aucun bon n'a été utilisé.",
            actionEN: "Check the reception (signal, operator) and start again; no voucher was used."),
        .balanceUnconfirmed: Entry(
            fr: "Le bon a été accepté mais le nouveau solde n'a pas pu être lu.",
            en: "The voucher was accepted but the new balance could not be read.",
            actionFR: "Relancez : le solde sera relu, aucun nouveau bon n'est utilisé.",
            actionEN: "Start again: the balance is read again, no new voucher is used."),
        .balanceNotIncreased: Entry(
            fr: "Le bon a été accepté mais le solde n'a pas augmenté comme prévu.",
            en: "The voucher was accepted but the balance did not grow as expected.",
            actionFR: "Ne remettez pas l'appareil ; montrez ce message au responsable, qui vérifiera auprès de l'opérateur.",
            actionEN: "Do not hand the device over; show this to the supervisor, who will check with the operator."),
        .ussdInvalid: Entry(
            fr: "La demande USSD (le code envoyé à l'opérateur) n'est pas valide.",
            en: "The USSD request (the code sent to the operator) is not valid.",
            actionFR: "Demandez au responsable de vérifier le profil de l'opérateur dans la configuration.",
            actionEN: "Ask the lead to check the operator profile in the configuration."),
        .ussdMalformed: Entry(
            fr: "La réponse de l'opérateur n'a pas pu être lue.",
            en: "The operator's reply could not be read.",
            actionFR: "Rebranchez l'appareil : le solde sera vérifié, aucun nouveau bon n'est utilisé.",
            actionEN: "Plug the device back in: the balance will be checked, no new voucher is used."),
        .ussdRefusedByDevice: Entry(
            fr: "L'appareil a refusé d'envoyer la demande USSD.",
            en: "The device refused to send the USSD request.",
            actionFR: "Vérifiez la réception puis relancez ; le solde est vérifié avant tout nouveau bon.",
            actionEN: "Check the reception and start again; the balance is checked before any new voucher."),
        .daemonRestarted: Entry(
            fr: "La station a redémarré pendant l'approvisionnement.",
            en: "The station restarted during provisioning.",
            actionFR: "Relancez l'approvisionnement : ce qui était fait est repris, aucun bon n'est utilisé deux fois.",
            actionEN: "Start provisioning again: what was done is resumed, no voucher is used twice."),
        .quarantined: Entry(
            fr: "Cet appareil est mis à l'écart : la station s'est arrêtée plusieurs fois en s'en occupant.",
            en: "This device is set aside: the station stopped several times while handling it.",
            actionFR: "Débranchez-le, mettez-le de côté et signalez-le au responsable technique.",
            actionEN: "Unplug it, set it aside and report it to the technical lead."),
        .internalFailure: Entry(
            fr: "Une erreur inattendue s'est produite dans la station.",
            en: "An unexpected error happened in the station.",
            actionFR: "Notez l'heure et l'appareil, puis appelez le responsable technique.",
            actionEN: "Note the time and the device, then call the technical lead."),

        // HiLink units (web API over USB networking).
        .loginRequired: Entry(
            fr: "La clé HiLink demande un mot de passe et aucun n'est configuré pour elle.",
            en: "The HiLink unit asks for a login and no password is configured for it.",
            actionFR: "Demandez au responsable d'ajouter son mot de passe à la configuration, puis rebranchez-la.",
            actionEN: "Ask the lead to add its password to the configuration, then plug it back in."),
        .loginFailed: Entry(
            fr: "La clé HiLink a refusé le mot de passe configuré.",
            en: "The HiLink unit refused the configured password.",
            actionFR: "Ne réessayez pas (la clé se verrouille) ; demandez au responsable de vérifier le mot de passe.",
            actionEN: "Do not retry (the unit locks itself); ask the lead to check the password."),
        .loginLocked: Entry(
            fr: "La clé HiLink a verrouillé sa connexion après de mauvais mots de passe.",
            en: "The HiLink unit locked its login after wrong passwords.",
            actionFR: "Attendez la fin du verrouillage (quelques minutes) avant de la rebrancher.",
            actionEN: "Wait for the lock-out to end (a few minutes) before plugging it back in."),
        .loginAttemptsExhausted: Entry(
            fr: "La station a cessé d'essayer de se connecter à la clé HiLink pour ne pas la bloquer.",
            en: "The station stopped trying to log in to the HiLink unit so as not to block it.",
            actionFR: "Demandez au responsable de vérifier le mot de passe de la clé.",
            actionEN: "Ask the lead to check the unit's password."),
        .loginBusy: Entry(
            fr: "Quelqu'un d'autre est connecté à la clé HiLink.",
            en: "Someone else is logged in to the HiLink unit.",
            actionFR: "Fermez la page web de la clé ouverte ailleurs, puis rebranchez-la.",
            actionEN: "Close the unit's web page open elsewhere, then plug it back in."),
        .sessionRefused: Entry(
            fr: "La clé HiLink a refusé la session de la station.",
            en: "The HiLink unit refused the station's session.",
            actionFR: "Débranchez-la, attendez dix secondes et rebranchez-la.",
            actionEN: "Unplug it, wait ten seconds and plug it back in."),
        .pinWrong: Entry(
            fr: "La carte SIM a refusé le code PIN configuré.",
            en: "The SIM refused the configured PIN.",
            actionFR: "Ne réessayez pas (la SIM se bloque après trois essais) ; corrigez le code dans la configuration.",
            actionEN: "Do not retry (the SIM blocks after three tries); fix the PIN in the configuration."),
        .refusedByDevice: Entry(
            fr: "L'appareil a refusé la demande.",
            en: "The device refused the request.",
            actionFR: "Relancez l'opération ; si le refus se répète, signalez le modèle au responsable technique.",
            actionEN: "Start the operation again; if it keeps refusing, report the model to the technical lead."),
        .unsupportedByDevice: Entry(
            fr: "Cet appareil ne sait pas faire cette opération.",
            en: "This device cannot do this operation.",
            actionFR: "Mettez-le de côté et signalez son modèle au responsable technique.",
            actionEN: "Set it aside and report its model to the technical lead."),
        .ussdNetworkTimeout: Entry(
            fr: "Le réseau de l'opérateur n'a pas répondu à la demande USSD.",
            en: "The operator's network did not answer the USSD request.",
            actionFR: "Rebranchez l'appareil : le solde sera vérifié, aucun nouveau bon n'est utilisé.",
            actionEN: "Plug the device back in: the balance will be checked, no new voucher is used."),
        .deviceError: Entry(
            fr: "L'appareil a répondu par une erreur.",
            en: "The device answered with an error.",
            actionFR: "Débranchez-le et rebranchez-le ; le solde est vérifié avant tout nouveau bon.",
            actionEN: "Unplug it and plug it back in; the balance is checked before any new voucher."),
        .deviceHTTPError: Entry(
            fr: "La page de l'appareil a répondu par une erreur.",
            en: "The device's web interface answered with an error.",
            actionFR: "Débranchez-le et rebranchez-le ; le solde est vérifié avant tout nouveau bon.",
            actionEN: "Unplug it and plug it back in; the balance is checked before any new voucher."),
        .deviceMalformedReply: Entry(
            fr: "La réponse de l'appareil n'a pas pu être lue.",
            en: "The device's reply could not be read.",
            actionFR: "Débranchez-le et rebranchez-le ; si cela recommence, signalez le modèle au responsable technique.",
            actionEN: "Unplug it and plug it back in; if it happens again, report the model to the technical lead."),
        .deviceRedirected: Entry(
            fr: "L'appareil a renvoyé la station vers une autre adresse.",
            en: "The device redirected the station elsewhere.",
            actionFR: "Vérifiez qu'il s'agit bien d'une clé HiLink, puis rebranchez-la.",
            actionEN: "Check it is a HiLink unit, then plug it back in."),
        .encryptionFailed: Entry(
            fr: "La station n'a pas pu chiffrer sa demande pour l'appareil.",
            en: "The station could not encrypt its request for the device.",
            actionFR: "Signalez le modèle et son micrologiciel au responsable technique.",
            actionEN: "Report the model and its firmware to the technical lead."),
        .interfaceBindFailed: Entry(
            fr: "La station n'a pas pu utiliser l'interface réseau de l'appareil.",
            en: "The station could not use the device's network interface.",
            actionFR: "Débranchez-le et rebranchez-le ; si cela recommence, appelez le responsable technique.",
            actionEN: "Unplug it and plug it back in; if it happens again, call the technical lead."),
        .cancelled: Entry(
            fr: "L'opération a été interrompue.",
            en: "The operation was stopped.",
            actionFR: "Relancez-la : ce qui était fait est repris, aucun bon n'est utilisé deux fois.",
            actionEN: "Start it again: what was done is resumed, no voucher is used twice."),

        // Requests at the counter.
        .alreadyServed: Entry(
            fr: "Cette carte SIM a déjà été servie.",
            en: "This SIM was already served.",
            actionFR: "Pour ajouter du crédit utilisez « hotspotctl topup » ; pour tout refaire, « provision --again ».",
            actionEN: "To add credit use 'hotspotctl topup'; to start over, 'provision --again'."),
        .orderOpen: Entry(
            fr: "Une commande de cette carte SIM est déjà en cours.",
            en: "An order of this SIM is already under way.",
            actionFR: "Laissez-la finir (« hotspotctl watch ») ou relancez « provision » pour la reprendre.",
            actionEN: "Let it finish ('hotspotctl watch') or run 'provision' again to resume it."),
        .simUnknown: Entry(
            fr: "La carte SIM de cet appareil n'est pas encore connue.",
            en: "This device's SIM is not known yet.",
            actionFR: "Attendez la fin de l'identification (« hotspotctl status ») puis réessayez.",
            actionEN: "Wait until identification ends ('hotspotctl status') and try again."),
        .unknownPlan: Entry(
            fr: "Ce forfait n'existe pas à la station.",
            en: "This plan does not exist at the station.",
            actionFR: "Choisissez un forfait de la liste « hotspotctl plans ».",
            actionEN: "Choose a plan from 'hotspotctl plans'."),
        .planRequired: Entry(
            fr: "Aucun forfait n'a été choisi et la station n'a pas de forfait par défaut.",
            en: "No plan was chosen and the station has no default plan.",
            actionFR: "Relancez avec --plan (voir « hotspotctl plans »).",
            actionEN: "Run it again with --plan (see 'hotspotctl plans')."),
        .cardNotReady: Entry(
            fr: "Cet appareil n'a encore ni forfait ni Wi-Fi : il n'y a pas de carte à imprimer.",
            en: "This device has no plan or Wi-Fi yet: there is no card to print.",
            actionFR: "Approvisionnez-le d'abord (« hotspotctl provision »), puis imprimez la carte.",
            actionEN: "Provision it first ('hotspotctl provision'), then print the card."),
        .deviceBusy: Entry(
            fr: "L'appareil est occupé par une autre opération.",
            en: "The device is busy with another operation.",
            actionFR: "Attendez qu'elle finisse (« hotspotctl watch ») puis réessayez.",
            actionEN: "Wait for it to finish ('hotspotctl watch') and try again."),
        .deviceNotFound: Entry(
            fr: "Aucun appareil ne correspond.",
            en: "No device matches.",
            actionFR: "Vérifiez le numéro avec « hotspotctl devices ».",
            actionEN: "Check the reference with 'hotspotctl devices'."),
        .ambiguousDevice: Entry(
            fr: "Plusieurs appareils correspondent.",
            en: "Several devices match.",
            actionFR: "Donnez plus de chiffres, ou l'identifiant (d1, d2…) de « hotspotctl devices ».",
            actionEN: "Give more digits, or the id (d1, d2…) from 'hotspotctl devices'."),
        .alreadyAttached: Entry(
            fr: "Ce port est déjà rattaché à la station.",
            en: "This port is already attached.",
            actionFR: "Rien à faire : l'appareil figure dans « hotspotctl devices ».",
            actionEN: "Nothing to do: the device is in 'hotspotctl devices'."),
        .portBusy: Entry(
            fr: "Le port est utilisé par un autre programme.",
            en: "The port is used by another program.",
            actionFR: "Fermez l'autre programme (ModemManager, un terminal série) puis réessayez.",
            actionEN: "Close the other program (ModemManager, a serial terminal) and try again."),
        .rateLimited: Entry(
            fr: "Trop d'opérations payantes en peu de temps.",
            en: "Too many money operations in a short time.",
            actionFR: "Attendez quelques secondes puis réessayez.",
            actionEN: "Wait a few seconds and try again."),
        .forbidden: Entry(
            fr: "Votre compte n'a pas le droit de faire cela.",
            en: "Your account may not do this.",
            actionFR: "Demandez au responsable de vous ajouter au groupe indiqué, ou de le faire lui-même.",
            actionEN: "Ask the lead to add you to the group named, or to do it themselves."),
        .shuttingDown: Entry(
            fr: "La station est en train de s'arrêter.",
            en: "The station is shutting down.",
            actionFR: "Attendez son redémarrage puis réessayez.",
            actionEN: "Wait for it to start again and try again."),
        .modeSwitchDisabled: Entry(
            fr: "Cet appareil USB doit changer de mode mais le changement de mode est désactivé.",
            en: "This USB device needs a mode switch but mode switching is disabled.",
            actionFR: "Demandez au responsable d'activer discovery.modeSwitch, ou branchez un autre appareil.",
            actionEN: "Ask the lead to enable discovery.modeSwitch, or plug in another device."),
        .modeSwitchFailed: Entry(
            fr: "L'appareil USB n'a pas pu passer en mode modem.",
            en: "The USB device could not be switched to modem mode.",
            actionFR: "Débranchez-le, attendez dix secondes et rebranchez-le.",
            actionEN: "Unplug it, wait ten seconds and plug it back in."),
        .noATPort: Entry(
            fr: "L'appareil n'offre pas de port de commande que la station sache utiliser.",
            en: "The device offers no command port the station can use.",
            actionFR: "Mettez-le de côté et signalez son modèle au responsable technique.",
            actionEN: "Set it aside and report its model to the technical lead."),
        .noATPortAnswered: Entry(
            fr: "Aucun port de l'appareil n'a répondu aux commandes.",
            en: "None of the device's ports answered commands.",
            actionFR: "Débranchez-le, attendez trente secondes et rebranchez-le.",
            actionEN: "Unplug it, wait thirty seconds and plug it back in."),
        .noAddress: Entry(
            fr: "La clé réseau (HiLink) n'a pas reçu d'adresse.",
            en: "The network stick (HiLink) got no address.",
            actionFR: "Vérifiez que le client DHCP de la station tourne (voir docs/hilink.md), puis rebranchez la clé.",
            actionEN: "Check the station's DHCP client is running (see docs/hilink.md), then plug the stick back in."),
        .invalidPath: Entry(
            fr: "Ce chemin ne peut pas être utilisé.",
            en: "This path cannot be used.",
            actionFR: "Donnez un chemin absolu, hors de la base de la station.",
            actionEN: "Give an absolute path outside the station's database."),

        // Vouchers and the ledger (supervisors).
        .voucherNotFound: Entry(
            fr: "Ce bon n'existe pas.",
            en: "No such voucher.",
            actionFR: "Vérifiez son numéro avec « hotspotctl vouchers ».",
            actionEN: "Check its number with 'hotspotctl vouchers'."),
        .voucherNotUnknown: Entry(
            fr: "Ce bon n'est pas en attente de règlement.",
            en: "This voucher is not waiting to be settled.",
            actionFR: "Seuls les bons à l'état « inconnu » se règlent ; voir « hotspotctl vouchers unknown ».",
            actionEN: "Only vouchers in state unknown are settled; see 'hotspotctl vouchers unknown'."),
        .settlementContradictsBalance: Entry(
            fr: "Ce règlement contredit le solde relevé sur la carte SIM.",
            en: "This settlement contradicts the balance read on the SIM.",
            actionFR: "Vérifiez auprès de l'opérateur ; utilisez --force seulement si vous en êtes sûr.",
            actionEN: "Check with the operator; use --force only if you are sure."),
        .noteRequired: Entry(
            fr: "Une note est obligatoire pour régler un bon.",
            en: "A note is required to settle a voucher.",
            actionFR: "Ajoutez --note avec ce que vous avez vérifié.",
            actionEN: "Add --note saying what you checked."),
        .invalidNote: Entry(
            fr: "La note n'est pas acceptable.",
            en: "The note is not acceptable.",
            actionFR: "Écrivez une note courte, sur une ligne, sans caractères de contrôle.",
            actionEN: "Write a short note, one line, without control characters."),
        .invalidOutcome: Entry(
            fr: "Ce résultat de règlement n'existe pas.",
            en: "No such settlement outcome.",
            actionFR: "Utilisez applied, rejected ou manual.",
            actionEN: "Use applied, rejected or manual."),
        .invalidVoucherFile: Entry(
            fr: "Le fichier de bons n'est pas valide ; aucun bon n'a été importé.",
            en: "The voucher file is not valid; no voucher was imported.",
            actionFR: "Corrigez la ligne indiquée puis importez de nouveau le fichier entier.",
            actionEN: "Fix the line named and import the whole file again."),
        .invalidState: Entry(
            fr: "Cet état de bon n'existe pas.",
            en: "No such voucher state.",
            actionFR: "Utilisez available, reserved, sending, applied, rejected, unknown ou manual.",
            actionEN: "Use available, reserved, sending, applied, rejected, unknown or manual."),
        .simHasUnsettledVoucher: Entry(
            fr: "Cette carte SIM a un bon non réglé.",
            en: "This SIM has an unsettled voucher.",
            actionFR: "Rebranchez l'appareil pour vérifier le solde, ou demandez au responsable de régler le bon.",
            actionEN: "Plug the device back in to check the balance, or ask the supervisor to settle the voucher."),
        .orderClosed: Entry(
            fr: "Cette commande est déjà close.",
            en: "This order is already closed.",
            actionFR: "Rien à faire ; pour du crédit en plus, utilisez « hotspotctl topup ».",
            actionEN: "Nothing to do; for more credit use 'hotspotctl topup'."),
        .orderHasCredit: Entry(
            fr: "Cette commande a déjà reçu son crédit.",
            en: "This order already has its credit.",
            actionFR: "Relancez « provision » pour finir le Wi-Fi : aucun bon n'est racheté.",
            actionEN: "Run 'provision' again to finish the Wi-Fi: no voucher is bought again."),
        .diskFull: Entry(
            fr: "Le disque de la station est plein.",
            en: "The station's disk is full.",
            actionFR: "Arrêtez les approvisionnements et appelez le responsable technique.",
            actionEN: "Stop provisioning and call the technical lead."),
        .backupDirectory: Entry(
            fr: "Le dossier des sauvegardes ne peut pas être créé.",
            en: "The backup directory cannot be created.",
            actionFR: "Demandez au responsable technique de vérifier backupDirectory et ses droits.",
            actionEN: "Ask the technical lead to check backupDirectory and its permissions."),
        .backupExists: Entry(
            fr: "Une sauvegarde porte déjà ce nom.",
            en: "A backup of that name already exists.",
            actionFR: "Choisissez un autre nom de fichier.",
            actionEN: "Choose another file name."),
        .ledgerDoesNotVerify: Entry(
            fr: "Le registre ne se vérifie pas : un enregistrement a été modifié ou abîmé.",
            en: "The ledger does not verify: a record was changed or damaged.",
            actionFR: "N'utilisez plus la station ; gardez une copie et appelez le responsable technique.",
            actionEN: "Stop using the station; keep a copy and call the technical lead."),
        .ledgerFile: Entry(
            fr: "Ce fichier de registre ne peut pas être lu.",
            en: "This ledger file cannot be read.",
            actionFR: "Vérifiez le chemin et que le fichier est bien une sauvegarde de la station.",
            actionEN: "Check the path and that the file is a station backup."),

        // Talking to the daemon.
        .daemonUnreachable: Entry(
            fr: "Le service de la station (hotspotd) est injoignable.",
            en: "The station's service (hotspotd) cannot be reached.",
            actionFR: "Vérifiez qu'il tourne (systemctl status hotspotd) et que vous êtes dans le groupe hotspot.",
            actionEN: "Check it is running (systemctl status hotspotd) and that you are in the hotspot group."),
        .connectionFailed: Entry(
            fr: "La connexion au service de la station a été coupée.",
            en: "The connection to the station's service broke.",
            actionFR: "Réessayez ; vérifiez l'état avec « hotspotctl devices » avant de relancer une opération.",
            actionEN: "Try again; check with 'hotspotctl devices' before starting an operation again."),
        .eventStreamEnded: Entry(
            fr: "Le service de la station a fermé le suivi en direct.",
            en: "The station's service closed the live feed.",
            actionFR: "Relancez « hotspotctl watch ».",
            actionEN: "Run 'hotspotctl watch' again."),
        .invalidReply: Entry(
            fr: "La réponse du service de la station n'a pas pu être lue.",
            en: "The station service's reply could not be read.",
            actionFR: "Vérifiez que hotspotctl et hotspotd ont la même version (--version).",
            actionEN: "Check that hotspotctl and hotspotd have the same version (--version)."),
        .localInput: Entry(
            fr: "Une donnée locale n'a pas pu être utilisée.",
            en: "A local input could not be used.",
            actionFR: "Vérifiez le fichier ou la valeur indiqués.",
            actionEN: "Check the file or value named."),
        .notFound: Entry(
            fr: "Le service de la station n'a rien trouvé à cette adresse.",
            en: "The station's service found nothing there.",
            actionFR: "Vérifiez que hotspotctl et hotspotd ont la même version (--version).",
            actionEN: "Check that hotspotctl and hotspotd have the same version (--version)."),
        .noSuchRoute: Entry(
            fr: "Le service de la station ne connaît pas cette demande.",
            en: "The station's service does not know this request.",
            actionFR: "Vérifiez que hotspotctl et hotspotd ont la même version (--version).",
            actionEN: "Check that hotspotctl and hotspotd have the same version (--version)."),
        .invalidRequest: Entry(
            fr: "La demande envoyée au service n'est pas valide.",
            en: "The request sent to the service is not valid.",
            actionFR: "Vérifiez que hotspotctl et hotspotd ont la même version (--version).",
            actionEN: "Check that hotspotctl and hotspotd have the same version (--version)."),
        .encodingFailed: Entry(
            fr: "Le service n'a pas pu préparer sa réponse.",
            en: "The service could not prepare its reply.",
            actionFR: "Réessayez ; si cela recommence, appelez le responsable technique.",
            actionEN: "Try again; if it happens again, call the technical lead."),
        .invalidAnchor: Entry(
            fr: "L'ancre du registre n'a pas la bonne forme.",
            en: "The ledger anchor is not well formed.",
            actionFR: "Donnez-la sous la forme NUMÉRO:EMPREINTE (64 chiffres hexadécimaux).",
            actionEN: "Give it as SEQ:HASH (64 hex digits)."),
        .invalidDate: Entry(
            fr: "La date n'a pas la bonne forme.",
            en: "The date is not well formed.",
            actionFR: "Écrivez-la AAAA-MM-JJ, par exemple 2026-11-22.",
            actionEN: "Write it YYYY-MM-DD, such as 2026-11-22."),
        .invalidFormat: Entry(
            fr: "Ce format d'export n'existe pas.",
            en: "No such export format.",
            actionFR: "Utilisez csv ou jsonl.",
            actionEN: "Use csv or jsonl."),
        .invalidReveal: Entry(
            fr: "La demande de révélation n'a pas la bonne forme.",
            en: "The reveal request is not well formed.",
            actionFR: "Utilisez --reveal, --reveal-key ou --reveal-ids.",
            actionEN: "Use --reveal, --reveal-key or --reveal-ids."),
        .invalidLimit: Entry(
            fr: "La limite doit être un nombre de 1 à 100000.",
            en: "The limit must be a number from 1 to 100000.",
            actionFR: "Donnez un nombre de 1 à 100000.",
            actionEN: "Give a number from 1 to 100000."),
        // SIM readers and devices reached by URL.
        .cardRemoved: Entry(
            fr: "La carte SIM a été retirée du lecteur pendant la lecture.",
            en: "The SIM card was taken out of the reader while it was being read.",
            actionFR: "Remettez la carte dans le lecteur et attendez qu'elle soit relue.",
            actionEN: "Put the card back in the reader and wait for it to be read again."),
        .cardReplyEndless: Entry(
            fr: "La carte SIM répond sans fin : sa réponse est refusée.",
            en: "The SIM card keeps answering without end: its answer is refused.",
            actionFR: "Retirez la carte, nettoyez ses contacts et réessayez ; si cela recommence, la carte est défectueuse.",
            actionEN: "Take the card out, clean its contacts and try again; if it happens again, the card is faulty."),
        .cardReplyTooLong: Entry(
            fr: "La carte a envoyé une réponse trop longue pour une carte SIM.",
            en: "The card sent an answer too long for a SIM card.",
            actionFR: "Vérifiez que c'est bien une carte SIM ; sinon, retirez-la.",
            actionEN: "Check it really is a SIM card; otherwise take it out."),
        .cardReplyTooShort: Entry(
            fr: "La carte a envoyé une réponse incomplète.",
            en: "The card sent an incomplete answer.",
            actionFR: "Retirez la carte et remettez-la ; si cela recommence, la carte est défectueuse.",
            actionEN: "Take the card out and put it back; if it happens again, the card is faulty."),
        .cardStatusUnexpected: Entry(
            fr: "La carte a répondu de façon inattendue : rien n'a été enregistré.",
            en: "The card answered unexpectedly: nothing was recorded.",
            actionFR: "Retirez la carte et remettez-la ; si cela recommence, essayez un autre lecteur.",
            actionEN: "Take the card out and put it back; if it happens again, try another reader."),
        .iccidMalformed: Entry(
            fr: "Le numéro de la carte SIM (ICCID) lu est invalide : il n'est pas enregistré.",
            en: "The SIM's number (ICCID) read is not valid: it is not recorded.",
            actionFR: "Retirez la carte et remettez-la pour une nouvelle lecture.",
            actionEN: "Take the card out and put it back for another reading."),
        .imsiMalformed: Entry(
            fr: "L'identité d'abonné (IMSI) lue est invalide : elle n'est pas enregistrée.",
            en: "The subscriber identity (IMSI) read is not valid: it is not recorded.",
            actionFR: "Retirez la carte et remettez-la pour une nouvelle lecture.",
            actionEN: "Take the card out and put it back for another reading."),
        .invalidURL: Entry(
            fr: "Cette adresse ne désigne pas une clé HiLink (http://ADRESSE[:PORT]).",
            en: "This address does not name a HiLink unit (http://HOST[:PORT]).",
            actionFR: "Donnez l'adresse sous la forme http://192.168.8.1, et l'interface avec --interface.",
            actionEN: "Give the address as http://192.168.8.1, and the interface with --interface."),
        .noCard: Entry(
            fr: "Aucune carte dans le lecteur.",
            en: "No card in the reader.",
            actionFR: "Insérez une carte SIM dans le lecteur.",
            actionEN: "Insert a SIM card in the reader."),
        .notASIM: Entry(
            fr: "La carte insérée n'est pas une carte SIM (carte bancaire ?).",
            en: "The card inserted is not a SIM card (a bank card?).",
            actionFR: "Retirez-la et insérez une carte SIM.",
            actionEN: "Take it out and insert a SIM card."),
        .orderNotFound: Entry(
            fr: "Cette commande n'existe pas.",
            en: "There is no such order.",
            actionFR: "Vérifiez le numéro avec « hotspotctl orders ».",
            actionEN: "Check the number with `hotspotctl orders`."),
        .pinFormat: Entry(
            fr: "Un code PIN est fait de 4 à 8 chiffres.",
            en: "A PIN is 4 to 8 digits.",
            actionFR: "Retapez le code PIN de la carte (4 à 8 chiffres).",
            actionEN: "Type the card's PIN again (4 to 8 digits)."),
        .pinNotRequired: Entry(
            fr: "Cette carte SIM ne demande pas de code PIN : rien n'a été envoyé.",
            en: "This SIM asks for no PIN: nothing was sent.",
            actionFR: "Rien à faire : la carte est déjà déverrouillée.",
            actionEN: "Nothing to do: the card is already unlocked."),
        .pinRequired: Entry(
            fr: "La carte SIM est verrouillée par un code PIN.",
            en: "The SIM is locked by a PIN.",
            actionFR: "Déverrouillez-la avec « hotspotctl unlock » (un seul essai, les essais restants sont affichés).",
            actionEN: "Unlock it with `hotspotctl unlock` (one attempt; the tries left are shown)."),
        .readerFailed: Entry(
            fr: "Le lecteur de cartes ne répond pas correctement.",
            en: "The card reader does not answer properly.",
            actionFR: "Débranchez le lecteur, attendez dix secondes et rebranchez-le.",
            actionEN: "Unplug the reader, wait ten seconds and plug it back in."),
        .readerGone: Entry(
            fr: "Le lecteur de cartes a été débranché.",
            en: "The card reader was unplugged.",
            actionFR: "Rebranchez le lecteur : la carte sera relue.",
            actionEN: "Plug the reader back in: the card will be read again."),
        .unlockNotSupported: Entry(
            fr: "Cet appareil ne permet pas de saisir le code PIN ici.",
            en: "This device does not let its PIN be entered here.",
            actionFR: "Déverrouillez la carte dans un lecteur de SIM, puis remettez-la dans l'appareil.",
            actionEN: "Unlock the card in a SIM reader, then put it back in the device."),
        .urlDevicesUnsupported: Entry(
            fr: "Cette station n'ajoute à la main que des ports série.",
            en: "This station attaches only serial ports by hand.",
            actionFR: "Branchez l'appareil en USB : il sera trouvé tout seul.",
            actionEN: "Plug the device in over USB: it will be found by itself."),
        .ussdNotSupported: Entry(
            fr: "Cet appareil ne peut pas envoyer de codes USSD (un lecteur de SIM).",
            en: "This device cannot send USSD codes (a SIM reader).",
            actionFR: "Mettez la carte dans un modem ou un hotspot pour la recharger.",
            actionEN: "Put the card in a modem or a hotspot to credit it."),
        // The counter: history and waiting for a run.
        .deviceNotIdentified: Entry(
            fr: "L'appareil n'est pas encore identifié : son historique n'est pas disponible.",
            en: "The device is not identified yet: its history is not available.",
            actionFR: "Attendez la fin de l'identification, ou donnez les derniers chiffres de l'ICCID.",
            actionEN: "Wait for identification to end, or give the ICCID's last digits."),
        .invalidIdentifier: Entry(
            fr: "Ce n'est ni un appareil connu ni des chiffres d'IMEI ou d'ICCID.",
            en: "This is neither a known device nor IMEI or ICCID digits.",
            actionFR: "Donnez l'identifiant de l'appareil (d1) ou au moins les 4 derniers chiffres de l'ICCID.",
            actionEN: "Give the device's id (d1) or at least the ICCID's last 4 digits."),
        .waitTimeout: Entry(
            fr: "Le traitement n'était pas terminé quand l'attente a pris fin.",
            en: "The run had not ended when the wait gave up.",
            actionFR: "Suivez-le avec « hotspotctl board » ou « hotspotctl status » ; rien n'est perdu.",
            actionEN: "Follow it with `hotspotctl board` or `hotspotctl status`; nothing is lost."),
        // Reloading the configuration.
        .invalidConfig: Entry(
            fr: "Le fichier de configuration n'a pas passé les vérifications : rien n'a été changé.",
            en: "The configuration file did not pass the checks: nothing was changed.",
            actionFR: "Corrigez la ligne indiquée dans /etc/hotspotd/hotspotd.json, puis relancez « hotspotctl reload ».",
            actionEN: "Fix the line named in /etc/hotspotd/hotspotd.json, then run `hotspotctl reload` again."),
        .reloadUnavailable: Entry(
            fr: "Cette station n'a pas été démarrée depuis un fichier de configuration.",
            en: "This station was not started from a configuration file.",
            actionFR: "Redémarrez le service hotspotd pour appliquer la configuration.",
            actionEN: "Restart the hotspotd service to apply the configuration."),
    ]
}
