import Exact
import PGClient
import ReconRules

extension ReportData {
    /// Reads the report as of `asOf` (default: the latest successful nightly run's `as_of`, or
    /// the database's clock before any) with the last `runs` runs up to it. Every section is one
    /// aggregate statement; only the oldest overdue credits come back as rows, and a bounded few.
    public static func read(_ connection: Connection, asOf requested: Instant?, runs: Int) throws -> ReportData {
        let latest = try runLines(connection, "WHERE kind = 'run' AND status = 'succeeded' ORDER BY run_id DESC LIMIT 1", []).first
        let asOf = try requested ?? latest?.asOf ?? DatabaseClock.now(connection)
        var data = ReportData(asOf: asOf, latestRun: latest)
        data.subjects = try connection.execute("""
            SELECT program_id, status, count(*)::int8 FROM recon.subject_status GROUP BY 1, 2 ORDER BY 1, 2
            """).rows.map { SubjectCount(program: try $0.decode(0), status: try $0.decode(1), subjects: try $0.decode(2)) }
        // A grant's current tier and credit: the original with every rerun's adjustment added.
        data.granted = try connection.execute("""
            SELECT g.currency, coalesce(a.tier, g.tier), count(*)::int8, sum(g.credit + coalesce(a.credit, 0))::text
            FROM recon.credit_grants g
            LEFT JOIN LATERAL (SELECT max(to_tier) AS tier, sum(credit_delta) AS credit FROM recon.adjustments
                               WHERE grant_id = g.grant_id) a ON true
            GROUP BY 1, 2 ORDER BY 1, 2
            """).rows.map { row in
            let currency = try Self.currency(row, 0)
            return GrantedCredit(currency: currency, tier: try row.decode(1), grants: try row.decode(2),
                                 credit: try Self.minor(row, 3, currency))
        }
        data.settlements = try connection.execute("""
            SELECT \(Self.statusAsOf), o.currency, count(*)::int8, sum(o.amount)::text
            FROM recon.credit_outbox o LEFT JOIN recon.credit_settlements s ON s.credit_ref = o.credit_ref
            GROUP BY 1, 2 ORDER BY 1, 2
            """, [asOf]).rows.map { row in
            let currency = try Self.currency(row, 1)
            return SettlementAmount(status: try row.decode(0), currency: currency, entries: try row.decode(2),
                                    amount: try Self.minor(row, 3, currency))
        }
        data.overdueAges = try connection.execute("""
            SELECT CASE WHEN days <= 7 THEN 0 WHEN days <= 30 THEN 1 ELSE 2 END, currency, count(*)::int8, sum(amount)::text
            FROM (\(Self.overdueEntries)) o GROUP BY 1, 2 ORDER BY 1, 2
            """, [asOf]).rows.map { row in
            let currency = try Self.currency(row, 1)
            return OverdueAge(bucket: Self.ageBuckets[try row.decode(0, as: Int.self)], currency: currency,
                              entries: try row.decode(2), amount: try Self.minor(row, 3, currency))
        }
        data.outstanding = try Self.outstanding(data.settlements)
        data.oldestOverdue = try connection.execute("""
            SELECT credit_ref, program_id, subject, currency, amount::text, due_by, days
            FROM (\(Self.overdueEntries)) o ORDER BY due_by, credit_ref LIMIT $2
            """, [asOf, Int64(Self.oldestShown)]).rows.map { row in
            let currency = try Self.currency(row, 3)
            return OverdueCredit(creditRef: try row.decode(0), program: try row.decode(1), subject: try row.decode(2),
                                 currency: currency, amount: try Self.minor(row, 4, currency), dueBy: try row.decode(5),
                                 days: try row.decode(6))
        }
        try readPending(connection, into: &data)
        data.reasons = try connection.execute("""
            SELECT reason, count(*)::int8 FROM recon.ineligibility_reasons GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10
            """).rows.map { ReasonCount(reason: try $0.decode(0), subjects: try $0.decode(1)) }
        data.rejected = try connection.execute("""
            SELECT source_table, problem, count(*)::int8 FROM recon.rejected_rows GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2
            """).rows.map { RejectedCount(table: try $0.decode(0), problem: try $0.decode(1), rows: try $0.decode(2)) }
        data.runs = try runLines(connection, "WHERE as_of <= $1 ORDER BY run_id DESC LIMIT $2", [asOf, Int64(runs)])
        data.unmatchedApplications = try connection.execute("SELECT count(*)::int8 FROM recon.unmatched_applications")[0].decode(0)
        return data
    }

