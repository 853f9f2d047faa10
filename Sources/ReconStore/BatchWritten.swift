/// What one write transaction did: the subject rows it changed, and the time its last
/// statement spent handing the batch's credit to the outbox (`CreditOutbox.handOver`), which
/// the benchmark counts as settlement's cost on the night.
struct BatchWritten: Sendable {
    var rows = 0
    var handoverMicros: Int64 = 0

    static func + (lhs: BatchWritten, rhs: BatchWritten) -> BatchWritten {
        BatchWritten(rows: lhs.rows + rhs.rows, handoverMicros: lhs.handoverMicros + rhs.handoverMicros)
    }
}
