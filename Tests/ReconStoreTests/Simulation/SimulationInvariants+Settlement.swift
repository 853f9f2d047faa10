import Foundation
import PGClient

/// SPEC section 8's promises, checked from the outside in SQL: the outbox holds exactly one
/// entry per grant and adjustment with its amount, and every settlement is what the rules give
/// as of the latest night, recomputed here independently of the engine.
extension SimulationInvariants {
    static let outboxCheck = (name: "exactly one outbox entry per grant and per adjustment, as it was written", sql: """
        WITH owed AS (
            SELECT 'grant:' || grant_id AS credit_ref, 'grant' AS kind, credit AS amount, account_id, due_by, program_id,
                   subject_key, subject, currency, expires_at, payment_mode, run_id
            FROM recon.credit_grants
            UNION ALL
            SELECT 'adjustment:' || a.adjustment_id, 'adjustment', a.credit_delta, g.account_id,
                   a.created_at + make_interval(days => p.grant_sla_days), a.program_id, a.subject_key, g.subject, a.currency,
                   g.expires_at, g.payment_mode, a.run_id
            FROM recon.adjustments a JOIN recon.credit_grants g USING (grant_id) JOIN recon.programs p ON p.program_id = a.program_id
        )
        SELECT coalesce(w.credit_ref, o.credit_ref) || ' owed ' || coalesce(w.amount::text, '-') || ' handed over '
               || coalesce(o.amount::text, '-')
        FROM owed w FULL JOIN recon.credit_outbox o ON o.credit_ref = w.credit_ref
        WHERE w.credit_ref IS NULL OR o.credit_ref IS NULL
           OR (o.kind, o.amount, o.account_id, o.due_by, o.program_id, o.subject_key, o.subject, o.currency, o.expires_at,
               o.payment_mode, o.run_id)
              IS DISTINCT FROM (w.kind, w.amount, w.account_id, w.due_by, w.program_id, w.subject_key, w.subject, w.currency,
                                w.expires_at, w.payment_mode, w.run_id)
        UNION ALL
        SELECT 'position ' || position || ' twice' FROM recon.credit_outbox GROUP BY position HAVING count(*) > 1
        """)

