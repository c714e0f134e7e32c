import CQREncode

/// A QR code symbol made by libqrencode: `size`×`size` modules, row-major, `true` is dark.
public struct QRSymbol: Sendable, Equatable {
    /// Modules per side (without the quiet zone).
    public let size: Int
    /// The modules, row-major.
    public let modules: [Bool]

    /// Why libqrencode made no symbol.
    public struct EncodingError: Error, Sendable, Equatable {
        /// How many bytes were given.
        public var bytes: Int
    }

    /// The symbol for `bytes` in byte mode at error-correction level M, the smallest version that holds them.
    ///
    /// Bytes beyond ASCII are announced as UTF-8 with an ECI header (designator 26): without it readers guess the
    /// encoding (ISO 8859-1 by the standard, Shift JIS by some heuristics) and a `Café` network name reads wrong.
    public init(encoding bytes: [UInt8]) throws(EncodingError) {
        guard !bytes.isEmpty, let input = QRinput_new2(0, QR_ECLEVEL_M) else { throw EncodingError(bytes: bytes.count) }
        defer { QRinput_free(input) }
        if bytes.contains(where: { $0 >= 0x80 }), QRinput_appendECIheader(input, 26) != 0 {
            throw EncodingError(bytes: bytes.count)
        }
        let appended = bytes.withUnsafeBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            return QRinput_append(input, QR_MODE_8, Int32(buffer.count), base)
        }
        guard appended == 0, let made = QRcode_encodeInput(input) else { throw EncodingError(bytes: bytes.count) }
        defer { QRcode_free(made) }
        let width = Int(made.pointee.width)
        guard width > 0, let data = made.pointee.data else { throw EncodingError(bytes: bytes.count) }
        size = width
        // Bit 0 of each byte is the module's colour (1 dark); the other bits say what kind of module it is.
        modules = (0..<width * width).map { data[$0] & 1 == 1 }
    }

    /// Whether the module at `row`, `column` is dark.
    public func isDark(row: Int, column: Int) -> Bool { modules[row * size + column] }
}
