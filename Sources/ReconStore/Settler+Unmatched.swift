import Exact
import PGClient
import ReconRules

extension Settler {
    /// Applications whose `credit_ref` is null or names no outbox entry (with `changedSince`,
    /// only those that changed since they were seen). The live ones not yet recorded are
    /// recorded once (`no_ref`, `unknown_ref`), a batch per transaction, and every one is
    /// remembered as seen; invalid ones are rejected like spend rows. Returns the live ones
    /// found that were not recorded yet, and the rows rejected.
    func recordUnmatched(changedSince since: Instant?) throws -> (found: Int, rejected: Int) {
        var found: [CreditApplication] = []
        var ids: [Int64] = []
        var rejections: [Rejection] = []
        var total = (found: 0, rejected: 0)
        func flush() throws {
            total.rejected += rejections.count
            if let runID {
                try writer.transaction {
                    try DecisionWriter.record(rejections, runID: runID, on: writer)
                    total.found += try insert(found, runID: runID)
                    if since != nil, !ids.isEmpty { try see(unmatched: ids) }
                }
            } else {
                total.found += try writer.execute("""
                    SELECT count(*) FROM unnest($1::int8[]) AS f(id)
                    WHERE NOT EXISTS (SELECT FROM recon.unmatched_applications u WHERE u.application_id = f.id)
                    """, [found.map(\.id)])[0].decode(0, as: Int.self)
            }
            found.removeAll(keepingCapacity: true)
            ids.removeAll(keepingCapacity: true)
            rejections.removeAll()
        }
        try SettlementRead.unmatched(on: reader, changedSince: since, asOf: asOf, rejected: { rejections.append($0) }) { application in
            ids.append(application.id)
            if application.isLive(asOf: asOf) { found.append(application) }
            if ids.count + rejections.count >= batchSize { try flush() }
        }
        try flush()
        if runID != nil, since != nil {
            // Unmatched applications that went from billing are forgotten (matched ones go
            // with their entry's next settlement).
            try writer.execute("""
                DELETE FROM recon.seen_applications s WHERE NOT s.matched
                  AND NOT EXISTS (SELECT FROM billing.credit_applications a WHERE a.application_id = s.application_id)
                """)
        }
        return total
    }

    private func see(unmatched ids: [Int64]) throws {
        try writer.execute("""
            INSERT INTO recon.seen_applications (application_id, credit_ref, account_id, currency, amount, applied_at,
                                                 reversed_at, matched)
            SELECT a.application_id, a.credit_ref, a.account_id, a.currency, a.amount, a.applied_at, a.reversed_at, false
            FROM billing.credit_applications a WHERE a.application_id = ANY ($1::int8[])
            ON CONFLICT (application_id) DO UPDATE SET credit_ref = EXCLUDED.credit_ref, account_id = EXCLUDED.account_id,
                currency = EXCLUDED.currency, amount = EXCLUDED.amount, applied_at = EXCLUDED.applied_at,
                reversed_at = EXCLUDED.reversed_at, matched = false
            """, [ids])
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
