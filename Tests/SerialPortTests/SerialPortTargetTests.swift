import Testing

/// All tests of this target, run one at a time: the descriptor-leak test counts the process's
/// open descriptors, which tests running in parallel would change.
@Suite(.serialized) enum SerialPortTargetTests {}
