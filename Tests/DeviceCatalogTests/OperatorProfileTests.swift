import DeviceCatalog
import Foundation
import Testing

/// Reading operators' USSD replies: recharge verdicts, balances, and the checks on a profile's own fields.
///
/// The reply texts are written the way operators word them (French and English prepaid menus,
/// decimal commas, GB balances, extra lines); the patterns are those a configuration would hold.
@Suite struct OperatorProfileTests {
    /// The example configuration's operator (config/hotspotd.example.json), French replies.
    let simuNet = OperatorProfile(
        name: "SimuNet", mccmnc: ["00101"], rechargeTemplate: "*123*{code}#", balanceCode: "*100#",
        successPattern: "rechargement reussi", refusalPattern: "invalide|deja utilise",
        balancePattern: "solde data[^0-9]*([0-9]+) Mo")

    /// An English-language operator that reports data in GB with decimals.
    let gigabytes = OperatorProfile(
        name: "DataTel", mccmnc: ["62130", "621300"], rechargeTemplate: "*555*{code}#", balanceCode: "*131*4#",
        successPattern: "recharge (was )?successful|you have been credited", refusalPattern: "invalid|already used|not valid",
        balancePattern: "data bal(?:ance)?: ?([0-9]+[.,]?[0-9]*) ?GB", balanceUnit: "GB")

    @Test func classifiesSuccessfulRechargeReplies() {
        #expect(simuNet.classifyRecharge("Rechargement reussi. Vous avez recu 1024 Mo valables 30 jours.") == .succeeded)
        #expect(simuNet.classifyRecharge("RECHARGEMENT REUSSI") == .succeeded)
        #expect(gigabytes.classifyRecharge("Dear customer, your recharge was successful. Data Bal: 1.5GB exp 30/12") == .succeeded)
        #expect(gigabytes.classifyRecharge("You have been credited with 2GB data.") == .succeeded)
    }

    @Test func classifiesRefusedRechargeReplies() {
        #expect(simuNet.classifyRecharge("Code invalide. Veuillez reessayer.") == .refused)
        #expect(simuNet.classifyRecharge("Ce code a deja utilise le 12/03.") == .refused)
        #expect(gigabytes.classifyRecharge("The voucher PIN you entered is INVALID") == .refused)
        #expect(gigabytes.classifyRecharge("Sorry, this voucher has already used.") == .refused)
    }

    @Test func aReplyBothPatternsMatchIsUnclear() {
        // Neither verdict is believed: counted as credit it could hide a refusal, counted as refused it could hide a
        // spent voucher (a refusal pattern too wide). Unclear holds the voucher for a balance check.
        #expect(gigabytes.classifyRecharge("Your last recharge was successful. This voucher is not valid.") == .unclear)
        var wide = simuNet
        wide.refusalPattern = "invalide|deja utilise|solde"
        #expect(wide.classifyRecharge("Rechargement reussi. Solde data: 1000 Mo") == .unclear)
    }

    @Test func repliesMatchingNeitherPatternAreUnclear() {
        #expect(simuNet.classifyRecharge("Service momentanement indisponible") == .unclear)
        #expect(simuNet.classifyRecharge("") == .unclear)
        #expect(gigabytes.classifyRecharge("1. Buy data\n2. Check balance\n3. Exit") == .unclear)
    }

    @Test func readsBalanceInMegabytes() {
        #expect(simuNet.balanceMB(in: "Votre solde data est de 1500 Mo valable jusqu'au 31/12.") == 1500)
        #expect(simuNet.balanceMB(in: "SOLDE DATA : 0 Mo") == 0)
        // Multi-line menu text: the figure is on the second line.
        #expect(simuNet.balanceMB(in: "Bonjour\nSolde data: 250 Mo\n1. Recharger") == 250)
    }

