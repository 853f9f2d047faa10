import ReconRules

/// Writes decision batches on threads of their own, so that the database commits one batch
/// while the job reads and evaluates the next accounts (the first night's writes took a third of
/// its time when they stopped the read). Each batch is one transaction; at most `capacity`
/// wait, so memory stays bounded when writing is the slower side.
///
/// With several writers (each on its own connection), each takes the next waiting batch, so up
/// to that many batches commit at once. Batches are independent transactions over distinct
/// subjects; the unique constraints still forbid a second grant across them. One writer alone
/// sets the pace of a later night: much of a batch's time is waiting for its round trips and
/// for a core, which a second connection overlaps.
///
/// Each writer's connection belongs to its thread until `finish()` or `abandon()` returns.
final class BackgroundWriter {
    private let queue: HandoffQueue<WriteBatch>
    private var threads: [BackgroundThread<(written: BatchWritten, micros: Int64)>] = []

    init(writers: [DecisionWriter], capacity: Int = 2) {
        precondition(!writers.isEmpty, "a background writer needs a decision writer")
        let queue = HandoffQueue<WriteBatch>(capacity: max(capacity, writers.count))
        self.queue = queue
        threads = writers.enumerated().map { index, writer in
            BackgroundThread(name: "spend-recon.writer.\(index)") { try Self.loop(writer, queue) }
        }
    }

    /// Queues a batch; waits while `capacity` batches wait. Throws the error a batch failed
    /// with, so the read stops at the first failed write.
    func submit(_ batch: WriteBatch) throws {
        try queue.put(batch)
    }

    /// Waits until every queued batch is written; returns what the batches did and the time
    /// spent writing (both summed over the writers), or throws the first write error.
    func finish() throws -> (written: BatchWritten, writeMicros: Int64) {
        queue.finish()
        var written = BatchWritten()
        var micros: Int64 = 0
        var failure: Error?
        for thread in threads {
            switch thread.join() {
            case let .success(totals):
                written = written + totals.written
                micros += totals.micros
            case let .failure(error):
                if failure == nil { failure = error }
            }
        }
        if let failure { throw failure }
        return (written, micros)
    }

    /// Drops the batches not yet started and waits for those being written (each transaction
    /// commits or rolls back as a whole), so the connections are free again. For error paths.
    func abandon() {
        queue.cancel()
        for thread in threads { thread.join() }
    }

    /// One writer's thread: batches until the queue ends; a failed batch cancels the queue with
    /// its error, which stops the other writers and the submitting side.
    private static func loop(_ writer: DecisionWriter, _ queue: HandoffQueue<WriteBatch>) throws -> (written: BatchWritten, micros: Int64) {
        var written = BatchWritten()
        var micros: Int64 = 0
        while let batch = try queue.take() {
            let start = MonotonicClock.microseconds()
            do {
                written = written + (try writer.write(batch))
            } catch {
                queue.cancel(error)
                throw error
            }
            micros += MonotonicClock.microseconds() - start
        }
        return (written, micros)
    }
}
