import Exact
import PGClient

/// The handoff of credit to the crediting system (SPEC section 8): one `recon.credit_outbox`
/// entry per grant and per adjustment, added in the transaction that wrote it, read by a
/// consumer in `position` order.
///
/// Positions are drawn only under a transaction advisory lock taken by the statement that adds
/// the entries, the last of its transaction: PostgreSQL makes a commit visible before it
/// releases the transaction's locks, so whoever draws the next positions does so after every
/// lower position is visible. Two writer connections committing at once therefore never expose
/// position 12 before 11; only a rolled-back transaction leaves a gap, which a consumer skips.
public struct CreditOutbox {
    /// "spendout" as a big-endian integer; migration 011 takes the same lock for its backfill.
    public static let lockKey: Int64 = 0x7370_656E_646F_7574
    /// The `NOTIFY` channel; the payload is the last position added.
    public static let channel = "spend_recon_credit"

    let connection: Connection

    public init(connection: Connection) {
        self.connection = connection
    }

    /// Adds the entries of the grants of `subjects` (those that have a grant and no entry yet)
    /// and of the adjustments `adjustmentIDs`, each with its first settlement as of `asOf`
    /// (nothing applied yet: awaiting, or overdue when `due_by` has passed), then notifies the
    /// channel; returns how many were added. Call it last in the transaction: the lock it takes
    /// is held until the commit.
    @discardableResult
    func handOver(grantsOf subjects: [SubjectID], adjustmentIDs: [Int64], asOf: Instant, runID: Int64) throws -> Int {
        guard !subjects.isEmpty || !adjustmentIDs.isEmpty else { return 0 }
        try connection.execute("SELECT pg_advisory_xact_lock($1::bigint)", [Self.lockKey])
        let result = try connection.execute(Self.handOverStatement,
                                            [subjects.map(\.program), subjects.map(\.subject), adjustmentIDs, Self.channel,
                                             asOf, runID])
        return result.rowCount == 0 ? 0 : try result[0].decode(0, as: Int.self)
    }

    static let handOverStatement = """
        WITH handed AS (
            SELECT 'grant:' || g.grant_id AS credit_ref, 'grant' AS kind, g.program_id, g.subject_key, g.subject,
                   g.account_id, g.currency, g.credit AS amount, g.due_by, g.expires_at, g.payment_mode, g.run_id,
                   0 AS kind_order, g.grant_id AS id
            FROM unnest($1::text[], $2::text[]) AS k(program_id, subject_key)
            JOIN recon.credit_grants g ON g.program_id = k.program_id AND g.subject_key = k.subject_key
            UNION ALL
            SELECT 'adjustment:' || a.adjustment_id, 'adjustment', a.program_id, a.subject_key, g.subject, g.account_id,
                   a.currency, a.credit_delta, a.created_at + make_interval(days => p.grant_sla_days), g.expires_at,
                   g.payment_mode, a.run_id, 1, a.adjustment_id
            FROM recon.adjustments a
            JOIN recon.credit_grants g ON g.grant_id = a.grant_id
            JOIN recon.programs p ON p.program_id = a.program_id
            WHERE a.adjustment_id = ANY ($3::bigint[])
        ), fresh AS (
            SELECT * FROM handed h
            WHERE NOT EXISTS (SELECT FROM recon.credit_outbox o WHERE o.credit_ref = h.credit_ref)
            ORDER BY kind_order, id
        ), added AS (
            INSERT INTO recon.credit_outbox (position, credit_ref, kind, program_id, subject_key, subject, account_id,
                                             currency, amount, due_by, expires_at, payment_mode, run_id)
            SELECT nextval('recon.credit_outbox_position'), credit_ref, kind, program_id, subject_key, subject,
                   account_id, currency, amount, due_by, expires_at, payment_mode, run_id
            FROM fresh
            RETURNING position, credit_ref, currency, amount, due_by
        ), first_settled AS (
            INSERT INTO recon.credit_settlements (credit_ref, status, applied_amount, live_applications, as_of, run_id,
                                                  currency, amount, due_by)
            SELECT credit_ref, CASE WHEN due_by <= $5 THEN 'overdue' ELSE 'awaiting' END, 0, 0, $5, $6, currency, amount, due_by
            FROM added
            RETURNING status, currency, amount
        ), counted AS (
            INSERT INTO recon.settlement_totals AS t (status, currency, entries, amount)
            SELECT status, currency, count(*), sum(amount) FROM first_settled GROUP BY status, currency
            ON CONFLICT (status, currency) DO UPDATE SET entries = t.entries + EXCLUDED.entries, amount = t.amount + EXCLUDED.amount
        )
        SELECT count(*)::int8, pg_notify($4, max(position)::text) FROM added HAVING count(*) > 0
        """

    /// One entry as the `outbox` command prints it: amounts and times as exact text.
    public struct Entry: Codable, Sendable, Equatable {
        public var position: Int64
        public var creditRef: String
        public var kind: String
        public var programID: String
        public var subject: String
        public var accountID: Int64
        public var currency: String
        public var amount: String
        public var dueBy: String
        public var expiresAt: String?
        public var paymentMode: String
        public var runID: Int64
        public var createdAt: String
    }

    /// The entries after `position`, in order, at most `limit`.
    public func entries(after position: Int64, limit: Int) throws -> [Entry] {
        var entries: [Entry] = []
        try connection.stream("""
            SELECT position, credit_ref, kind, program_id, subject, account_id, currency, amount::text, due_by,
                   expires_at, payment_mode, run_id, created_at
            FROM recon.credit_outbox WHERE position > $1 ORDER BY position LIMIT $2
            """, [position, Int64(limit)]) { row in
            entries.append(Entry(
                position: try row.decode(0), creditRef: try row.decode(1), kind: try row.decode(2), programID: try row.decode(3),
                subject: try row.decode(4), accountID: try row.decode(5), currency: try row.decode(6), amount: try row.decode(7),
                dueBy: try row.decode(8, as: Instant.self).iso8601, expiresAt: try row.decodeIfPresent(9, as: Instant.self)?.iso8601,
                paymentMode: try row.decode(10), runID: try row.decode(11), createdAt: try row.decode(12, as: Instant.self).iso8601))
        }
        return entries
    }
}
