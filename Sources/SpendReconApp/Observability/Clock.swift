import Exact
import Foundation
import ReconStore

extension Instant {
    /// The current instant from the system clock, at microsecond resolution.
    static var now: Instant {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Instant(microsecondsSinceEpoch: Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000)
    }
}

/// Microseconds on the monotonic clock, for durations and rates (the store's clock).
func monotonicMicroseconds() -> Int64 { MonotonicClock.microseconds() }
