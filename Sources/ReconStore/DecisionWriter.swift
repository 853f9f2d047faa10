import Exact
import PGClient
import ReconRules

/// Writes decisions a batch at a time, each batch in one transaction, so a subject's status,
/// reasons and grant commit together. Decisions go into a temporary staging table through COPY
/// and from there into `recon` with set-based statements that change nothing when nothing
/// changed: a second run with the same `as_of` and data writes no row.
public struct DecisionWriter {
    let connection: Connection
    let runID: Int64

    public init(connection: Connection, runID: Int64) throws {
        self.connection = connection
        self.runID = runID
        try connection.execute("SET jit = off")
        try connection.executeScript("""
            CREATE TEMP TABLE IF NOT EXISTS stage_decisions (
                program_id text, subject_key text, subject text, integration_id bigint, partner text,
                merchant_id text, promo_code text, account_id bigint, country text, currency text, status text,
                final boolean, waiting_for text, tier integer, credit numeric, qualifying_spend numeric,
                excluded_tax numeric, excluded_credit numeric, excluded_unpaid numeric, excluded_before_window numeric,
                next_tier integer, next_threshold numeric, window_start timestamptz, window_end timestamptz,
                cutoff timestamptz, reached_at timestamptz, due_by timestamptz, expires_at timestamptz,
                decided_at timestamptz, as_of timestamptz, reasons text[], payment_mode text
            )
            """)
    }

    /// The decision columns shared by the staging table and `recon.subject_status`.
    static let columnNames = [
        "program_id", "subject_key", "subject", "integration_id", "partner", "merchant_id", "promo_code", "account_id",
        "country", "currency", "status", "final", "waiting_for", "tier", "credit", "qualifying_spend", "excluded_tax",
        "excluded_credit", "excluded_unpaid", "excluded_before_window", "next_tier", "next_threshold", "window_start",
        "window_end", "cutoff", "reached_at", "due_by", "expires_at", "decided_at", "as_of",
    ]
    static let columns = columnNames.joined(separator: ", ")
    /// `SET col = EXCLUDED.col, ...` for every column but the key.
    static let updates = columnNames.dropFirst(2).map { "\($0) = EXCLUDED.\($0)" }.joined(separator: ", ")
    static let storedTuple = columnNames.map { "recon.subject_status.\($0)" }.joined(separator: ", ")
    static let incomingTuple = columnNames.map { "EXCLUDED.\($0)" }.joined(separator: ", ")

    /// Writes one batch atomically; returns how many subject rows changed.
    @discardableResult
    public func write(_ decisions: [Decision], rejections: [Rejection], alsoInTransaction: (() throws -> Void)? = nil) throws -> Int {
        try connection.transaction {
            try connection.execute("TRUNCATE stage_decisions")
            try connection.copyIn("COPY stage_decisions (\(Self.columns), reasons, payment_mode) FROM STDIN") { writer in
                for decision in decisions { try writer.appendRow(Self.fields(decision)) }
            }
            let changed = try connection.execute("""
                INSERT INTO recon.subject_status (\(Self.columns), run_id)
                SELECT \(Self.columns), $1 FROM stage_decisions
                ON CONFLICT (program_id, subject_key) DO UPDATE SET \(Self.updates), run_id = EXCLUDED.run_id
                WHERE (\(Self.storedTuple)) IS DISTINCT FROM (\(Self.incomingTuple))
                """, [runID]).affectedRows
            try connection.execute("""
                DELETE FROM recon.ineligibility_reasons r USING stage_decisions s
                WHERE r.program_id = s.program_id AND r.subject_key = s.subject_key AND NOT (r.reason = ANY (s.reasons))
                """)
            try connection.execute("""
                INSERT INTO recon.ineligibility_reasons (program_id, subject_key, reason, run_id)
                SELECT s.program_id, s.subject_key, unnest(s.reasons), $1 FROM stage_decisions s
                ON CONFLICT DO NOTHING
                """, [runID])
            // One grant per subject: a second run finds the grant there and adds nothing. Any other
            // unique violation (a second grant for an account or a merchant) is a bug and fails
            // the batch rather than being silently dropped.
            try connection.execute("""
                INSERT INTO recon.credit_grants (program_id, subject_key, subject, account_id, integration_id, partner,
                    merchant_id, promo_code, tier, country, currency, credit, qualifying_spend, window_start, window_end,
                    reached_at, due_by, expires_at, payment_mode, run_id)
                SELECT program_id, subject_key, subject, account_id, integration_id, partner, merchant_id, promo_code,
                       tier, country, currency, credit, qualifying_spend, window_start, window_end, reached_at, due_by,
                       expires_at, payment_mode, $1
                FROM stage_decisions WHERE status = 'granted'
                ON CONFLICT (program_id, subject_key) DO NOTHING
                """, [runID])
            try record(rejections)
            try alsoInTransaction?()
            return changed
        }
    }

    /// Records rejected input rows (first sighting only: a rerun adds nothing).
    public func record(_ rejections: [Rejection]) throws {
        guard !rejections.isEmpty else { return }
        try connection.execute("""
            INSERT INTO recon.rejected_rows (source_table, source_key, problem, first_run_id)
            SELECT t, k, p, $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS x(t, k, p)
            ON CONFLICT DO NOTHING
            """, [rejections.map(\.table), rejections.map(\.key), rejections.map(\.problem), runID])
    }

    static func fields(_ d: Decision) -> [String?] {
        let money = { (minor: Int64?) in minor.map { d.currency.format($0) } }
        let grantedTier = d.status == .granted ? d.tier : nil
        return [
            d.subject.programID, d.subject.key, d.subject.name, d.subject.integrationID.map(String.init),
            d.subject.partner, d.subject.merchantID, d.subject.promoCode, String(d.subject.accountID), d.country,
            d.currency.code, d.status.rawValue, d.isFinal ? "t" : "f", d.waitingFor?.rawValue,
            grantedTier.map { String($0.level) }, money(grantedTier?.credit), money(d.spend.qualifying),
            money(d.spend.excludedTax), money(d.spend.excludedCredit), money(d.spend.excludedUnpaid),
            money(d.spend.excludedBeforeWindow), d.nextTier.map { String($0.level) }, money(d.nextTier?.threshold),
            d.window?.start.iso8601, d.window?.end.iso8601, d.window?.cutoff.iso8601, d.reachedAt?.iso8601,
            d.dueBy?.iso8601, d.expiresAt?.iso8601, d.decidedAt?.iso8601, d.asOf.iso8601,
            "{" + d.reasons.map(\.rawValue).joined(separator: ",") + "}", d.paymentMode,
        ]
    }
}
