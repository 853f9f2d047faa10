import Foundation
import ReconRules

/// One account's share of a spend stream: its valid rows, and the rows rejected since the
/// previous piece (an account whose rows were all rejected has no piece of its own, so its
/// rejections ride on the next one; a last piece without an account carries what is left).
struct SpendPiece {
    var accountID: Int64?
    var rows: [SpendRow]
    var rejections: [Rejection]
}

/// Hands pieces from a reading thread to the evaluating one, a chunk at a time. At most
/// `capacity` chunks wait, so memory stays bounded when evaluation is the slower side. Either
/// side can stop the other: the reader ends it (`finish`, with or without an error), the
/// evaluator cancels it (`cancel`), after which `put` throws and the reader stops its `COPY`.
/// Its mutable fields are used only under `condition`: hence `@unchecked Sendable`.
final class SpendPieceQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var chunks: [[SpendPiece]] = []
    private var head = 0
    private var finished = false
    private var failure: Error?
    private var cancelled = false
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
    }

    /// The evaluating side stopped reading.
    struct Cancelled: Error {}

    /// Queues a chunk, waiting while `capacity` chunks wait. Throws `Cancelled` once cancelled.
    func put(_ chunk: [SpendPiece]) throws {
        condition.lock()
        defer { condition.unlock() }
        while chunks.count - head >= capacity, !cancelled { condition.wait() }
        if cancelled { throw Cancelled() }
        chunks.append(chunk)
        condition.broadcast()
    }

    /// The reader is done: every chunk is queued, or it failed with `error`.
    func finish(_ error: Error?) {
        condition.lock()
        defer { condition.unlock() }
        finished = true
        failure = error
        condition.broadcast()
    }

    /// The next chunk, waiting for one; nil once the reader finished and every chunk was taken.
    /// Throws the reader's error (before any chunk left unread: the read is void anyway).
    func take() throws -> [SpendPiece]? {
        condition.lock()
        defer { condition.unlock() }
        while head == chunks.count, !finished { condition.wait() }
        if let failure { throw failure }
        guard head < chunks.count else { return nil }
        let chunk = chunks[head]
        chunks[head] = []
        head += 1
        if head >= 64, head * 2 >= chunks.count {
            chunks.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        return chunk
    }

    /// Stops the reader: a waiting or later `put` throws `Cancelled`.
    func cancel() {
        condition.lock()
        defer { condition.unlock() }
        cancelled = true
        chunks.removeAll()
        head = 0
        condition.broadcast()
    }
}
