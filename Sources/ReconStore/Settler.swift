import Exact
import PGClient
import ReconRules

/// The settlement stage of every run and rerun (SPEC section 8): outbox entries settled as of
/// `asOf` against the applications that name them (`Settlement.settle`, pure), the changed
/// settlements written a batch per transaction, and the live applications that name no entry
/// recorded once in `recon.unmatched_applications`.
///
/// A night settles only what may have changed since the last settlement (`settlement_mark`):
/// entries whose applications changed, appeared or went, or whose `due_by` came; each one's
/// first settlement was written when it was handed over. A rerun, one going back in time, or
/// the first settlement of entries handed over before (by migration 011) settles every entry.
/// Entries stream in `position` order with their applications, so memory holds one entry's
/// applications and one batch. `runID` nil is a dry run: it settles every entry, counts, and
/// writes nothing.
struct Settler {
    let reader: Connection
    let writer: Connection
    let runID: Int64?
    let asOf: Instant
    /// A rerun settles every entry: it is the repair after anything unusual.
    var everyEntry = false
    var batchSize = 2000
    var stop: StopRequest?

    func settle() throws -> SettlementSummary {
        let started = MonotonicClock.microseconds()
        let mark = try SettlementMark.read(on: writer)
        var since = runID == nil || everyEntry ? nil : mark.flatMap { $0.asOf <= asOf ? $0 : nil }
        if let runID, !everyEntry, mark == nil, try Self.onlyHandedOver(by: runID, writer) {
            // The first settlement ever, of entries all handed over tonight with their first
            // settlements: only what the applications (all unseen) say can change them.
            since = SettlementMark(asOf: asOf, snapshotXmin: nil)
        }
        if runID != nil { try writer.execute(Self.stageTable) }
        var tally = SettlementTally()
        var changes: [(Settlement, Settlement.Entry)] = []
        var visited = 0
        var rejections: [Rejection] = []
        var changed = 0
        var rejected = 0

        func flush() throws {
            changed += changes.count
            if runID != nil, !changes.isEmpty || !rejections.isEmpty {
                try stop?.check()
                try write(changes, rejections: rejections)
            }
            rejected += rejections.count
            changes.removeAll(keepingCapacity: true)
            visited = 0
            rejections.removeAll()
        }
        // Every read of the stage sees `billing` as of one snapshot, and what is remembered as
        // seen is what was settled: an application that changes meanwhile differs from it
        // tomorrow and is settled then.
        let (newUnmatched, unmatchedRejected, snapshotXmin, scan) = try reader.snapshotTransaction {
            let snapshotXmin = try SettlementMark.snapshotXmin(on: reader)
            let scan = try SettlementRead.entries(on: reader, changedSince: since, asOf: asOf, rejected: { rejections.append($0) }) { item in
                let settlement = try Settlement.settle(item.entry, applications: item.applications, asOf: asOf)
                if since == nil { try tally.add(settlement, of: item.entry) }
                if settlement != item.stored { changes.append((settlement, item.entry)) }
                visited += 1
                if visited + rejections.count >= batchSize { try flush() }
            }
            try flush()
            let unmatched = try recordUnmatched(changedOnly: since != nil)
            if runID != nil {
                if since == nil {
                    try SettlementRead.rememberEvery(on: reader)
                } else {
                    try SettlementRead.rememberChanged(on: reader)
                }
            }
            return (unmatched.found, unmatched.rejected, snapshotXmin, scan)
        }
        if runID != nil {
            if since == nil || mark == nil { try writer.executeScript(Self.countAfresh) }
            try SettlementMark(asOf: asOf, snapshotXmin: snapshotXmin).write(on: writer)
        }
        if since != nil { tally = try Self.storedTally(writer) }
        var summary = SettlementSummary(tally)
        summary.changed = changed
        summary.changeScan = scan
        summary.rejectedApplications = rejected + unmatchedRejected
        let recorded = try writer.execute("SELECT count(*) FROM recon.unmatched_applications")[0].decode(0, as: Int.self)
        summary.unmatchedApplications = recorded + (runID == nil ? newUnmatched : 0)
        summary.milliseconds = (MonotonicClock.microseconds() - started) / 1000
        return summary
    }

    /// Whether every outbox entry was handed over by `runID`.
    static func onlyHandedOver(by runID: Int64, _ connection: Connection) throws -> Bool {
        try connection.execute("SELECT NOT EXISTS (SELECT FROM recon.credit_outbox WHERE run_id <> $1)", [runID])[0]
            .decode(0, as: Bool.self)
    }

