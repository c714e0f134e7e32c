#if canImport(Glibc)
import Glibc
#endif

/// Runs blocking work (a commit, a driver's open, a lock file) on a detached thread of its own and resumes the caller
/// with its result, so that neither a thread of Swift's cooperative pool (one per core) nor the calling actor waits.
///
/// The one executor for blocking work of the OS adapters (`Ledger`, `SerialPort`). A thread that cannot be created
/// (`EAGAIN`: the unit's `TasksMax`, `RLIMIT_NPROC`) is reported and nothing runs: Foundation's `Thread` would not
/// say so, and the caller would wait forever.
public enum OwnThread {
    /// Why no thread ran the work: `pthread_create(3)`'s error number.
    public struct StartFailure: Error, Sendable, Equatable {
        /// The errno `pthread_create` returned.
        public var code: Int32
    }

    /// Runs `work` on a new detached thread; its result, or the reason no thread could be started.
    public static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> Result<T, StartFailure> {
        await withCheckedContinuation { continuation in
            let job = Job { continuation.resume(returning: .success(work())) }
            if let failure = job.start() {
                continuation.resume(returning: .failure(StartFailure(code: failure)))
            }
        }
    }

    /// One piece of work and the thread that runs it.
    private final class Job: Sendable {
        private let work: @Sendable () -> Void

        init(_ work: @escaping @Sendable () -> Void) {
            self.work = work
        }

        /// Starts the detached thread; pthread_create's error when it could not be created (then `work` never runs).
        func start() -> Int32? {
            var attributes = pthread_attr_t()
            pthread_attr_init(&attributes)
            defer { pthread_attr_destroy(&attributes) }
            pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
            var thread = pthread_t()
            // The retain is handed to the thread, which takes it back; if no thread starts, it is taken back here.
            let context = Unmanaged.passRetained(self).toOpaque()
            let result = pthread_create(&thread, &attributes, { raw in
                guard let raw else { return nil }
                Unmanaged<Job>.fromOpaque(raw).takeRetainedValue().work()
                return nil
            }, context)
            guard result == 0 else {
                Unmanaged<Job>.fromOpaque(context).release()
                return result
            }
            return nil
        }
    }
}
