import Exact
import PGClient

/// The benchmark's floor: PostgreSQL itself summing qualifying spend (amount − tax − credit of
/// paid bills and consumed top-ups) per subject over its window, in one plain statement. It is
/// the least work any implementation must do, so the nightly run is measured against it.
///
/// Partner subjects' windows start at the later of set-up and first cash, promo codes' at
/// activation; `window_days` of the program. Only the per-subject count and grand total leave the
/// server (the output is discarded, as the issue asks), so transfer costs the floor nothing.
public enum FloorQuery {
    public static let sql = """
        WITH subjects AS (
            SELECT i.integration_id::text AS subject, i.account_id,
                   greatest(i.set_up_at, a.first_cash_at) AS window_start, p.window_days
            FROM billing.partner_integrations i
            JOIN billing.ad_accounts a ON a.account_id = i.account_id
            JOIN recon.programs p ON p.kind = 'partner_spend_match' AND i.partner = ANY (p.partners)
            WHERE a.first_cash_at IS NOT NULL AND i.set_up_at <= $1
            UNION ALL
            SELECT c.code, c.recipient_account_id, c.activated_at, p.window_days
            FROM billing.promo_codes c JOIN recon.programs p ON p.program_id = c.program_id
            WHERE c.activated_at <= $1
        ), spend AS (
            SELECT account_id, spend_at AS at, amount - tax_amount - credit_amount AS qualifying
            FROM billing.billed_spend WHERE paid_at <= $1 AND spend_at <= $1
            UNION ALL
            SELECT account_id, consumed_at, amount - tax_amount - credit_amount
            FROM billing.topup_consumption WHERE consumed_at <= $1
        )
        SELECT count(*), coalesce(sum(total), 0)::text FROM (
            SELECT s.subject, sum(sp.qualifying) AS total
            FROM subjects s
            JOIN spend sp ON sp.account_id = s.account_id AND sp.at >= s.window_start
                         AND sp.at < s.window_start + make_interval(days => s.window_days)
            GROUP BY s.subject
        ) per_subject
        """

    /// Runs the floor statement; returns the subjects with spend and the grand total (text).
    public static func run(connection: Connection, asOf: Instant) throws -> (subjects: Int, total: String) {
        let row = try connection.execute(sql, [asOf])[0]
        return (try row.decode(0, as: Int.self), try row.decode(1, as: String.self))
    }
}
