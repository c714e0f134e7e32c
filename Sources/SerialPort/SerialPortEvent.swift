/// What a serial port's reader thread reports, in order.
///
/// The stream ends after `.gone` (reported exactly once) or after the port is closed by its owner.
public enum SerialPortEvent: Sendable, Equatable {
    /// Bytes read from the device, at most `SerialPortOptions.readChunkSize` per event.
    case bytes([UInt8])
    /// The device went away (end of file, EIO, POLLHUP/POLLERR) or reading failed for good.
    case gone(SerialPortError)
}
