import Foundation

/// Runs `background` on a thread of its own while `foreground` runs on this one, and returns
/// both results. It always waits for `background` to end, even when `foreground` throws, so
/// whatever `background` uses (a connection, handed over by `ThreadHandoff`) is free again when
/// this returns. Errors: the foreground's first, then the background's.
func concurrently<A, B>(_ background: @escaping () throws -> A, _ foreground: () throws -> B) throws -> (A, B) {
    let slot = ResultSlot<A>()
    let work = ThreadHandoff(background)
    let thread = Thread {
        slot.result = Result { try work.value() }
        slot.done.signal()
    }
    thread.name = "spend-recon.concurrently"
    thread.start()
    let foregroundResult = Result { try foreground() }
    slot.done.wait()
    let foregroundValue = try foregroundResult.get()
    guard let backgroundResult = slot.result else { preconditionFailure("background thread ended without a result") }
    return (try backgroundResult.get(), foregroundValue)
}

/// The background thread's result: written once before `done` is signalled, read after the
/// wait, which orders the two.
private final class ResultSlot<A>: @unchecked Sendable {
    var result: Result<A, Error>?
    let done = DispatchSemaphore(value: 0)
}
