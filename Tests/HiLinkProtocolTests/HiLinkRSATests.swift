import _CryptoExtras
import Foundation
import Testing
@testable import HiLinkProtocol

/// RSA bodies: OAEP checked by decrypting with swift-crypto, PKCS#1 v1.5 by decrypting with the openssl tool.
struct HiLinkRSATests {
    @Test func montgomeryPowerMatchesSmallNumbers() {
        // 4^13 mod 497 = 445; 7^560 mod 561 = 1 (561 is a Carmichael number).
        #expect(BigModulus(modulus: [0x01, 0xF1]).power([0x04], exponent: [13]) == [0x01, 0xBD])
        #expect(BigModulus(modulus: [0x02, 0x31]).power([0x07], exponent: [0x02, 0x30]) == [0x00, 0x01])
    }

    static func key() throws -> (_RSA.Encryption.PrivateKey, HiLinkRSA.PublicKey) {
        let privateKey = try _RSA.Encryption.PrivateKey(keySize: .bits2048)
        let primitives = try privateKey.publicKey.getKeyPrimitives()
        let publicKey = try HiLinkRSA.PublicKey(modulusHex: HiLinkHex.encode(Array(primitives.modulus)),
                                                exponentHex: HiLinkHex.encode(Array(primitives.publicExponent)))
        return (privateKey, publicKey)
    }

    /// Splits the hex into 256-byte blocks, decrypts each, joins and un-base64s.
    static func decrypt(_ hex: String, _ decryptBlock: ([UInt8]) throws -> [UInt8]) throws -> String {
        let bytes = try #require(HiLinkHex.decode(hex))
        #expect(bytes.count % 256 == 0)
        var joined: [UInt8] = []
        var start = 0
        while start < bytes.count {
            joined += try decryptBlock(Array(bytes[start..<start + 256]))
            start += 256
        }
        let data = try #require(Data(base64Encoded: Data(joined)))
        return String(decoding: data, as: UTF8.self)
    }

    @Test func oaepBodiesDecryptBlockByBlock() throws {
        let (privateKey, publicKey) = try Self.key()
        // Long enough for several 214-byte blocks once base64-encoded.
        let plain = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><request>" + String(repeating: "<WifiWpapsk>k3y-&amp;-x</WifiWpapsk>", count: 12) + "</request>"
        let hex = try HiLinkRSA.encrypt(plain, key: publicKey, padding: .oaepSHA1)
        #expect(hex.count / 512 == (Data(plain.utf8).base64EncodedString().count + 213) / 214)
        #expect(try Self.decrypt(hex) { Array(try privateKey.decrypt($0, padding: .PKCS1_OAEP)) } == plain)
    }

    @Test func pkcs1BodiesDecryptWithOpenSSL() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl") else {
            print("skipped: /usr/bin/openssl is not installed")
            return
        }
        let (privateKey, publicKey) = try Self.key()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hilink-rsa-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyFile = directory.appendingPathComponent("key.pem")
        try privateKey.pemRepresentation.write(to: keyFile, atomically: true, encoding: .utf8)
        let plain = String(repeating: "<CurrentPin>1234</CurrentPin>", count: 10)
        let hex = try HiLinkRSA.encrypt(plain, key: publicKey, padding: .pkcs1v15)
        let decrypted = try Self.decrypt(hex) { block in
            let input = directory.appendingPathComponent("in.bin"), output = directory.appendingPathComponent("out.bin")
            try Data(block).write(to: input)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = ["pkeyutl", "-decrypt", "-inkey", keyFile.path, "-pkeyopt", "rsa_padding_mode:pkcs1",
                                 "-in", input.path, "-out", output.path]
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            return Array(try Data(contentsOf: output))
        }
        #expect(decrypted == plain)
    }

    @Test func pkcs1PaddingHasTheRightShape() throws {
        // With exponent 1 the "encryption" is the padded block itself: 00 02, non-zero padding, 00, message.
        let modulus = [UInt8](repeating: 0xFF, count: 128)
        let key = try HiLinkRSA.PublicKey(modulusHex: HiLinkHex.encode(modulus), exponentHex: "01")
        let block = try HiLinkRSA.pkcs1v15(Array("hello".utf8), key: key)
        #expect(block.count == 128)
        #expect(block[0] == 0 && block[1] == 2)
        #expect(block[2..<(128 - 6)].allSatisfy { $0 != 0 })
        #expect(block[128 - 6] == 0)
        #expect(Array(block.suffix(5)) == Array("hello".utf8))
    }

    @Test func refusesBadKeys() {
        #expect(throws: HiLinkRSA.Failure.self) { try HiLinkRSA.PublicKey(modulusHex: "zz", exponentHex: "010001") }
        #expect(throws: HiLinkRSA.Failure.self) { try HiLinkRSA.PublicKey(modulusHex: "c3", exponentHex: "010001") }
        #expect(throws: HiLinkRSA.Failure.self) { try HiLinkRSA.PublicKey(modulusHex: String(repeating: "f", count: 256), exponentHex: "00") }
    }
}
