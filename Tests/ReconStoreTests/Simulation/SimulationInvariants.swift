import Foundation
import PGClient

/// The promises of the job, each as one SQL query returning the rows that break it (so an
/// empty answer is a pass, and a failure shows the offending rows). They read `billing` and
/// `recon` only, never the engine's own code, so they check the engine from the outside.
enum SimulationInvariants {
    static let checks: [(name: String, sql: String)] = [
        ("at most one grant per subject, account and merchant in a program", """
            SELECT 'subject ' || program_id || ' ' || subject_key FROM recon.credit_grants GROUP BY program_id, subject_key HAVING count(*) > 1
            UNION ALL SELECT 'account ' || program_id || ' ' || account_id FROM recon.credit_grants GROUP BY program_id, account_id HAVING count(*) > 1
            UNION ALL SELECT 'merchant ' || program_id || ' ' || merchant_id FROM recon.credit_grants WHERE merchant_id IS NOT NULL
                      GROUP BY program_id, partner, merchant_id HAVING count(*) > 1
            UNION ALL SELECT 'granted statuses on account ' || program_id || ' ' || account_id FROM recon.subject_status
                      WHERE status = 'granted' GROUP BY program_id, account_id HAVING count(*) > 1
            UNION ALL SELECT 'granted statuses of merchant ' || program_id || ' ' || merchant_id FROM recon.subject_status
                      WHERE status = 'granted' AND merchant_id IS NOT NULL GROUP BY program_id, partner, merchant_id HAVING count(*) > 1
            """),
        ("each grant's credit and currency are its tier's", """
            SELECT g.program_id || ' ' || g.subject_key || ' tier ' || g.tier || ' credit ' || g.credit || ' ' || g.currency
            FROM recon.credit_grants g
            LEFT JOIN recon.program_tiers t ON t.program_id = g.program_id AND t.country = g.country AND t.tier = g.tier
            WHERE t.credit IS DISTINCT FROM g.credit OR t.currency IS DISTINCT FROM g.currency
            """),
        ("a grant exactly when the status is granted, with the same tier, credit and spend", """
            SELECT coalesce(s.program_id, g.program_id) || ' ' || coalesce(s.subject_key, g.subject_key)
            FROM (SELECT * FROM recon.subject_status WHERE status = 'granted') s
            FULL JOIN recon.credit_grants g ON g.program_id = s.program_id AND g.subject_key = s.subject_key
            LEFT JOIN LATERAL (SELECT max(a.to_tier) AS tier, sum(a.credit_delta) AS credit
                               FROM recon.adjustments a WHERE a.grant_id = g.grant_id) adj ON true
            WHERE s.subject_key IS NULL OR g.subject_key IS NULL OR s.tier <> coalesce(adj.tier, g.tier)
               OR s.credit <> g.credit + coalesce(adj.credit, 0)
               OR (adj.tier IS NULL AND s.qualifying_spend <> g.qualifying_spend) OR s.account_id <> g.account_id
            """),
        ("reasons exactly when ineligible", """
            SELECT s.program_id || ' ' || s.subject_key || ' ' || s.status FROM recon.subject_status s
            WHERE (s.status = 'ineligible') <> EXISTS (SELECT 1 FROM recon.ineligibility_reasons r
                                                       WHERE r.program_id = s.program_id AND r.subject_key = s.subject_key)
            """),
        ("no reason without its subject (no foreign key since migration 006)", """
            SELECT r.program_id || ' ' || r.subject_key || ' ' || r.reason FROM recon.ineligibility_reasons r
            WHERE NOT EXISTS (SELECT 1 FROM recon.subject_status s
                              WHERE s.program_id = r.program_id AND s.subject_key = r.subject_key)
            """),
        ("a granted tier's threshold is reached and the next one is not", """
            SELECT s.program_id || ' ' || s.subject_key || ' spend ' || s.qualifying_spend || ' tier ' || s.tier
            FROM recon.subject_status s
            JOIN recon.program_tiers t ON t.program_id = s.program_id AND t.country = s.country AND t.tier = s.tier
            LEFT JOIN recon.program_tiers n ON n.program_id = s.program_id AND n.country = s.country AND n.tier = s.tier + 1
            WHERE s.status = 'granted' AND (s.qualifying_spend < t.threshold
               OR (s.final AND s.decided_at >= s.cutoff AND n.threshold IS NOT NULL AND s.qualifying_spend >= n.threshold))
            """),
        ("qualifying spend equals the sum of the rows that counted", """
            SELECT s.program_id || ' ' || s.subject_key || ' stored ' || s.qualifying_spend || ' rows ' || coalesce(x.total, 0)
            FROM recon.subject_status s
            LEFT JOIN LATERAL (
                SELECT sum(q) AS total FROM (
                    SELECT b.amount - b.tax_amount - b.credit_amount AS q FROM billing.billed_spend b
                    WHERE b.account_id = s.account_id AND b.spend_at >= s.window_start AND b.spend_at < s.window_end
                      AND b.spend_at <= s.as_of AND b.paid_at <= s.as_of AND b.paid_at < s.cutoff
                      AND NOT EXISTS (SELECT 1 FROM recon.rejected_rows r
                                      WHERE r.source_table = 'billed_spend' AND r.source_key = b.bill_id::text)
                    UNION ALL
                    SELECT t.amount - t.tax_amount - t.credit_amount FROM billing.topup_consumption t
                    WHERE t.account_id = s.account_id AND t.consumed_at >= s.window_start AND t.consumed_at < s.window_end
                      AND t.consumed_at <= s.as_of
                      AND NOT EXISTS (SELECT 1 FROM recon.rejected_rows r
                                      WHERE r.source_table = 'topup_consumption' AND r.source_key = t.consumption_id::text)
                ) counted
            ) x ON true
            WHERE s.window_start IS NOT NULL AND s.qualifying_spend <> coalesce(x.total, 0)
            """),
        ("no bad row counts: every row in a subject's window that breaks the contract is rejected", """
            WITH rows AS (
                SELECT 'billed_spend' AS source_table, bill_id AS id, account_id, currency, spend_at AS at,
                       amount, tax_amount, credit_amount FROM billing.billed_spend
                UNION ALL
                SELECT 'topup_consumption', consumption_id, account_id, currency, consumed_at,
                       amount, tax_amount, credit_amount FROM billing.topup_consumption
            )
            SELECT x.source_table || ' ' || x.id FROM rows x
            JOIN recon.subject_status s ON s.account_id = x.account_id
            JOIN billing.ad_accounts a ON a.account_id = x.account_id
            WHERE x.at >= s.window_start AND x.at < s.window_end AND x.at <= s.as_of
              AND (x.amount IS NULL OR x.tax_amount IS NULL OR x.credit_amount IS NULL OR x.amount = 'NaN'
                   OR x.amount < 0 OR x.tax_amount < 0 OR x.credit_amount < 0 OR x.tax_amount + x.credit_amount > x.amount
                   OR x.currency IS DISTINCT FROM a.currency
                   OR scale(x.amount) > CASE x.currency WHEN 'JPY' THEN 0 WHEN 'KWD' THEN 3 ELSE 2 END)
              AND NOT EXISTS (SELECT 1 FROM recon.rejected_rows r
                              WHERE r.source_table = x.source_table AND r.source_key = x.id::text)
            """),
        ("every written run_id names a recorded run (no foreign key since migration 003)", """
            SELECT 'subject_status ' || run_id FROM recon.subject_status s
            WHERE NOT EXISTS (SELECT 1 FROM recon.runs r WHERE r.run_id = s.run_id)
            UNION ALL
            SELECT 'credit_grants ' || run_id FROM recon.credit_grants g
            WHERE NOT EXISTS (SELECT 1 FROM recon.runs r WHERE r.run_id = g.run_id)
            UNION ALL
            SELECT 'ineligibility_reasons ' || run_id FROM recon.ineligibility_reasons i
            WHERE NOT EXISTS (SELECT 1 FROM recon.runs r WHERE r.run_id = i.run_id)
            """),
        ("no run left running, none failed", """
            SELECT run_id || ' ' || status FROM recon.runs WHERE status <> 'succeeded'
            """),
        outboxCheck,
    ]

    /// The broken rows of every check, named; empty when every promise holds.
    /// `includingRuns: false` after a deliberate kill, whose run record stays `running` until
    /// the next run marks it abandoned.
    static func violations(_ db: Connection, includingRuns: Bool = true, excluding: Set<String> = []) throws -> [String] {
        var found: [String] = []
        for check in checks where (includingRuns || !check.name.hasPrefix("no run left")) && !excluding.contains(check.name) {
            let rows = try db.execute(check.sql).rows.map { try $0.decode(0, as: String.self) }
            if !rows.isEmpty { found.append("\(check.name): \(rows.prefix(5).joined(separator: " | "))") }
        }
        return found
    }

    /// Decisions of subjects that were final before and must not have changed since.
    static let finalRows = """
        SELECT format('%s|%s|%s|%s|%s|%s|%s|%s|%s', program_id, subject_key, status, tier, credit, qualifying_spend,
                      reached_at, decided_at, (SELECT string_agg(reason, ';' ORDER BY reason) FROM recon.ineligibility_reasons r
                                               WHERE r.program_id = s.program_id AND r.subject_key = s.subject_key))
        FROM recon.subject_status s WHERE final
        """
}
