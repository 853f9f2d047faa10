import Foundation
import ReconRules

/// Writes decision batches on a thread of its own, so that the database commits one batch while
/// the job reads and evaluates the next accounts (the first night's writes took a third of its
/// time when they stopped the read). Batches are written in the order submitted, each in one
/// transaction as before; at most `capacity` wait, so memory stays bounded when writing is the
/// slower side.
///
/// With several writers (each on its own connection), each takes the next waiting batch, so up
/// to that many batches commit at once. Batches are independent transactions over distinct
/// subjects; the unique constraints still forbid a second grant across them. One writer alone
/// sets the pace of a later night: much of a batch's time is waiting for its round trips and
/// for a core, which a second connection overlaps.
///
/// Each `DecisionWriter`'s connection belongs to its writer thread from the first `submit` until
/// `finish()` or `abandon()` returns; nothing else may use it in between.
///
/// Every mutable field is read and written only while holding `condition`, which is what makes
/// sharing the writer with its threads safe (`@unchecked Sendable`).
final class BackgroundWriter: @unchecked Sendable {
    private let capacity: Int
    private let condition = NSCondition()
    private var queue: [(decisions: [Decision], newSubjects: [Decision], rejections: [Rejection])] = []
    private var closed = false
    private var running: Int
    private var failure: Error?
    private var written = 0
    private var writeMicros: Int64 = 0

    init(writers: [DecisionWriter], capacity: Int = 2) {
        precondition(!writers.isEmpty, "a background writer needs a decision writer")
        self.capacity = max(capacity, writers.count, 1)
        running = writers.count
        for (index, writer) in writers.enumerated() {
            let lent = ThreadHandoff(writer)
            let thread = Thread { [self] in loop(lent.value) }
            thread.name = "spend-recon.writer.\(index)"
            thread.start()
        }
    }

    /// Queues a batch; waits while `capacity` batches are waiting. Throws the error a previous
    /// batch failed with, so the read stops at the first failed write.
    func submit(_ decisions: [Decision], newSubjects: [Decision] = [],
                rejections: [Rejection]) throws {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= capacity, failure == nil { condition.wait() }
        if let failure { throw failure }
        queue.append((decisions, newSubjects, rejections))
        condition.broadcast()
    }

    /// Waits until every queued batch is written; returns the subject rows changed and the time
    /// spent writing (summed over the writers), or throws the first write error.
    func finish() throws -> (written: Int, writeMicros: Int64) {
        condition.lock()
        defer { condition.unlock() }
        closed = true
        condition.broadcast()
        while running > 0 { condition.wait() }
        if let failure { throw failure }
        return (written, writeMicros)
    }

    /// Drops the batches not yet started and waits for those being written (each transaction
    /// commits or rolls back as a whole), so the connections are free again. For error paths.
    func abandon() {
        condition.lock()
        defer { condition.unlock() }
        queue.removeAll()
        closed = true
        condition.broadcast()
        while running > 0 { condition.wait() }
    }

    private func loop(_ writer: DecisionWriter) {
        while true {
            condition.lock()
            while queue.isEmpty, !closed { condition.wait() }
            guard !queue.isEmpty, failure == nil else {
                running -= 1
                condition.broadcast()
                condition.unlock()
                return
            }
            let batch = queue.removeFirst()
            condition.unlock()

            let start = MonotonicClock.microseconds()
            let outcome = Result {
                try writer.write(batch.decisions, newSubjects: batch.newSubjects,
                                 rejections: batch.rejections)
            }
            let micros = MonotonicClock.microseconds() - start

            condition.lock()
            switch outcome {
            case let .success(changed):
                written += changed
                writeMicros += micros
            case let .failure(error):
                failure = error
                queue.removeAll()
            }
            condition.broadcast()
            condition.unlock()
        }
    }
}
