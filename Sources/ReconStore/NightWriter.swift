import ReconRules

/// The write stage of a night: takes each decision as the pass makes it, counts it for the
/// summary, sorts it into the current `WriteBatch` by where the subject stands (no stored row,
/// open, final) and hands full batches to the `BackgroundWriter`. A dry run has no background
/// writer and only counts.
struct NightWriter: DecisionSink {
    private let writer: BackgroundWriter?
    private let stored: StoredSubjects
    /// Subjects per write transaction, for subjects with a stored row; new subjects go
    /// `newSubjectFactor` times as many to a transaction.
    let batchSize: Int
    /// New subjects (all of a first night's) are copied straight in, three `COPY`s a batch, and
    /// each `COPY` has a fixed cost on the server, so they go several times as many to a batch,
    /// for a little more memory held in the batches waiting to be written.
    let newSubjectFactor: Int
    private var batch = WriteBatch()
    private var digestInput = DecisionDigest.Input()
    private(set) var summary: RunSummary
    private var credit: [Currency: Int64] = [:]

    init(writer: BackgroundWriter?, stored: StoredSubjects, summary: RunSummary, batchSize: Int, newSubjectFactor: Int) {
        self.writer = writer
        self.stored = stored
        self.summary = summary
        self.batchSize = batchSize
        self.newSubjectFactor = newSubjectFactor
    }

    mutating func decided(_ decision: consuming Decision) throws {
        let decision = decision
        summary.evaluated += 1
        summary.statuses[decision.status.rawValue, default: 0] += 1
        if decision.status == .granted, let tier = decision.tier {
            credit[tier.currency, default: 0] += tier.credit
        }
        switch stored.standing(of: decision.subject) {
        case .absent:
            batch.newSubjects.append(decision)
        case let .open(row):
            // An open subject still pending exactly as stored (a pending decision has no
            // reasons, and the columns digested include its status) is left as it is:
            // rewriting it would only move `as_of` (docs/DECISIONS.md).
            if let digest = row.digest, decision.status == .pending, decision.reasons.isEmpty,
               DecisionDigest(of: decision, using: &digestInput) == digest {
                summary.unchanged += 1
                return
            }
            batch.decisions.append(decision)
        case .final:
            // Never evaluated on a night (final subjects are skipped); written, it would meet
            // the stored row rather than be inserted beside it.
            batch.decisions.append(decision)
        }
        if batch.weight(newSubjectFactor: newSubjectFactor) >= batchSize {
            try flush()
        }
    }

    mutating func rejected(_ rejection: Rejection) throws {
        batch.rejections.append(rejection)
    }

    /// Submits what is left and waits for every batch to commit; the summary then has the rows
    /// written and the time spent writing.
    mutating func finish() throws -> RunSummary {
        try flush()
        if let writer {
            let (written, writeMicros) = try writer.finish()
            summary.written = written.rows
            summary.writeMilliseconds = writeMicros / 1000
            summary.handoverMilliseconds = written.handoverMicros / 1000
        }
        summary.creditGranted = Dictionary(uniqueKeysWithValues: credit.map { ($0.key.code, $0.key.format($0.value)) })
        return summary
    }

    private mutating func flush() throws {
        // A dry run keeps nothing: the batch was only counted.
        if let writer, !batch.isEmpty { try writer.submit(batch) }
        // The next batch grows to the same size: keep the capacity.
        batch.decisions.removeAll(keepingCapacity: true)
        batch.newSubjects.removeAll(keepingCapacity: true)
        batch.rejections.removeAll()
    }
}
