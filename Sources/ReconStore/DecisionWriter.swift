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
    /// The run's `as_of`: the first settlement of each credit handed over is as of it.
    let asOf: Instant

    public init(connection: Connection, runID: Int64, asOf: Instant) throws {
        self.connection = connection
        self.runID = runID
        self.asOf = asOf
        try connection.execute("SET jit = off")
        try connection.executeScript("""
            CREATE TEMP TABLE IF NOT EXISTS stage_decisions (
                program_id text, subject_key text, subject text, integration_id bigint, partner text,
                merchant_id text, promo_code text, account_id bigint, country text, currency text, status text,
                final boolean, waiting_for text, tier integer, credit numeric, qualifying_spend numeric,
                excluded_tax numeric, excluded_credit numeric, excluded_unpaid numeric, excluded_before_window numeric,
                next_tier integer, next_threshold numeric, window_start timestamptz, window_end timestamptz,
                cutoff timestamptz, reached_at timestamptz, due_by timestamptz, expires_at timestamptz,
                decided_at timestamptz, as_of timestamptz, decision_digest bytea, reasons text[], payment_mode text
            )
            """)
    }

    /// The columns that make a decision, and so tell whether an open subject's decision changed
    /// (`DecisionDigest`): every column `appendStatus` writes but the last two.
    static let decisionColumnNames = [
        "program_id", "subject_key", "subject", "integration_id", "partner", "merchant_id", "promo_code", "account_id",
        "country", "currency", "status", "final", "waiting_for", "tier", "credit", "qualifying_spend", "excluded_tax",
        "excluded_credit", "excluded_unpaid", "excluded_before_window", "next_tier", "next_threshold", "window_start",
        "window_end", "cutoff", "reached_at", "due_by", "expires_at", "decided_at",
    ]
    /// The columns shared by the staging table and `recon.subject_status`: the decision, the
    /// instant it was made as of (which moves every night) and the decision's digest.
    static let columnNames = decisionColumnNames + ["as_of", "decision_digest"]
    static let columns = columnNames.joined(separator: ", ")
    /// `SET col = EXCLUDED.col, ...` for every column but the key.
    static let updates = columnNames.dropFirst(2).map { "\($0) = EXCLUDED.\($0)" }.joined(separator: ", ")
    /// The columns compared to tell whether a stored row changes, `as_of` first: PostgreSQL
    /// compares two rows column by column and stops at the first difference, and on a later
    /// night an open subject's row usually differs in `as_of` alone.
    static let comparedColumns = ["as_of"] + columnNames.filter { $0 != "as_of" }
    static let storedTuple = comparedColumns.map { "recon.subject_status.\($0)" }.joined(separator: ", ")
    static let incomingTuple = comparedColumns.map { "EXCLUDED.\($0)" }.joined(separator: ", ")

    /// Writes one batch atomically, with `alsoInTransaction` (a rerun's adjustments and
    /// discrepancies, returning the adjustments' ids) in the same transaction, and last the
    /// outbox entries of the grants and adjustments it added (`CreditOutbox`); returns how many
    /// subject rows changed and how long the handover took.
    ///
    /// The batch's `decisions` go through the staging table and change only what differs. Its
    /// `newSubjects` were found with no stored row (under the run lock, so none can appear
    /// meanwhile): their status, reasons and grant are copied straight into `recon`, with no
    /// staging and no conflict check (the first night is all new subjects). A stored row there
    /// after all is a unique violation that fails the batch: never a second grant, never a
    /// silent overwrite.
    @discardableResult
    func write(_ batch: WriteBatch, alsoInTransaction: (() throws -> [Int64])? = nil) throws -> BatchWritten {
        try connection.transaction {
            var changed = 0
            var credits: [CreditHandover] = []
            if !batch.newSubjects.isEmpty {
                changed += try insertNew(batch.newSubjects, grants: &credits)
            }
            if !batch.decisions.isEmpty {
                changed += try upsert(batch.decisions, grants: &credits)
            }
            try record(batch.rejections)
            credits += try CreditHandover.adjustments(try alsoInTransaction?() ?? [], on: connection)
            let handoverStart = MonotonicClock.microseconds()
            try CreditOutbox(connection: connection).handOver(credits, asOf: asOf, runID: runID)
            return BatchWritten(rows: changed, handoverMicros: MonotonicClock.microseconds() - handoverStart)
        }
    }

    /// Subjects with no stored row: three binary COPYs. Each grant's id is drawn first, so its
    /// credit can be handed over without reading the grant back.
    private func insertNew(_ decisions: [Decision], grants credits: inout [CreditHandover]) throws -> Int {
        let inserted = try connection.copyInBinary(
            "COPY recon.subject_status (\(Self.columns), run_id) FROM STDIN (FORMAT binary)") { writer in
            var digestInput = DecisionDigest.Input()
            for decision in decisions {
                try writer.beginRow(fields: Self.columnNames.count + 1)
                Self.appendStatus(decision, to: &writer, digestInput: &digestInput)
                writer.int64(runID)
            }
        }
        if decisions.contains(where: { !$0.reasons.isEmpty }) {
            try connection.copyInBinary(
                "COPY recon.ineligibility_reasons (program_id, subject_key, reason, run_id) FROM STDIN (FORMAT binary)") { writer in
                for decision in decisions {
                    for reason in decision.reasons {
                        try writer.beginRow(fields: 4)
                        writer.text(decision.subject.programID)
                        writer.text(decision.subject.key)
                        writer.text(reason.rawValue)
                        writer.int64(runID)
                    }
                }
            }
        }
        let grants = decisions.filter { $0.status == .granted }
        if !grants.isEmpty {
            let ids = try connection.execute("""
                WITH grants AS MATERIALIZED (SELECT pg_get_serial_sequence('recon.credit_grants', 'grant_id')::regclass AS ids)
                SELECT nextval(grants.ids) FROM grants, generate_series(1, $1::int8)
                """, [Int64(grants.count)]).rows.map { try $0.decode(0, as: Int64.self) }.sorted()
            try connection.copyInBinary(
                "COPY recon.credit_grants (grant_id, \(Self.grantColumns)) FROM STDIN (FORMAT binary)") { writer in
                for (id, decision) in zip(ids, grants) {
                    try writer.beginRow(fields: 21)
                    writer.int64(id)
                    Self.appendGrant(decision, runID: runID, to: &writer)
                }
            }
            for (id, decision) in zip(ids, grants) { credits.append(try CreditHandover(grantID: id, of: decision)) }
        }
        return inserted
    }

    /// Subjects that may have a stored row: staged, then set-based statements that change
    /// nothing when nothing changed.
    private func upsert(_ decisions: [Decision], grants credits: inout [CreditHandover]) throws -> Int {
        try connection.execute("TRUNCATE stage_decisions")
        try connection.copyInBinary(
            "COPY stage_decisions (\(Self.columns), reasons, payment_mode) FROM STDIN (FORMAT binary)") { writer in
            var digestInput = DecisionDigest.Input()
            for decision in decisions {
                try writer.beginRow(fields: Self.columnNames.count + 2)
                Self.appendStatus(decision, to: &writer, digestInput: &digestInput)
                writer.textArray(decision.reasons.map(\.rawValue))
                writer.text(decision.paymentMode)
            }
        }
        // No `ANALYZE` of the staged rows (it would cost every batch a statement): the only join below, the reasons' DELETE, is held to probing the primary key per staged
        // subject whatever the statistics say, and the planner sizes the fresh temporary table
        // from its pages anyway.
        let changed = try connection.execute("""
            INSERT INTO recon.subject_status (\(Self.columns), run_id)
            SELECT \(Self.columns), $1 FROM stage_decisions
            ON CONFLICT (program_id, subject_key) DO UPDATE SET \(Self.updates), run_id = EXCLUDED.run_id
            WHERE (\(Self.storedTuple)) IS DISTINCT FROM (\(Self.incomingTuple))
            """, [runID]).affectedRows
        // One index probe per staged subject: a hash join would scan every stored reason on
        // every batch, a cost that grows with the table; probing the primary key does not.
        // `SET LOCAL` would end with the batch's transaction (also on error); reset right after.
        try connection.executeScript("SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off;")
        try connection.execute("""
            DELETE FROM recon.ineligibility_reasons r USING stage_decisions s
            WHERE r.program_id = s.program_id AND r.subject_key = s.subject_key
              AND NOT (r.reason = ANY (s.reasons))
            """)
        try connection.executeScript("RESET enable_hashjoin; RESET enable_mergejoin;")
        try connection.execute("""
            INSERT INTO recon.ineligibility_reasons (program_id, subject_key, reason, run_id)
            SELECT s.program_id, s.subject_key, unnest(s.reasons), $1 FROM stage_decisions s
            WHERE cardinality(s.reasons) > 0
            ON CONFLICT DO NOTHING
            """, [runID])
        // One grant per subject: a second run finds the grant there and adds nothing. Any other
        // unique violation (a second grant for an account or a merchant) is a bug and fails
        // the batch rather than being silently dropped.
        let added = try connection.execute("""
            INSERT INTO recon.credit_grants (\(Self.grantColumns))
            SELECT program_id, subject_key, subject, account_id, integration_id, partner, merchant_id, promo_code,
                   tier, country, currency, credit, qualifying_spend, window_start, window_end, reached_at, due_by,
                   expires_at, payment_mode, $1
            FROM stage_decisions WHERE status = 'granted'
            ON CONFLICT (program_id, subject_key) DO NOTHING
            RETURNING grant_id, program_id, subject_key
            """, [runID])
        if added.rowCount > 0 {
            var granted: [SubjectID: Decision] = [:]
            for decision in decisions where decision.status == .granted {
                granted[SubjectID(decision.subject.programID, decision.subject.key)] = decision
            }
            for row in try added.rows.sorted(by: { try $0.decode(0, as: Int64.self) < $1.decode(0, as: Int64.self) }) {
                let subject = SubjectID(try row.decode(1), try row.decode(2))
                guard let decision = granted[subject] else { throw DataError("grant of \(subject.subject) was not staged") }
                credits.append(try CreditHandover(grantID: try row.decode(0), of: decision))
            }
        }
        return changed
    }

    static let grantColumns = """
        program_id, subject_key, subject, account_id, integration_id, partner, merchant_id, promo_code, tier, country, \
        currency, credit, qualifying_spend, window_start, window_end, reached_at, due_by, expires_at, payment_mode, run_id
        """

    /// Records rejected input rows (first sighting only: a rerun adds nothing).
    public func record(_ rejections: [Rejection]) throws {
        try Self.record(rejections, runID: runID, on: connection)
    }

    /// `record` on any connection: the settlement stage records rejected applications too.
    static func record(_ rejections: [Rejection], runID: Int64, on connection: Connection) throws {
        guard !rejections.isEmpty else { return }
        try connection.execute("""
            INSERT INTO recon.rejected_rows (source_table, source_key, problem, first_run_id)
            SELECT t, k, p, $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS x(t, k, p)
            ON CONFLICT DO NOTHING
            """, [rejections.map(\.table), rejections.map(\.key), rejections.map(\.problem), runID])
    }

    /// The `columnNames` of one decision, in order, in binary: amounts as exact `numeric` with
    /// the currency's digits (what `Currency.format` prints), times as `timestamptz`, and last
    /// an open decision's digest (`DecisionDigest`, made in `input`); a final one has none (no
    /// night compares it again).
    static func appendStatus(_ d: Decision, to w: inout BinaryCopyInWriter, digestInput input: inout DecisionDigest.Input) {
        appendDecisionColumns(d, to: &w)
        w.instant(d.asOf)
        if d.isFinal {
            w.null()
        } else {
            DecisionDigest(of: d, using: &input).withBytes { w.bytea($0) }
        }
    }

    /// `decisionColumnNames`: every column of `appendStatus` but the last two.
    static func appendDecisionColumns<Sink: DecisionColumnSink>(_ d: Decision, to w: inout Sink) {
        let exponent = d.currency.exponent
        func money(_ minor: Int64?) { w.money(minor, exponent: exponent) }
        let grantedTier = d.status == .granted ? d.tier : nil
        w.text(d.subject.programID)
        w.text(d.subject.key)
        w.text(d.subject.name)
        w.int64(d.subject.integrationID)
        w.text(d.subject.partner)
        w.text(d.subject.merchantID)
        w.text(d.subject.promoCode)
        w.int64(d.subject.accountID)
        w.text(d.country)
        w.text(d.currency.code)
        w.text(d.status.rawValue)
        w.bool(d.isFinal)
        w.text(d.waitingFor?.rawValue)
        w.int32(grantedTier.map { Int32($0.level) })
        money(grantedTier?.credit)
        money(d.spend.qualifying)
        money(d.spend.excludedTax)
        money(d.spend.excludedCredit)
        money(d.spend.excludedUnpaid)
        money(d.spend.excludedBeforeWindow)
        w.int32(d.nextTier.map { Int32($0.level) })
        money(d.nextTier?.threshold)
        w.instant(d.window?.start)
        w.instant(d.window?.end)
        w.instant(d.window?.cutoff)
        w.instant(d.reachedAt)
        w.instant(d.dueBy)
        w.instant(d.expiresAt)
        w.instant(d.decidedAt)
    }

    /// The `grantColumns` of a granted decision.
    static func appendGrant(_ d: Decision, runID: Int64, to w: inout BinaryCopyInWriter) {
        let exponent = d.currency.exponent
        w.text(d.subject.programID)
        w.text(d.subject.key)
        w.text(d.subject.name)
        w.int64(d.subject.accountID)
        w.int64(d.subject.integrationID)
        w.text(d.subject.partner)
        w.text(d.subject.merchantID)
        w.text(d.subject.promoCode)
        w.int32(d.tier.map { Int32($0.level) })
        w.text(d.country)
        w.text(d.currency.code)
        w.numeric(minorUnits: d.tier?.credit, scale: exponent)
        w.numeric(minorUnits: d.spend.qualifying, scale: exponent)
        w.instant(d.window?.start)
        w.instant(d.window?.end)
        w.instant(d.reachedAt)
        w.instant(d.dueBy)
        w.instant(d.expiresAt)
        w.text(d.paymentMode)
        w.int64(runID)
    }
}
