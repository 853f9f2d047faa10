import Synchronization

/// A request to stop a run at its next batch boundary, set from a signal handler (SIGTERM from
/// systemd or a timeout, SIGINT from a terminal) and read by the run between accounts. What was
/// committed stays; the batch being built is dropped, so nothing is half-written; the run is
/// recorded `cancelled` and the next one completes the work.
public final class StopRequest: Sendable {
    private let signal = Mutex<Int32?>(nil)

    public init() {}

    /// Records the first signal; later ones do not replace it.
    public func request(signal number: Int32) {
        signal.withLock { if $0 == nil { $0 = number } }
    }

    /// The signal that asked to stop, if one did.
    public var requested: Int32? { signal.withLock { $0 } }

    /// Throws `RunCancelled` once a stop was requested.
    func check() throws {
        if let number = requested { throw RunCancelled(signal: number) }
    }
}

/// A run stopped on request (`StopRequest`): exit 128 + the signal's number (143, 130).
public struct RunCancelled: Error, CustomStringConvertible {
    public let signal: Int32

    public var description: String {
        "stopped by \(signal == 15 ? "SIGTERM" : signal == 2 ? "SIGINT" : "signal \(signal)") at a batch boundary"
    }
}
