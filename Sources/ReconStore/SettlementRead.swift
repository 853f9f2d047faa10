import Exact
import PGClient
import ReconRules

/// How settling reads its input (SPEC section 8), for the nightly stage (`Settler`) and for
/// `liability`: the outbox entries streamed in `position` order, each with its stored
/// settlement and its valid applications, and the applications that name no entry. Memory holds
/// one entry's applications at a time. Rows that break the money rules go to `rejected`.
enum SettlementRead {
    /// One outbox entry with what settling needs beside it.
    struct Item {
        var entry: Settlement.Entry
        var programID: String
        var stored: Settlement?
        var applications: [CreditApplication] = []
    }

    /// Every entry, or with `changedSince` only those whose settlement may have changed since
    /// that instant as of `asOf` (`changedEntriesStatement`).
    static func entries(on reader: Connection, changedSince: Instant? = nil, asOf: Instant, rejected: (Rejection) throws -> Void,
                        _ body: (Item) throws -> Void) throws {
        var open: Item?
        var statement = entriesStatement
        if let since = changedSince {
            try findChanged(on: reader, since: since, asOf: asOf)
            statement = changedEntriesStatement
        }
        try reader.copyOutBinary(statement) { row in
            let ref = try row.text(0) ?? ""
            if open?.entry.creditRef != ref {
                if let done = open { try body(done) }
                open = try item(row)
            }
            guard !row.isNull(applicationColumn) else { return }
            switch InputValidation.creditApplication(try BillingRows.creditApplication(row, from: applicationColumn)) {
            case let .success(application): open?.applications.append(application)
            case let .failure(problem): try rejected(problem.rejection)
            }
        }
        if let done = open { try body(done) }
    }

    /// The applications whose `credit_ref` is null or names no outbox entry; with
    /// `unrecordedOnly`, those not yet in `recon.unmatched_applications`.
    /// The applications that name no entry; with `changedSince`, only those new or changed
    /// since they were last seen, or whose `applied_at` or `reversed_at` is in (since, asOf].
    static func unmatched(on reader: Connection, changedSince: Instant? = nil, asOf: Instant, rejected: (Rejection) throws -> Void,
                          _ body: (CreditApplication) throws -> Void) throws {
        var statement = unmatchedStatement
        if changedSince != nil {
            statement = changedUnmatchedStatement
        }
        try reader.copyOutBinary(statement) { row in
            switch InputValidation.creditApplication(try BillingRows.creditApplication(row, from: 0)) {
            case let .success(application): try body(application)
            case let .failure(problem): try rejected(problem.rejection)
            }
        }
    }

    private static let applicationColumn = 12

    /// Entries in `position` order, each followed by its applications (one row with NULLs for
    /// an entry without any).
    static let entriesStatement = """
        COPY (
            SELECT o.credit_ref, o.account_id, o.currency, o.amount, o.due_by, o.expires_at,
                   s.status, s.issues, s.applied_amount, s.applied_at, s.live_applications::int8, o.program_id,
                   \(BillingRows.creditApplicationColumns)
            FROM recon.credit_outbox o
            LEFT JOIN recon.credit_settlements s ON s.credit_ref = o.credit_ref
            LEFT JOIN billing.credit_applications a ON a.credit_ref = o.credit_ref
            ORDER BY o.position, a.application_id
        ) TO STDOUT (FORMAT binary)
        """

    static let unmatchedStatement = """
        COPY (
            SELECT \(BillingRows.creditApplicationColumns)
            FROM billing.credit_applications a
            WHERE a.credit_ref IS NULL
               OR NOT EXISTS (SELECT FROM recon.credit_outbox o WHERE o.credit_ref = a.credit_ref)
            ORDER BY a.application_id
        ) TO STDOUT (FORMAT binary)
        """

    /// Finds the applications the last settlement did not see as they are now (new, changed,
    /// gone, or whose `applied_at` or `reversed_at` is in (since, asOf]), with the entry each
    /// names now and named then, into `settle_changed` on `reader`: one scan of
    /// `billing.credit_applications` against `recon.seen_applications`, shared by the entries'
    /// and the unmatched applications' reads that follow (`entries` before `unmatched`).
    static func findChanged(on reader: Connection, since: Instant, asOf: Instant) throws {
        try reader.execute("""
            CREATE TEMP TABLE IF NOT EXISTS settle_changed (application_id bigint, now_ref text, seen_ref text, gone boolean)
            """)
        try reader.execute("TRUNCATE settle_changed")
        try reader.execute("""
            INSERT INTO settle_changed
            SELECT coalesce(a.application_id, s.application_id), a.credit_ref, s.credit_ref, a.application_id IS NULL
            FROM billing.credit_applications a
            FULL JOIN recon.seen_applications s ON s.application_id = a.application_id
            WHERE a.application_id IS NULL OR s.application_id IS NULL
               OR (a.credit_ref, a.account_id, a.currency, a.amount, a.applied_at, a.reversed_at)
                  IS DISTINCT FROM (s.credit_ref, s.account_id, s.currency, s.amount, s.applied_at, s.reversed_at)
               OR (a.applied_at > $1 AND a.applied_at <= $2) OR (a.reversed_at > $1 AND a.reversed_at <= $2)
            """, [since, asOf])
        try reader.execute("ANALYZE settle_changed")
        try reader.execute("CREATE TEMP TABLE IF NOT EXISTS settle_refs (credit_ref text)")
        try reader.execute("TRUNCATE settle_refs")
        try reader.execute("""
            INSERT INTO settle_refs
            SELECT now_ref FROM settle_changed WHERE now_ref IS NOT NULL
            UNION SELECT seen_ref FROM settle_changed WHERE seen_ref IS NOT NULL
            UNION SELECT credit_ref FROM recon.credit_settlements WHERE status = 'awaiting' AND due_by <= $1
            UNION SELECT credit_ref FROM recon.seen_applications WHERE NOT matched AND credit_ref IS NOT NULL
            """, [asOf])
        // Counted, the refs are joined to the entries by index; estimated, by scanning them all.
        try reader.execute("ANALYZE settle_refs")
    }

