import Exact
import PGClient

/// How a night finds what changed in `billing.credit_applications` since the last settlement,
/// which read it in one snapshot and kept each row as it saw it in `recon.seen_applications`;
/// and how a settlement keeps what it saw.
extension SettlementRead {
    /// Finds the applications the last settlement did not see as they are now (new, changed,
    /// gone, or whose `applied_at` or `reversed_at` is in (since, asOf]), as read (nulls for one
    /// gone) and with the entry each named then, into `settle_changed` on `reader`, and the refs of the entries
    /// to settle into `settle_refs`; the entries' and the unmatched applications' reads that
    /// follow share them (`entries` before `unmatched`).
    ///
    /// Only rows written by a transaction the last settlement's snapshot could not see can
    /// differ from what it kept (`changedSinceSnapshot`); every other row is compared only when
    /// that shortcut cannot be taken: no snapshot recorded, the input is a view, or some row
    /// went (`compareEveryRow`).
    static func findChanged(on reader: Connection, since mark: SettlementMark, asOf: Instant) throws -> SettlementSummary.ChangeScan {
        try reader.executeScript("""
            CREATE TEMP TABLE IF NOT EXISTS settle_candidates (
                application_id bigint, credit_ref text, account_id bigint, currency text, amount numeric,
                applied_at timestamptz, reversed_at timestamptz
            );
            CREATE TEMP TABLE IF NOT EXISTS settle_changed (LIKE settle_candidates, seen_ref text, gone boolean);
            CREATE TEMP TABLE IF NOT EXISTS settle_refs (credit_ref text);
            TRUNCATE settle_changed, settle_candidates, settle_refs;
            """)
        var found = false
        if let xmin = mark.snapshotXmin {
            found = try changedSinceSnapshot(on: reader, xmin: xmin, since: mark.asOf, asOf: asOf)
        }
        if !found {
            try probeByIndex(false, on: reader)
            try reader.execute("TRUNCATE settle_changed")
            try reader.execute(compareEveryRow, [mark.asOf, asOf])
        }
        let refs = try reader.execute("""
            INSERT INTO settle_refs
            SELECT credit_ref FROM settle_changed WHERE credit_ref IS NOT NULL
            UNION SELECT seen_ref FROM settle_changed WHERE seen_ref IS NOT NULL
            UNION SELECT credit_ref FROM recon.credit_settlements WHERE status = 'awaiting' AND due_by <= $1
            UNION SELECT credit_ref FROM recon.seen_applications WHERE NOT matched AND credit_ref IS NOT NULL
            """, [asOf]).affectedRows
        try reader.execute("ANALYZE settle_refs")
        // For the rest of the stage's reads: the entries, the unmatched applications, what is remembered.
        try probeByIndex(refs <= fewRows, on: reader)
        return found ? .sinceSnapshot : .everyRow
    }

    /// Up to this many rows driving a join, the stage looks each one up by index.
    static let fewRows = 10_000

    /// Whether the joins that follow in the current transaction look up each row of the small
    /// table by index instead of reading the large one whole. The planner cannot be left to
    /// choose: autovacuum's statistics of recon's tables lag a night's writes by hours, and a
    /// server's page costs are often set for disks, so it reads all 80,000 entries to join 500.
    static func probeByIndex(_ probe: Bool, on connection: Connection) throws {
        let setting = probe ? "off" : "on"
        try connection.execute("SELECT set_config('enable_hashjoin', $1, true), set_config('enable_mergejoin', $1, true)",
                           [setting])
    }

