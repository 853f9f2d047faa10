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

    func settle() throws -> SettlementSummary {
        let started = MonotonicClock.microseconds()
        if runID != nil { try writer.execute(Self.stageTable) }
        var tally = SettlementTally()
        var changes: [(Settlement, exponent: Int)] = []
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
            rejections.removeAll()
        }
        try SettlementRead.entries(on: reader, rejected: { rejections.append($0) }) { item in
            let settlement = try Settlement.settle(item.entry, applications: item.applications, asOf: asOf)
            try tally.add(settlement, of: item.entry)
            if settlement != item.stored { changes.append((settlement, item.entry.currency.exponent)) }
            if changes.count + rejections.count >= batchSize { try flush() }
        }
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
