import Exact
import PGClient
import ReconRules

extension Settler {
    /// Applications not yet recorded whose `credit_ref` is null or names no outbox entry. The
    /// live ones are recorded once (`no_ref`, `unknown_ref`), a batch per transaction; invalid
    /// ones are rejected like spend rows. Returns the live ones found and the rows rejected.
    func recordUnmatched() throws -> (found: Int, rejected: Int) {
        var found: [CreditApplication] = []
        var rejections: [Rejection] = []
        var total = (found: 0, rejected: 0)
        func flush() throws {
            total.found += found.count
            total.rejected += rejections.count
            if let runID, !found.isEmpty || !rejections.isEmpty {
                try writer.transaction {
                    try DecisionWriter.record(rejections, runID: runID, on: writer)
                    try insert(found, runID: runID)
                }
            }
            found.removeAll(keepingCapacity: true)
            rejections.removeAll()
        }
        try SettlementRead.unmatched(on: reader, unrecordedOnly: true, rejected: { rejections.append($0) }) { application in
            if application.isLive(asOf: asOf) { found.append(application) }
            if found.count + rejections.count >= batchSize { try flush() }
        }
        try flush()
        return total
    }

    private func insert(_ applications: [CreditApplication], runID: Int64) throws {
        guard !applications.isEmpty else { return }
        try writer.copyInBinary("""
            COPY recon.unmatched_applications (application_id, credit_ref, account_id, currency, amount, applied_at,
                                               reversed_at, problem, first_run_id) FROM STDIN (FORMAT binary)
            """) { w in
            for application in applications {
                try w.beginRow(fields: 9)
                w.int64(application.id)
                w.text(application.creditRef)
                w.int64(application.accountID)
                w.text(application.currency.code)
                w.numeric(minorUnits: application.amount, scale: application.currency.exponent)
                w.instant(application.appliedAt)
                w.instant(application.reversedAt)
                w.text(application.creditRef == nil ? "no_ref" : "unknown_ref")
                w.int64(runID)
            }
        }
    }
}