    /// The summary's counts from the kept totals, when the night did not read every settlement.
    static func storedTally(_ connection: Connection) throws -> SettlementTally {
        var tally = SettlementTally()
        for row in try connection.execute("""
            SELECT status, currency, entries, amount::text FROM recon.settlement_totals
            """).rows {
            let code = try row.decode(1, as: String.self)
            guard let status = Settlement.Status(rawValue: try row.decode(0)), let currency = Currency(code: code),
                  let amount = try? ExactDecimal(parsing: try row.decode(3, as: String.self)).minorUnits(exponent: currency.exponent)
            else { throw DataError("a stored settlement in \(code) is unreadable") }
            try tally.add(status, currency: currency, entries: try row.decode(2), amount: amount)
        }
        return tally
    }

    static let stageTable = """
        CREATE TEMP TABLE IF NOT EXISTS stage_settlements (
            credit_ref text, status text, issues text, applied_amount numeric, applied_at timestamptz,
            live_applications integer, currency text, amount numeric, due_by timestamptz
        )
        """

    /// After settling every entry: the totals counted afresh from the settlements.
    static let countAfresh = """
        DELETE FROM recon.settlement_totals;
        INSERT INTO recon.settlement_totals (status, currency, entries, amount)
        SELECT status, currency, count(*), sum(amount) FROM recon.credit_settlements GROUP BY status, currency;
        """

    /// One batch in one transaction: rejected applications and the changed settlements, with
    /// the totals moved.
    private func write(_ changes: [(Settlement, Settlement.Entry)], rejections: [Rejection]) throws {
        guard let runID else { return }
        try writer.transaction {
            try DecisionWriter.record(rejections, runID: runID, on: writer)
            if !changes.isEmpty {
                try writer.execute("TRUNCATE stage_settlements")
                try writer.copyInBinary("COPY stage_settlements FROM STDIN (FORMAT binary)") { w in
                    for (settlement, entry) in changes {
                        let exponent = entry.currency.exponent
                        try w.beginRow(fields: 9)
                        w.text(settlement.creditRef)
                        w.text(settlement.status.rawValue)
                        w.text(settlement.issues.map(\.rawValue).joined(separator: ";"))
                        w.numeric(minorUnits: settlement.appliedAmount, scale: exponent)
                        w.instant(settlement.appliedAt)
                        w.int32(Int32(clamping: settlement.liveApplications))
                        w.text(entry.currency.code)
                        w.numeric(minorUnits: entry.amount, scale: exponent)
                        w.instant(entry.dueBy)
                    }
                }
                // The totals move from each settlement's stored status to its new one (read
                // before the stored rows change), found by index for a batch's few thousand.
                try SettlementRead.probeByIndex(true, on: writer)
                try writer.execute("""
                    WITH moved AS (
                        SELECT s.status, s.currency, -1 AS entries, -s.amount AS amount
                        FROM stage_settlements g JOIN recon.credit_settlements s ON s.credit_ref = g.credit_ref
                        UNION ALL
                        SELECT status, currency, 1, amount FROM stage_settlements
                    )
                    INSERT INTO recon.settlement_totals AS t (status, currency, entries, amount)
                    SELECT status, currency, sum(entries), sum(amount) FROM moved GROUP BY status, currency
                    ON CONFLICT (status, currency) DO UPDATE SET entries = t.entries + EXCLUDED.entries,
                                                                amount = t.amount + EXCLUDED.amount
                    """)
                try writer.execute("""
                    INSERT INTO recon.credit_settlements (credit_ref, status, issues, applied_amount, applied_at,
                                                          live_applications, as_of, run_id, currency, amount, due_by)
                    SELECT credit_ref, status, issues, applied_amount, applied_at, live_applications, $1, $2, currency,
                           amount, due_by
                    FROM stage_settlements
                    ON CONFLICT (credit_ref) DO UPDATE SET status = EXCLUDED.status, issues = EXCLUDED.issues,
                        applied_amount = EXCLUDED.applied_amount, applied_at = EXCLUDED.applied_at,
                        live_applications = EXCLUDED.live_applications, as_of = EXCLUDED.as_of, run_id = EXCLUDED.run_id
                    """, [asOf, runID])
            }
        }
    }
}
