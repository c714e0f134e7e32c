#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Provisioning

/// How often one caller may ask for a money operation (provision, voucher import, settlement).
public struct RateLimitPolicy: Codable, Sendable, Equatable {
    /// Operations refilled per minute, per caller uid.
    public var perMinute: Int
    /// Operations a caller may make at once after being idle.
    public var burst: Int

    /// Creates a policy.
    public init(perMinute: Int, burst: Int) {
        self.perMinute = perMinute
        self.burst = burst
    }

    /// 10 a minute with bursts of 5: a technician at the counter never meets it, a runaway script does.
    public static let `default` = RateLimitPolicy(perMinute: 10, burst: 5)
}

/// A token bucket per caller uid for money operations, checked before any ledger write or AT command.
///
/// Callers without peer credentials share one bucket (uid `nil`). Buckets idle long enough to be full are
/// dropped, so memory stays bounded by the callers of the last minutes.
public actor CallerRateLimiter {
    /// The outcome of asking for one token.
    public enum Decision: Sendable, Equatable {
        /// Go ahead.
        case allowed
        /// Refused; a token is available again after this many whole seconds (at least 1).
        case refused(retryAfterSeconds: Int)
    }

    private struct Bucket {
        var tokens: Double
        /// When the bucket was last refilled, as time since the limiter was made.
        var updated: Duration
    }

    private let policy: RateLimitPolicy
    private let stopwatch: ClockStopwatch
    private var buckets: [Int?: Bucket] = [:]

    /// Creates a limiter whose buckets refill by `clock`'s time (a test gives a clock it moves).
    public init(policy: RateLimitPolicy, clock: any Clock<Duration> = ContinuousClock()) {
        self.policy = RateLimitPolicy(perMinute: max(1, policy.perMinute), burst: max(1, policy.burst))
        self.stopwatch = ClockStopwatch(on: clock)
    }

    /// Takes one token from `uid`'s bucket, or says how long to wait.
    public func admit(uid: Int?) -> Decision {
        let instant = stopwatch.elapsed
        let rate = Double(policy.perMinute) / 60
        let capacity = Double(policy.burst)
        var bucket = buckets[uid] ?? Bucket(tokens: capacity, updated: instant)
        let elapsed = instant - bucket.updated
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        bucket.tokens = min(capacity, bucket.tokens + max(0, seconds) * rate)
        bucket.updated = instant
        defer { prune(at: instant, rate: rate, capacity: capacity) }
        // A hair of slack: refills are sums of floating-point fractions (1/6 token a second adds up to 0.999…).
        let slack = 1e-9
        if bucket.tokens >= 1 - slack {
            bucket.tokens = max(0, bucket.tokens - 1)
            buckets[uid] = bucket
            return .allowed
        }
        buckets[uid] = bucket
        let wait = (1 - bucket.tokens) / rate
        return .refused(retryAfterSeconds: max(1, Int((wait - slack).rounded(.up))))
    }

    /// Gives back the token `admit` took for an operation that did nothing (a voucher file refused whole): only what
    /// succeeded counts against the caller.
    public func refund(uid: Int?) {
        guard var bucket = buckets[uid] else { return }
        bucket.tokens = min(Double(policy.burst), bucket.tokens + 1)
        buckets[uid] = bucket
    }

    private func prune(at instant: Duration, rate: Double, capacity: Double) {
        guard buckets.count > 256 else { return }
        let full = Duration.seconds(capacity / rate)
        buckets = buckets.filter { instant - $0.value.updated < full }
    }
}
