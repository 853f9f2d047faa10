import PGClient

/// The first night's spend read, and the physical order of the spend tables.
///
/// The read hands rows on ordered by account and time. PostgreSQL's planner, left alone, scans
/// each table, hash-joins it to the spans and sorts what is left: several seconds before the
/// first row on a large platform (an external sort of millions of rows), with nothing for the
/// job to do meanwhile. Where a table is laid out by account (loaded or `CLUSTER`ed that way;
/// the benchmark's tables are), one range scan of its `(account_id, time)` index per account
/// (`SpendStatements.spansInAccountOrder`) yields the same rows already in order, streaming from the first
/// millisecond, and fetches only the rows inside the spans (a merge join along the index would
/// fetch every row to test it against the span). The planner does not choose either by itself: it estimates the span
/// filter to keep about a thirteenth of the rows it keeps, so it prices the sort far too low.
///
/// So a read of one table (each of the run's two readers reads one, `SplitSpendRead`) asks
/// `pg_stats` how closely the table follows `account_id`; when it does (correlation at least
/// `accountOrderCorrelation`), it turns hash joins and explicit sorts off in its own session for
/// that one statement. (A read of both tables at once keeps the planner's plan: their union
/// would be sorted again anyway.) A table laid out by time, as billing tables usually are, keeps
/// the planner's choice: there the index order would mean a random page per row. Views and
/// tables never analysed have no statistics and keep it too.
extension FactReader {
    /// The correlation of `account_id` with the physical row order from which a table counts as
    /// laid out by account.
    static let accountOrderCorrelation = "0.9"

    /// Whether every table of `tables` is laid out by account, by its planner statistics.
    func laidOutByAccount(_ tables: SpendTables) throws -> Bool {
        var names: [String] = []
        if tables.readsBills { names.append("billed_spend") }
        if tables.readsTopups { names.append("topup_consumption") }
        let result = try connection.execute("""
            SELECT count(DISTINCT tablename)::int8 FROM pg_stats
            WHERE schemaname = 'billing' AND attname = 'account_id' AND NOT inherited
              AND tablename = ANY (string_to_array($1, ',')) AND correlation >= $2::real
            """, [names.joined(separator: ","), Self.accountOrderCorrelation])
        let ordered = try result.rows.first?.decode(0, as: Int64.self) ?? 0
        return ordered == Int64(names.count)
    }

    /// Runs `body` with hash joins and explicit sorts off in this session when `ordered`, and
    /// puts both back afterwards whatever happens.
    @discardableResult
    func withAccountOrderPlan<T>(_ ordered: Bool, _ body: () throws -> T) throws -> T {
        guard ordered else { return try body() }
        try connection.execute("SET enable_hashjoin = off")
        try connection.execute("SET enable_sort = off")
        defer { try? connection.executeScript("RESET enable_hashjoin; RESET enable_sort") }
        return try body()
    }

    /// Runs `body` with sequential and plain index scans off in this session, and puts both back
    /// afterwards whatever happens: the rows without a time are a few thousand among millions,
    /// and a bitmap scan of the `(account_id, time)` index finds them for a fraction of the CPU
    /// of a sequential scan of the table, without the parallel workers that would compete for
    /// the cores the rest of the night uses. Without such an index the planner still has the scan.
    @discardableResult
    func withUntimedRowsPlan<T>(_ body: () throws -> T) throws -> T {
        try connection.execute("SET enable_seqscan = off")
        try connection.execute("SET enable_indexscan = off")
        defer { try? connection.executeScript("RESET enable_seqscan; RESET enable_indexscan") }
        return try body()
    }

    /// Whether a later night reads the rows without a time of the spans' accounts at once
    /// (`SpendStatements.untimed`, as the first night does) and then each span as one index range, rather
    /// than probing each of the `accounts` for them beside its span (`SpendStatements.spansByIndex`, whose
    /// span is then a filter over all of the account's index entries). A partial index on those
    /// rows (docs/PERFORMANCE.md, "Indexes") makes the read at once cheap; without one it is a
    /// pass over a whole index, dearer than the probes. The planner's estimate of the read at
    /// once says which, against `untimedReadCostPerAccount` per account (about what the planner
    /// estimates one probe at).
    func untimedRowsAreIndexed(_ tables: SpendTables, accounts: Int) throws -> Bool {
        let top = try withUntimedRowsPlan {
            try connection.execute("EXPLAIN " + SpendStatements.untimed(tables))[0].decode(0, as: String.self)
        }
        guard let cost = Self.totalCost(planLine: top) else { return false }
        let (limit, overflow) = untimedReadCostPerAccount.multipliedReportingOverflow(by: Int64(accounts))
        return overflow || cost < limit
    }

    /// The whole part of a plan line's total cost, `Node  (cost=0.00..1234.56 rows=...)`: the
    /// number after the `..` (1234); nil when the line has none or it does not fit.
    static func totalCost(planLine: String) -> Int64? {
        guard let cost = planLine.range(of: "cost="), let dots = planLine.range(of: "..", range: cost.upperBound..<planLine.endIndex)
        else { return nil }
        return Int64(planLine[dots.upperBound...].prefix { $0.isNumber })
    }
}