    /// The entries whose settlement may have changed (`settle_refs`): those named by a changed
    /// application (`settle_changed`, by its ref now and as seen), the awaiting ones whose
    /// `due_by` has come, and those an application named before the entry existed.
    static let changedEntriesStatement = """
        COPY (
            SELECT o.credit_ref, o.account_id, o.currency, o.amount, o.due_by, o.expires_at,
                   s.status, s.issues, s.applied_amount, s.applied_at, s.live_applications::int8, o.program_id,
                   \(BillingRows.creditApplicationColumns)
            FROM settle_refs r
            JOIN recon.credit_outbox o ON o.credit_ref = r.credit_ref
            LEFT JOIN recon.credit_settlements s ON s.credit_ref = o.credit_ref
            LEFT JOIN billing.credit_applications a ON a.credit_ref = o.credit_ref
            ORDER BY o.position, a.application_id
        ) TO STDOUT (FORMAT binary)
        """

    /// Once the changed applications' entries are settled and the unmatched ones recorded: what
    /// they looked like in the snapshot the stage read, so the next night does not read them
    /// again. Last: were it lost, the next night would only settle them again.
    static func rememberChanged(on reader: Connection) throws {
        try reader.execute("""
            INSERT INTO recon.seen_applications (application_id, credit_ref, account_id, currency, amount, applied_at,
                                                 reversed_at, matched)
            SELECT a.application_id, a.credit_ref, a.account_id, a.currency, a.amount, a.applied_at, a.reversed_at,
                   EXISTS (SELECT FROM recon.credit_outbox o WHERE o.credit_ref = a.credit_ref)
            FROM settle_changed c JOIN billing.credit_applications a ON a.application_id = c.application_id
            WHERE NOT c.gone
            ON CONFLICT (application_id) DO UPDATE SET credit_ref = EXCLUDED.credit_ref, account_id = EXCLUDED.account_id,
                currency = EXCLUDED.currency, amount = EXCLUDED.amount, applied_at = EXCLUDED.applied_at,
                reversed_at = EXCLUDED.reversed_at, matched = EXCLUDED.matched
            """)
        try reader.execute("""
            DELETE FROM recon.seen_applications s USING settle_changed c WHERE c.gone AND s.application_id = c.application_id
            """)
    }

    /// The changed applications (`settle_changed`) that name no entry.
    static let changedUnmatchedStatement = """
        COPY (
            SELECT \(BillingRows.creditApplicationColumns)
            FROM settle_changed c
            JOIN billing.credit_applications a ON a.application_id = c.application_id
            WHERE NOT c.gone AND (a.credit_ref IS NULL
               OR NOT EXISTS (SELECT FROM recon.credit_outbox o WHERE o.credit_ref = a.credit_ref))
            ORDER BY a.application_id
        ) TO STDOUT (FORMAT binary)
        """

    /// An entry's columns and its stored settlement; the job wrote both, so anything unreadable
    /// there is a data error, not a rejected input row.
    private static func item(_ row: BinaryCopyRow) throws -> Item {
        let ref = try row.text(0) ?? ""
        guard let accountID = try row.int64(1), let code = try row.text(2), let currency = Currency(code: code),
              let amount = try minorUnits(row.decimal(3), currency), let dueBy = try row.instant(4),
              let programID = try row.text(11) else {
            throw DataError("outbox entry \(ref) is unreadable")
        }
        let entry = Settlement.Entry(creditRef: ref, accountID: accountID, currency: currency, amount: amount, dueBy: dueBy,
                                     expiresAt: try row.instant(5))
        var stored: Settlement?
        if let status = try row.text(6).flatMap(Settlement.Status.init(rawValue:)) {
            let issues = (try row.text(7) ?? "").split(separator: ";").compactMap { Settlement.Issue(rawValue: String($0)) }
            stored = Settlement(creditRef: ref, status: status, issues: issues,
                                appliedAmount: try minorUnits(row.decimal(8), currency) ?? -1,
                                appliedAt: try row.instant(9), liveApplications: Int(try row.int64(10) ?? -1))
        }
        return Item(entry: entry, programID: programID, stored: stored)
    }

    private static func minorUnits(_ reading: DecimalReading?, _ currency: Currency) throws -> Int64? {
        guard case let .success(decimal)? = reading?.value else { return nil }
        return try? decimal.minorUnits(exponent: currency.exponent)
    }
}
