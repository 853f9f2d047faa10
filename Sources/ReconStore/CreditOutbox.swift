import Exact
import PGClient
import ReconRules

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

    /// Adds an entry for each of `credits`, each with its first settlement as of `asOf`
    /// (nothing applied yet: awaiting, or overdue when `due_by` has passed) counted into the
    /// totals, then notifies the channel; returns how many were added. Call it last in the
    /// transaction: the lock it takes is held until the commit, so what comes after it is kept
    /// short (the settlements go in before it). Positions follow the order of `credits`; the
    /// rows go in by COPY, since a night hands over every grant it makes.
    @discardableResult
    func handOver(_ credits: [CreditHandover], asOf: Instant, runID: Int64) throws -> Int {
        guard !credits.isEmpty else { return 0 }
        let counted = try writeFirstSettlements(of: credits, asOf: asOf, runID: runID)
        try connection.execute("SELECT pg_advisory_xact_lock($1::bigint)", [Self.lockKey])
        let positions = try connection.execute("""
            SELECT nextval('recon.credit_outbox_position') FROM generate_series(1, $1::int8)
            """, [Int64(credits.count)]).rows.map { try $0.decode(0, as: Int64.self) }.sorted()
        try writeEntries(credits, at: positions, runID: runID)
        // The totals' rows are shared by every writer: updated under the lock, they are taken in turn.
        try connection.execute("""
            INSERT INTO recon.settlement_totals AS t (status, currency, entries, amount)
            SELECT * FROM unnest($1::text[], $2::text[], $3::int8[], $4::numeric[])
            ON CONFLICT (status, currency) DO UPDATE SET entries = t.entries + EXCLUDED.entries, amount = t.amount + EXCLUDED.amount
            """, [counted.map(\.status.rawValue), counted.map(\.currency.code), counted.map(\.entries),
                  counted.map { $0.currency.format($0.amount) }])
        try connection.execute("SELECT pg_notify($1, $2)", [Self.channel, String(positions.last!)])
        return credits.count
    }

    /// Copies each credit's first settlement (`Settlement.settle` with nothing applied); returns
    /// them counted by status and currency.
    private func writeFirstSettlements(of credits: [CreditHandover], asOf: Instant, runID: Int64) throws
        -> [(status: Settlement.Status, currency: Currency, entries: Int64, amount: Int64)] {
        var totals: [Settlement.Status: [Currency: (entries: Int64, amount: Int64)]] = [:]
        try connection.copyInBinary("""
            COPY recon.credit_settlements (credit_ref, status, applied_amount, live_applications, as_of, run_id, currency,
                                           amount, due_by) FROM STDIN (FORMAT binary)
            """) { w in
            for credit in credits {
                let first = try Settlement.settle(credit.entry, applications: [], asOf: asOf)
                var total = totals[first.status, default: [:]][credit.currency, default: (0, 0)]
                total.entries += 1
                total.amount = try SettlementTally.sum(total.amount, credit.amount, credit.currency)
                totals[first.status, default: [:]][credit.currency] = total
                try w.beginRow(fields: 9)
                w.text(credit.creditRef)
                w.text(first.status.rawValue)
                w.numeric(minorUnits: 0, scale: credit.currency.exponent)
                w.int32(0)
                w.instant(asOf)
                w.int64(runID)
                w.text(credit.currency.code)
                w.numeric(minorUnits: credit.amount, scale: credit.currency.exponent)
                w.instant(credit.dueBy)
            }
        }
        return totals.flatMap { status, byCurrency in
            byCurrency.map { (status: status, currency: $0.key, entries: $0.value.entries, amount: $0.value.amount) }
        }
    }

    /// Copies the outbox entries, `positions[i]` for `credits[i]`.
    private func writeEntries(_ credits: [CreditHandover], at positions: [Int64], runID: Int64) throws {
        try connection.copyInBinary("""
            COPY recon.credit_outbox (position, credit_ref, kind, program_id, subject_key, subject, account_id, currency,
                                      amount, due_by, expires_at, payment_mode, run_id) FROM STDIN (FORMAT binary)
            """) { w in
            for (position, credit) in zip(positions, credits) {
                try w.beginRow(fields: 13)
                w.int64(position)
                w.text(credit.creditRef)
                w.text(credit.kind)
                w.text(credit.programID)
                w.text(credit.subjectKey)
                w.text(credit.subject)
                w.int64(credit.accountID)
                w.text(credit.currency.code)
                w.numeric(minorUnits: credit.amount, scale: credit.currency.exponent)
                w.instant(credit.dueBy)
                w.instant(credit.expiresAt)
                w.text(credit.paymentMode)
                w.int64(runID)
            }
        }
    }

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
