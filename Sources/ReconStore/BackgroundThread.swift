import Foundation

/// The job's one way to run work on another thread: a named thread that runs one closure and is
/// joined for its result. `concurrently`, the split spend read and the background writer are
/// all built on it, so there is one place to read how a connection crosses a thread.
///
/// Connections are not `Sendable`, and Swift cannot see the ownership by turns the job relies
/// on: the closure's connection belongs to the thread from `init` until `join()` returns, and
/// the caller does not touch it meanwhile (every caller joins before using it again, also on
/// error paths). That is why the closure is boxed `@unchecked Sendable` here and nowhere else.
final class BackgroundThread<Value>: @unchecked Sendable {
    /// Written once by the thread before `done` is signalled, read after the wait: the
    /// semaphore orders the two.
    private var result: Result<Value, Error>?
    private let done = DispatchSemaphore(value: 0)
    private var joined = false

    init(name: String, _ work: @escaping () throws -> Value) {
        let lent = Lent(work)
        let thread = Thread { [self] in
            result = Result { try lent.value() }
            done.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Waits for the thread to end (once; later calls return at once) and returns its result.
    @discardableResult
    func join() -> Result<Value, Error> {
        if !joined {
            done.wait()
            joined = true
        }
        guard let result else { preconditionFailure("a background thread ended without a result") }
        return result
    }

    /// The closure and what it captures, owned by the thread until it is joined.
    private struct Lent<Work>: @unchecked Sendable {
        let value: Work
        init(_ value: Work) { self.value = value }
    }
}

/// Runs `background` on a thread of its own while `foreground` runs on this one, and returns
/// both results. It always waits for `background` to end, even when `foreground` throws, so
/// whatever `background` uses is free again when this returns. Errors: the foreground's first.
func concurrently<A, B>(_ background: @escaping () throws -> A, _ foreground: () throws -> B) throws -> (A, B) {
    let thread = BackgroundThread(name: "spend-recon.concurrently", background)
    let foregroundResult = Result { try foreground() }
    let backgroundResult = thread.join()
    let foregroundValue = try foregroundResult.get()
    return (try backgroundResult.get(), foregroundValue)
}