    /// The rows that may have changed are those written by a transaction with an id at or after
    /// `xmin` (the last snapshot saw every committed one before it; a frozen row reads as the
    /// oldest): they, and the rows whose time came, are compared with what was kept. False,
    /// with nothing found, when the shortcut does not hold: the input is not a table (a view has
    /// no `xmin`) or has no unique `application_id` (the count below needs one), `xmin` is too
    /// old for 32-bit ages, or the counts say some row went, which only a comparison of every
    /// row can tell.
    private static func changedSinceSnapshot(on reader: Connection, xmin: String, since: Instant, asOf: Instant) throws -> Bool {
        let usable = try reader.execute("""
            SELECT c.relkind IN ('r', 'p') AND has_table_privilege(c.oid, 'SELECT')
                   AND pg_snapshot_xmin(pg_current_snapshot())::text::int8 - $1::xid8::text::int8 BETWEEN 0 AND 1000000000
                   AND EXISTS (SELECT FROM pg_index i JOIN pg_attribute t ON t.attrelid = c.oid AND t.attnum = i.indkey[0]
                               WHERE i.indrelid = c.oid AND i.indisunique AND i.indnkeyatts = 1 AND i.indpred IS NULL
                                 AND t.attname = 'application_id')
            FROM pg_class c WHERE c.oid = to_regclass('billing.credit_applications')
            """, [xmin]).rows.first.map { try $0.decode(0, as: Bool.self) } ?? false
        guard usable else { return false }
        let candidates = try reader.execute("""
            INSERT INTO settle_candidates
            SELECT a.application_id, a.credit_ref, a.account_id, a.currency, a.amount, a.applied_at, a.reversed_at
            FROM billing.credit_applications a
            WHERE age(a.xmin) <= age(xid($3::xid8))
               OR (a.applied_at > $1 AND a.applied_at <= $2) OR (a.reversed_at > $1 AND a.reversed_at <= $2)
            """, [since, asOf, xmin]).affectedRows
        try reader.execute("ANALYZE settle_candidates")
        try probeByIndex(candidates <= fewRows, on: reader)
        try reader.execute("""
            INSERT INTO settle_changed
            SELECT c.*, s.credit_ref, false
            FROM settle_candidates c LEFT JOIN recon.seen_applications s ON s.application_id = c.application_id
            WHERE s.application_id IS NULL
               OR (c.credit_ref, c.account_id, c.currency, c.amount, c.applied_at, c.reversed_at)
                  IS DISTINCT FROM (s.credit_ref, s.account_id, s.currency, s.amount, s.applied_at, s.reversed_at)
               OR (c.applied_at > $1 AND c.applied_at <= $2) OR (c.reversed_at > $1 AND c.reversed_at <= $2)
            """, [since, asOf])
        // Every kept row still there: the rows now, less the new ones, are as many as were kept.
        return try reader.execute("""
            SELECT (SELECT count(application_id) FROM billing.credit_applications)
                   - (SELECT count(*) FROM settle_candidates c WHERE c.application_id IS NOT NULL AND NOT EXISTS (
                          SELECT FROM recon.seen_applications s WHERE s.application_id = c.application_id))
                   = (SELECT count(*) FROM recon.seen_applications)
            """)[0].decode(0, as: Bool.self)
    }

    /// Every row against every kept one: one hash join of the two tables.
    static let compareEveryRow = """
        INSERT INTO settle_changed
        SELECT coalesce(a.application_id, s.application_id), a.credit_ref, a.account_id, a.currency, a.amount, a.applied_at,
               a.reversed_at, s.credit_ref, a.application_id IS NULL
        FROM billing.credit_applications a
        FULL JOIN recon.seen_applications s ON s.application_id = a.application_id
        WHERE a.application_id IS NULL OR s.application_id IS NULL
           OR (a.credit_ref, a.account_id, a.currency, a.amount, a.applied_at, a.reversed_at)
              IS DISTINCT FROM (s.credit_ref, s.account_id, s.currency, s.amount, s.applied_at, s.reversed_at)
           OR (a.applied_at > $1 AND a.applied_at <= $2) OR (a.reversed_at > $1 AND a.reversed_at <= $2)
        """

    /// Once the changed applications' entries are settled and the unmatched ones recorded: what
    /// they looked like in the snapshot the stage read, so the next night does not read them
    /// again. Last: were it lost, the next night would only settle them again. (Whether each
    /// names an entry is one probe per row: a scalar subquery is never hashed over the outbox.)
    static func rememberChanged(on reader: Connection) throws {
        try reader.execute(rememberSeen("""
            SELECT c.application_id, c.credit_ref, c.account_id, c.currency, c.amount, c.applied_at, c.reversed_at,
                   (SELECT true FROM recon.credit_outbox o WHERE o.credit_ref = c.credit_ref) IS NOT NULL
            FROM settle_changed c
            WHERE NOT c.gone AND c.application_id IS NOT NULL
            """))
        try reader.execute("""
            DELETE FROM recon.seen_applications s USING settle_changed c WHERE c.gone AND s.application_id = c.application_id
            """)
    }

    /// After settling every entry: what every application looks like in the stage's snapshot,
    /// so that the next night reads only what changes.
    static func rememberEvery(on reader: Connection) throws {
        try reader.execute(rememberSeen("""
            SELECT a.application_id, a.credit_ref, a.account_id, a.currency, a.amount, a.applied_at, a.reversed_at,
                   EXISTS (SELECT FROM recon.credit_outbox o WHERE o.credit_ref = a.credit_ref)
            FROM billing.credit_applications a WHERE a.application_id IS NOT NULL
            """))
        try reader.execute("""
            DELETE FROM recon.seen_applications s
            WHERE NOT EXISTS (SELECT FROM billing.credit_applications a WHERE a.application_id = s.application_id)
            """)
    }

    /// Keeps `rows` (a query of `seen_applications`' columns, `matched` last) as seen.
    private static func rememberSeen(_ rows: String) -> String {
        """
        INSERT INTO recon.seen_applications (application_id, credit_ref, account_id, currency, amount, applied_at,
                                             reversed_at, matched)
        \(rows)
        ON CONFLICT (application_id) DO UPDATE SET credit_ref = EXCLUDED.credit_ref, account_id = EXCLUDED.account_id,
            currency = EXCLUDED.currency, amount = EXCLUDED.amount, applied_at = EXCLUDED.applied_at,
            reversed_at = EXCLUDED.reversed_at, matched = EXCLUDED.matched
        """
    }
}
