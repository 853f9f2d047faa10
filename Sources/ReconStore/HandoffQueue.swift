import Foundation

/// A bounded queue between threads: spend pieces from a reading thread to the evaluating one,
/// decision batches from the evaluating thread to the writers. At most `capacity` elements wait,
/// so memory stays bounded whichever side is slower. Either side can stop the other: the
/// producer ends it (`finish`, with or without an error), a consumer cancels it (`cancel`),
/// after which `put` throws and the producer stops.
///
/// Its mutable fields are used only under `condition`: hence `@unchecked Sendable`.
final class HandoffQueue<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    /// Taken slots are emptied at once, so a taken element is not kept alive until compaction.
    private var elements: [Element?] = []
    private var head = 0
    private var finished = false
    private var failure: Error?
    private var cancelled = false
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
    }

    /// A consumer stopped taking, without an error of its own.
    struct Cancelled: Error {}

    /// Queues an element, waiting while `capacity` wait. Throws once cancelled: the error the
    /// consumer cancelled with, or `Cancelled`.
    func put(_ element: Element) throws {
        condition.lock()
        defer { condition.unlock() }
        while elements.count - head >= capacity, !cancelled { condition.wait() }
        if cancelled { throw failure ?? Cancelled() }
        elements.append(element)
        condition.broadcast()
    }

    /// The producer is done: every element is queued, or it failed with `error`.
    func finish(_ error: Error? = nil) {
        condition.lock()
        defer { condition.unlock() }
        finished = true
        if failure == nil { failure = error }
        condition.broadcast()
    }

    /// The next element, waiting for one; nil once the producer finished and every element was
    /// taken, or once cancelled. Throws the producer's error (before any element left unread:
    /// what it produced is void anyway).
    func take() throws -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while head == elements.count, !finished, !cancelled { condition.wait() }
        if cancelled { return nil }
        if let failure { throw failure }
        guard head < elements.count else { return nil }
        let element = elements[head]
        elements[head] = nil
        head += 1
        if head >= 64, head * 2 >= elements.count {
            elements.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        return element
    }

    /// Stops the queue from the consuming side: waiting elements are dropped, a waiting or later
    /// `put` throws `error` (or `Cancelled`), and every `take` returns nil.
    func cancel(_ error: Error? = nil) {
        condition.lock()
        defer { condition.unlock() }
        cancelled = true
        if failure == nil { failure = error }
        elements.removeAll()
        head = 0
        condition.broadcast()
    }
}
