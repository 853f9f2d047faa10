import Exact
import PGClient
import ReconRules

/// The settlement stage of every run and rerun (SPEC section 8): every outbox entry settled as
/// of `asOf` against the applications that name it (`Settlement.settle`, pure), the changed
/// settlements written a batch per transaction, and the live applications that name no entry
/// recorded once in `recon.unmatched_applications`.
///
/// The entries stream in `position` order joined to their stored settlement and their
/// applications, so memory holds one entry's applications and one batch of changes, whatever the
/// number of grants. `runID` nil is a dry run: it settles and counts, and writes nothing.
struct Settler {
    let reader: Connection
    let writer: Connection
    let runID: Int64?
    let asOf: Instant
    var batchSize = 2000
    var stop: StopRequest?

    /// One entry as read: what it owes, what was stored for it, and its valid applications.
    private struct Open {
        var entry: Settlement.Entry
        var stored: Settlement?
        var applications: [CreditApplication] = []
    }

    func settle() throws -> SettlementSummary {
        let started = MonotonicClock.microseconds()
        if runID != nil { try writer.execute(Self.stageTable) }
        var tally = SettlementTally()
        var changes: [(Settlement, exponent: Int)] = []
        var rejections: [Rejection] = []
        var changed = 0
        var rejected = 0
        var open: Open?

        func flush() throws {
            changed += changes.count
            if runID != nil, !changes.isEmpty || !rejections.isEmpty {
                try stop?.check()
                try write(changes, rejections: rejections)
            }
            rejected += rejections.count
            changes.removeAll(keepingCapacity: true)
            rejections.removeAll()
        }
        func close() throws {
            guard let done = open else { return }
            let settlement = try Settlement.settle(done.entry, applications: done.applications, asOf: asOf)
            try tally.add(settlement, of: done.entry)
            if settlement != done.stored { changes.append((settlement, done.entry.currency.exponent)) }
            if changes.count >= batchSize { try flush() }
        }
        try reader.copyOutBinary(Self.entriesStatement) { row in
            let ref = try row.text(0) ?? ""
            if open?.entry.creditRef != ref {
                try close()
                open = try Self.entry(row)
            }
            guard !row.isNull(11) else { return }
            switch InputValidation.creditApplication(try BillingRows.creditApplication(row, from: 11)) {
            case let .success(application): open?.applications.append(application)
            case let .failure(problem): rejections.append(problem.rejection)
            }
        }
        try close()
        try flush()
        var summary = SettlementSummary(tally)
        summary.changed = changed
        let (newUnmatched, unmatchedRejected) = try recordUnmatched()
        summary.rejectedApplications = rejected + unmatchedRejected
        let recorded = try writer.execute("SELECT count(*) FROM recon.unmatched_applications")[0].decode(0, as: Int.self)
        summary.unmatchedApplications = recorded + (runID == nil ? newUnmatched : 0)
        summary.milliseconds = (MonotonicClock.microseconds() - started) / 1000
        return summary
    }

    /// Entries in `position` order, each followed by its applications (one row with NULLs for
    /// an entry without any).
    static let entriesStatement = """
        COPY (
            SELECT o.credit_ref, o.account_id, o.currency, o.amount, o.due_by, o.expires_at,
                   s.status, s.issues, s.applied_amount, s.applied_at, s.live_applications::int8,
                   \(BillingRows.creditApplicationColumns)
            FROM recon.credit_outbox o
            LEFT JOIN recon.credit_settlements s ON s.credit_ref = o.credit_ref
            LEFT JOIN billing.credit_applications a ON a.credit_ref = o.credit_ref
            ORDER BY o.position, a.application_id
        ) TO STDOUT (FORMAT binary)
        """

    /// An entry's columns and its stored settlement; the job wrote both, so anything unreadable
    /// there is a data error, not a rejected input row.
    private static func entry(_ row: BinaryCopyRow) throws -> Open {
        let ref = try row.text(0) ?? ""
        guard let accountID = try row.int64(1), let code = try row.text(2), let currency = Currency(code: code),
              let amount = try Self.minorUnits(row.decimal(3), currency), let dueBy = try row.instant(4) else {
            throw DataError("outbox entry \(ref) is unreadable")
        }
        let entry = Settlement.Entry(creditRef: ref, accountID: accountID, currency: currency, amount: amount, dueBy: dueBy,
                                     expiresAt: try row.instant(5))
        var stored: Settlement?
        if let status = try row.text(6).flatMap(Settlement.Status.init(rawValue:)) {
            let issues = (try row.text(7) ?? "").split(separator: ";").compactMap { Settlement.Issue(rawValue: String($0)) }
            stored = Settlement(creditRef: ref, status: status, issues: issues,
                                appliedAmount: try Self.minorUnits(row.decimal(8), currency) ?? -1,
                                appliedAt: try row.instant(9), liveApplications: Int(try row.int64(10) ?? -1))
        }
        return Open(entry: entry, stored: stored)
    }

    private static func minorUnits(_ reading: DecimalReading?, _ currency: Currency) throws -> Int64? {
        guard case let .success(decimal)? = reading?.value else { return nil }
        return try? decimal.minorUnits(exponent: currency.exponent)
    }

    static let stageTable = """
        CREATE TEMP TABLE IF NOT EXISTS stage_settlements (
            credit_ref text, status text, issues text, applied_amount numeric, applied_at timestamptz,
            live_applications integer
        )
        """

    /// One batch of changed settlements and rejected applications, in one transaction.
    private func write(_ changes: [(Settlement, exponent: Int)], rejections: [Rejection]) throws {
        guard let runID else { return }
        try writer.transaction {
            try DecisionWriter.record(rejections, runID: runID, on: writer)
            guard !changes.isEmpty else { return }
            try writer.execute("TRUNCATE stage_settlements")
            try writer.copyInBinary("COPY stage_settlements FROM STDIN (FORMAT binary)") { w in
                for (settlement, exponent) in changes {
                    try w.beginRow(fields: 6)
                    w.text(settlement.creditRef)
                    w.text(settlement.status.rawValue)
                    w.text(settlement.issues.map(\.rawValue).joined(separator: ";"))
                    w.numeric(minorUnits: settlement.appliedAmount, scale: exponent)
                    w.instant(settlement.appliedAt)
                    w.int32(Int32(clamping: settlement.liveApplications))
                }
            }
            try writer.execute("""
                INSERT INTO recon.credit_settlements (credit_ref, status, issues, applied_amount, applied_at,
                                                      live_applications, as_of, run_id)
                SELECT credit_ref, status, issues, applied_amount, applied_at, live_applications, $1, $2
                FROM stage_settlements
                ON CONFLICT (credit_ref) DO UPDATE SET status = EXCLUDED.status, issues = EXCLUDED.issues,
                    applied_amount = EXCLUDED.applied_amount, applied_at = EXCLUDED.applied_at,
                    live_applications = EXCLUDED.live_applications, as_of = EXCLUDED.as_of, run_id = EXCLUDED.run_id
                """, [asOf, runID])
        }
    }
}