    static let settlementChecks: [(name: String, sql: String)] = [
        ("the kept settlement totals equal the settlements counted", """
            SELECT coalesce(t.status, c.status) || ' ' || coalesce(t.currency, c.currency) || ' kept '
                   || coalesce(t.entries || ' / ' || t.amount, '-') || ' counted ' || coalesce(c.entries || ' / ' || c.amount, '-')
            FROM (SELECT * FROM recon.settlement_totals WHERE entries <> 0 OR amount <> 0) t
            FULL JOIN (SELECT status, currency, count(*) AS entries, sum(amount) AS amount FROM recon.credit_settlements
                       GROUP BY 1, 2) c ON c.status = t.status AND c.currency = t.currency
            WHERE t.status IS NULL OR c.status IS NULL OR t.entries <> c.entries OR t.amount <> c.amount
            """),
        ("every settlement is the rules' as of the latest night", """
            WITH night AS (
                SELECT as_of FROM recon.runs WHERE kind = 'run' AND status = 'succeeded' ORDER BY run_id DESC LIMIT 1
            ), live AS (
                SELECT a.* FROM billing.credit_applications a, night
                WHERE a.applied_at <= night.as_of AND (a.reversed_at IS NULL OR a.reversed_at > night.as_of)
                  AND NOT EXISTS (SELECT FROM recon.rejected_rows r
                                  WHERE r.source_table = 'credit_applications' AND r.source_key = a.application_id::text)
            ), summed AS (
                SELECT o.credit_ref, o.amount, o.due_by, count(l.application_id) AS n,
                       coalesce(sum(l.amount) FILTER (WHERE l.account_id = o.account_id AND l.currency = o.currency), 0) AS applied,
                       max(l.applied_at) AS latest,
                       coalesce(bool_or(l.applied_at >= o.expires_at), false) AS after_expiry,
                       coalesce(bool_or(l.account_id <> o.account_id), false) AS wrong_account,
                       coalesce(bool_or(l.currency <> o.currency), false) AS wrong_currency
                FROM recon.credit_outbox o LEFT JOIN live l ON l.credit_ref = o.credit_ref
                GROUP BY o.credit_ref, o.amount, o.due_by
            ), expected AS (
                SELECT s.*, concat_ws(';',
                           CASE WHEN n > 0 AND after_expiry THEN 'after_expiry' END,
                           CASE WHEN n > 0 AND applied > amount THEN 'amount_over' END,
                           CASE WHEN n > 0 AND applied < amount THEN 'amount_short' END,
                           CASE WHEN n > 1 THEN 'duplicate' END,
                           CASE WHEN latest > due_by THEN 'late' END,
                           CASE WHEN wrong_account THEN 'wrong_account' END,
                           CASE WHEN wrong_currency THEN 'wrong_currency' END) AS issues
                FROM summed s
            )
            SELECT e.credit_ref || ' expected ' || x.status || ' (' || e.issues || ') applied ' || e.applied || ' x' || e.n
                   || ', stored ' || coalesce(c.status || ' (' || c.issues || ') applied ' || c.applied_amount || ' x'
                                              || c.live_applications, 'nothing')
            FROM expected e CROSS JOIN night
            CROSS JOIN LATERAL (SELECT CASE WHEN e.n = 0 THEN CASE WHEN night.as_of < e.due_by THEN 'awaiting' ELSE 'overdue' END
                                            WHEN e.issues = '' THEN 'settled' WHEN e.issues = 'late' THEN 'settled_late'
                                            ELSE 'mismatch' END AS status) x
            LEFT JOIN recon.credit_settlements c ON c.credit_ref = e.credit_ref
            WHERE c.credit_ref IS NULL OR c.status <> x.status OR c.issues <> e.issues OR c.applied_amount <> e.applied
               OR c.applied_at IS DISTINCT FROM e.latest OR c.live_applications <> e.n
            """),
        ("every live application naming no entry is recorded unmatched once, and only those", """
            WITH night AS (
                SELECT as_of FROM recon.runs WHERE kind = 'run' AND status = 'succeeded' ORDER BY run_id DESC LIMIT 1
            ), unmatched AS (
                SELECT a.application_id,
                       CASE WHEN a.credit_ref IS NULL THEN 'no_ref' ELSE 'unknown_ref' END AS problem
                FROM billing.credit_applications a, night
                WHERE a.applied_at <= night.as_of AND (a.reversed_at IS NULL OR a.reversed_at > night.as_of)
                  AND (a.credit_ref IS NULL OR NOT EXISTS (SELECT FROM recon.credit_outbox o WHERE o.credit_ref = a.credit_ref))
                  AND NOT EXISTS (SELECT FROM recon.rejected_rows r
                                  WHERE r.source_table = 'credit_applications' AND r.source_key = a.application_id::text)
            )
            SELECT 'application ' || coalesce(x.application_id, u.application_id) || ' expected '
                   || coalesce(x.problem, 'nothing') || ' recorded ' || coalesce(u.problem, 'nothing')
            FROM unmatched x FULL JOIN recon.unmatched_applications u ON u.application_id = x.application_id
            WHERE x.application_id IS NULL OR u.application_id IS NULL OR x.problem <> u.problem
            """),
    ]

    static func settlementViolations(_ db: Connection) throws -> [String] {
        var found: [String] = []
        for check in settlementChecks {
            let rows = try db.execute(check.sql).rows.map { try $0.decode(0, as: String.self) }
            if !rows.isEmpty { found.append("\(check.name): \(rows.prefix(5).joined(separator: " | "))") }
        }
        return found
    }
}
