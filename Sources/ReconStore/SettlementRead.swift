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
    /// that mark as of `asOf` (`findChanged`, `changedEntriesStatement`); returns how the
    /// changes were found.
    @discardableResult
    static func entries(on reader: Connection, changedSince: SettlementMark? = nil, asOf: Instant,
                        rejected: (Rejection) throws -> Void,
                        _ body: (Item) throws -> Void) throws -> SettlementSummary.ChangeScan {
        var open: Item?
        var statement = entriesStatement
        var scan = SettlementSummary.ChangeScan.none
        if let since = changedSince {
            scan = try findChanged(on: reader, since: since, asOf: asOf)
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
        return scan
    }

    /// The applications whose `credit_ref` is null or names no outbox entry; with
    /// `changedOnly`, only those `findChanged` found (new or changed since they were last seen,
    /// or whose time came).
    static func unmatched(on reader: Connection, changedOnly: Bool = false, rejected: (Rejection) throws -> Void,
                          _ body: (CreditApplication) throws -> Void) throws {
        try reader.copyOutBinary(changedOnly ? changedUnmatchedStatement : unmatchedStatement) { row in
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

    /// The changed applications (`settle_changed`, as read) that name no entry.
    static let changedUnmatchedStatement = """
        COPY (
            SELECT \(BillingRows.creditApplicationColumns)
            FROM settle_changed a
            WHERE NOT a.gone AND (a.credit_ref IS NULL
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
