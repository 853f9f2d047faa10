import ReconRules

/// What one write transaction commits: decisions of subjects that may have a stored row, those
/// of subjects that have none, and rejected rows. The unit the night's writer queues and
/// `DecisionWriter` writes, so a subject's status, reasons and grant commit together.
struct WriteBatch {
    /// Subjects with a stored row (or that may have one): staged, and only what differs changes.
    var decisions: [Decision] = []
    /// Subjects the run found no stored row for: copied straight in.
    var newSubjects: [Decision] = []
    var rejections: [Rejection] = []

    var isEmpty: Bool { decisions.isEmpty && newSubjects.isEmpty && rejections.isEmpty }

    /// The batch's size against `batchSize`: a new subject costs a `newSubjectFactor`-th of a
    /// stored one (it is copied in, not staged and compared).
    func weight(newSubjectFactor: Int) -> Int {
        decisions.count + newSubjects.count / max(newSubjectFactor, 1)
    }
}
