import Testing

/// Every end-to-end suite runs inside this one, one test at a time: they spawn processes, open ptys and count this
/// process's descriptors and memory, which other suites running alongside would disturb.
@Suite(.serialized) enum EndToEnd {}