    @Test func convertsGigabyteBalancesWithDecimalPointOrComma() {
        #expect(gigabytes.balanceMB(in: "Data Bal: 1.5GB exp 30/12") == 1536)
        #expect(gigabytes.balanceMB(in: "Data Balance: 2,25 GB") == 2304)
        #expect(gigabytes.balanceMB(in: "data bal: 10GB") == 10240)
    }

    @Test func balanceIsNilWhenThePatternDoesNotMatchOrCapturesNoNumber() {
        #expect(simuNet.balanceMB(in: "Rechargement reussi") == nil)
        #expect(simuNet.balanceMB(in: "Solde credit: 500 FCFA") == nil)
        let noNumber = OperatorProfile(
            name: "X", mccmnc: ["00101"], rechargeTemplate: "*1*{code}#", balanceCode: "*1#",
            successPattern: "ok", refusalPattern: "ko", balancePattern: "balance: ([a-z]+)")
        #expect(noNumber.balanceMB(in: "balance: unlimited") == nil)
        let broken = OperatorProfile(
            name: "X", mccmnc: ["00101"], rechargeTemplate: "*1*{code}#", balanceCode: "*1#",
            successPattern: "ok", refusalPattern: "ko", balancePattern: "balance: ([0-9]+")
        #expect(broken.balanceMB(in: "balance: 100") == nil)
    }

    @Test func servesIMSIsByMCCMNCPrefix() {
        #expect(simuNet.serves(imsi: "001010123456789"))
        #expect(!simuNet.serves(imsi: "208100123456789"))
        #expect(gigabytes.serves(imsi: "621300000000001"))
    }

    @Test func buildsRechargeRequestFromTemplate() {
        #expect(simuNet.rechargeRequest(code: "12345678901234") == "*123*12345678901234#")
    }

    @Test func validProfilesHaveNoProblems() {
        #expect(simuNet.problems().isEmpty)
        #expect(gigabytes.problems().isEmpty)
    }

    @Test func reportsEveryBrokenFieldByName() {
        var profile = simuNet
        profile.successPattern = "rechargement (reussi"
        profile.balancePattern = "solde data [0-9]+ Mo"
        profile.rechargeTemplate = "*123*#"
        profile.mccmnc = ["001"]
        profile.balanceUnit = "KB"
        profile.replyTimeoutSeconds = 0
        let problems = profile.problems()
        let fields = problems.map(\.field)
        #expect(fields == ["successPattern", "balancePattern", "rechargeTemplate", "mccmnc", "balanceUnit", "replyTimeoutSeconds"])
        #expect(problems.first { $0.field == "balancePattern" }?.reason.contains("capture group") == true)
        #expect(problems.first { $0.field == "successPattern" }?.reason.contains("regular expression") == true)
    }

    @Test func templateMustHoldTheCodeExactlyOnce() {
        var profile = simuNet
        profile.rechargeTemplate = "*123*{code}*{code}#"
        #expect(profile.problems().map(\.field) == ["rechargeTemplate"])
    }

    @Test func mccmncMustBeFiveOrSixASCIIDigits() {
        for bad in [["2081"], ["2081000"], ["20801a"], ["２０８０１"], []] {
            var profile = simuNet
            profile.mccmnc = bad
            #expect(profile.problems().map(\.field) == ["mccmnc"], "mccmnc \(bad)")
        }
    }

    @Test func decodingFillsUnitAndTimeoutDefaults() throws {
        let json = """
        {"name": "SimuNet", "mccmnc": ["00101"], "rechargeTemplate": "*123*{code}#", "balanceCode": "*100#",
         "successPattern": "reussi", "refusalPattern": "invalide", "balancePattern": "([0-9]+) Mo"}
        """
        let profile = try JSONDecoder().decode(OperatorProfile.self, from: Data(json.utf8))
        #expect(profile.balanceUnit == "MB")
        #expect(profile.replyTimeoutSeconds == 60)
        #expect(profile.balanceMB(in: "Il vous reste 42 Mo") == 42)
    }
}
