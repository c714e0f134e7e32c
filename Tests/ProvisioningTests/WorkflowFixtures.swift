import ATProtocol
import DeviceCatalog
@testable import Provisioning

// The scripted devices, operator and plan the workflow tests share.

let simuNet = OperatorProfile(
    name: "SimuNet", mccmnc: ["00101"], rechargeTemplate: "*123*{code}#", balanceCode: "*100#",
    successPattern: "reussi", refusalPattern: "invalide|deja utilise", balancePattern: "solde data est de ([0-9]+) Mo")
let plan500 = Plan(name: "500MB", megabytes: 500, priceCents: 100)
let voucherCode = "1111222233334444"
let rechargeCommand = "AT+CUSD=1,\"*123*\(voucherCode)#\",15"
let balanceCommand = "AT+CUSD=1,\"*100#\",15"

func balanceReply(_ megabytes: Int) -> ScriptedChannel.Reply {
    balanceReply(String(megabytes))
}

/// A balance reply whose figure is any text (hostile figures included).
func balanceReply(_ figure: String) -> ScriptedChannel.Reply {
    .init(lines: [], final: .ok, thenReports: ["+CUSD: 0,\"Votre solde data est de \(figure) Mo.\",15"])
}

let rechargeAccepted = ScriptedChannel.Reply(
    lines: [], final: .ok, thenReports: ["+CUSD: 0,\"Rechargement reussi: 500 Mo ajoutes.\",15"])

/// A plain 27.007 modem with a ready SIM on the test network.
func genericModem() async -> ScriptedChannel {
    let channel = ScriptedChannel()
    await channel.on("ATE0", .init(lines: [], final: .ok))
    await channel.on("AT+CMEE=1", .init(lines: [], final: .ok))
    await channel.on("AT+CGMI", .init(lines: ["Generic"], final: .ok))
    await channel.on("AT+CGMM", .init(lines: ["M1"], final: .ok))
    await channel.on("AT+CGMR", .init(lines: ["1.0"], final: .ok))
    await channel.on("AT+CGSN", .init(lines: ["490154203237518"], final: .ok))
    await channel.on("AT+CCID", .init(lines: ["+CCID: 8933012345678901231"], final: .ok))
    await channel.on("AT+CPIN?", .init(lines: ["+CPIN: READY"], final: .ok))
    await channel.on("AT+CIMI", .init(lines: ["001010123456789"], final: .ok))
    return channel
}

func policy(pins: [String: String] = [:], dataLock: String? = nil) -> ProvisioningPolicy {
    ProvisioningPolicy(operators: [simuNet], wifi: WiFiPolicy(ssidTemplate: "Connexion-{iccid4}", keyLength: 12, dataLockCode: dataLock),
                       simPINs: pins)
}

func failure(_ report: ProvisioningReport) -> ProvisioningFailure? {
    if case .failed(let failure) = report.outcome { return failure }
    return nil
}

/// A Huawei E5 hotspot (Wi-Fi dialect) with a ready SIM on the test network.
func e5Hotspot() async -> ScriptedChannel {
    let channel = await genericModem()
    await channel.on("AT+CGMI", .init(lines: ["huawei"], final: .ok))
    await channel.on("AT+CGMM", .init(lines: ["E5573"], final: .ok))
    await channel.on("AT^ICCID?", .init(lines: ["^ICCID: 8933012345678901231"], final: .ok))
    return channel
}
