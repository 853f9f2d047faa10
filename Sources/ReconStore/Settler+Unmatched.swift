import Exact
import PGClient
import ReconRules

extension Settler {
    /// Applications whose `credit_ref` is null or names no outbox entry (with `changedOnly`,
    /// only those that changed since they were seen). The live ones not yet recorded are
    /// recorded once (`no_ref`, `unknown_ref`), a batch per transaction; invalid ones are
    /// rejected like spend rows. Returns the live ones found that were not recorded yet, and
    /// the rows rejected.
    func recordUnmatched(changedOnly: Bool) throws -> (found: Int, rejected: Int) {
        var found: [CreditApplication] = []
        var seen = 0
        var rejections: [Rejection] = []
        var total = (found: 0, rejected: 0)
        func flush() throws {
            total.rejected += rejections.count
            if let runID, !found.isEmpty || !rejections.isEmpty {
                try writer.transaction {
                    try DecisionWriter.record(rejections, runID: runID, on: writer)
                    total.found += try insert(found, runID: runID)
                }
            } else if !found.isEmpty {
                total.found += try writer.execute("""
                    SELECT count(*) FROM unnest($1::int8[]) AS f(id)
                    WHERE NOT EXISTS (SELECT FROM recon.unmatched_applications u WHERE u.application_id = f.id)
                    """, [found.map(\.id)])[0].decode(0, as: Int.self)
            }
            found.removeAll(keepingCapacity: true)
            seen = 0
            rejections.removeAll()
        }
        try SettlementRead.unmatched(on: reader, changedOnly: changedOnly, rejected: { rejections.append($0) }) { application in
            seen += 1
            if application.isLive(asOf: asOf) { found.append(application) }
            if seen + rejections.count >= batchSize { try flush() }
        }
        try flush()
        return total
    }

    /// Records the applications not recorded yet; returns how many were.
    private func insert(_ applications: [CreditApplication], runID: Int64) throws -> Int {
        guard !applications.isEmpty else { return 0 }
        try writer.execute("""
            CREATE TEMP TABLE IF NOT EXISTS stage_unmatched (
                application_id bigint, credit_ref text, account_id bigint, currency text, amount numeric,
                applied_at timestamptz, reversed_at timestamptz
            )
            """)
        try writer.execute("TRUNCATE stage_unmatched")
        try writer.copyInBinary("COPY stage_unmatched FROM STDIN (FORMAT binary)") { w in
            for application in applications {
                try w.beginRow(fields: 7)
                w.int64(application.id)
                w.text(application.creditRef)
                w.int64(application.accountID)
                w.text(application.currency.code)
                w.numeric(minorUnits: application.amount, scale: application.currency.exponent)
                w.instant(application.appliedAt)
                w.instant(application.reversedAt)
            }
        }
        return try writer.execute("""
            INSERT INTO recon.unmatched_applications (application_id, credit_ref, account_id, currency, amount, applied_at,
                                                      reversed_at, problem, first_run_id)
            SELECT application_id, credit_ref, account_id, currency, amount, applied_at, reversed_at,
                   CASE WHEN credit_ref IS NULL THEN 'no_ref' ELSE 'unknown_ref' END, $1
            FROM stage_unmatched
            ON CONFLICT (application_id) DO NOTHING
            """, [runID]).affectedRows
    }
}