    /// An entry's settlement status as of `$1`: the stored one, except that an awaiting credit
    /// (or one no run has settled yet) whose `due_by` has passed is overdue.
    static let statusAsOf = """
        CASE WHEN coalesce(s.status, 'awaiting') = 'awaiting' AND o.due_by <= $1 THEN 'overdue'
             ELSE coalesce(s.status, 'awaiting') END
        """

    /// The overdue entries as of `$1`, with the days since `due_by` (a started day counts).
    static let overdueEntries = """
        SELECT o.credit_ref, o.program_id, o.subject, o.currency, o.amount, o.due_by,
               greatest(1, ceil(extract(epoch FROM $1::timestamptz - o.due_by) / 86400))::int8 AS days
        FROM recon.credit_outbox o LEFT JOIN recon.credit_settlements s ON s.credit_ref = o.credit_ref
        WHERE \(statusAsOf) = 'overdue'
        """

    /// Pending subjects with a next tier: their progress toward it in quarters (compared
    /// exactly, in numeric), and the credit they would cost if each reached it.
    static func readPending(_ connection: Connection, into data: inout ReportData) throws {
        let pending = """
            SELECT s.program_id, s.currency, s.qualifying_spend AS spent, s.next_threshold AS threshold, t.credit
            FROM recon.subject_status s
            JOIN recon.program_tiers t ON t.program_id = s.program_id AND t.country = s.country AND t.tier = s.next_tier
            WHERE s.status = 'pending' AND s.next_threshold > 0
            """
        data.progress = try connection.execute("""
            SELECT program_id, CASE WHEN spent * 4 < threshold THEN 0 WHEN spent * 2 < threshold THEN 1
                                    WHEN spent * 4 < threshold * 3 THEN 2 ELSE 3 END, count(*)::int8
            FROM (\(pending)) p GROUP BY 1, 2 ORDER BY 1, 2
            """).rows.map { Progress(program: try $0.decode(0), bucket: Self.progressBuckets[try $0.decode(1, as: Int.self)],
                                     subjects: try $0.decode(2)) }
        data.nextTierCost = try connection.execute("""
            SELECT program_id, currency, count(*)::int8, sum(credit)::text FROM (\(pending)) p GROUP BY 1, 2 ORDER BY 1, 2
            """).rows.map { row in
            let currency = try Self.currency(row, 1)
            return NextTierCost(program: try row.decode(0), currency: currency, subjects: try row.decode(2),
                                credit: try Self.minor(row, 3, currency))
        }
    }

    static func outstanding(_ settlements: [SettlementAmount]) throws -> [Outstanding] {
        var byCurrency: [Currency: Outstanding] = [:]
        for line in settlements where line.status == "awaiting" || line.status == "overdue" {
            var owed = byCurrency[line.currency] ?? Outstanding(currency: line.currency, awaiting: 0, overdue: 0, total: 0)
            if line.status == "awaiting" { owed.awaiting = line.amount } else { owed.overdue = line.amount }
            let (total, overflow) = owed.awaiting.addingReportingOverflow(owed.overdue)
            guard !overflow else { throw DataError("outstanding \(line.currency.code) credit overflows 64-bit minor units") }
            owed.total = total
            byCurrency[line.currency] = owed
        }
        return byCurrency.values.sorted { $0.currency.code < $1.currency.code }
    }

    static func runLines(_ connection: Connection, _ tail: String, _ parameters: [PostgresEncodable?]) throws -> [RunLine] {
        try connection.execute("""
            SELECT run_id, kind, status, as_of, started_at,
                   (extract(epoch FROM finished_at - started_at) * 1000000)::int8, evaluated, written, rejected_rows
            FROM recon.runs \(tail)
            """, parameters).rows.map { row in
            RunLine(runID: try row.decode(0), kind: try row.decode(1), status: try row.decode(2), asOf: try row.decode(3),
                    startedAt: try row.decode(4), micros: try row.decodeIfPresent(5), evaluated: try row.decode(6),
                    written: try row.decode(7), rejected: try row.decode(8))
        }
    }

    static func currency(_ row: Row, _ column: Int) throws -> Currency {
        let code = try row.decode(column, as: String.self)
        guard let currency = Currency(code: code) else { throw DataError("unknown currency \(code) in recon") }
        return currency
    }

    static func minor(_ row: Row, _ column: Int, _ currency: Currency) throws -> Int64 {
        let text = try row.decode(column, as: String.self)
        do {
            return try ExactDecimal(parsing: text).minorUnits(exponent: currency.exponent)
        } catch {
            throw DataError("\(text) \(currency.code) in recon is not an exact amount in minor units")
        }
    }
}
