import Exact
import PGClient
@testable import ReconStore
import ReconRules
import SampleData
import XCTest

/// The spend read split over two connections (`SplitSpendRead`) hands on exactly what one read
/// does: the same accounts in the same ascending order with the same rows, and the same
/// rejections; and whichever side fails, both reading threads end and both connections are
/// usable again.
final class SplitSpendReadTests: XCTestCase {
    private static func loadedFixture() throws -> StoreFixture {
        let f = try StoreFixture()
        var profile = SampleProfile.bench(merchants: 1500, rows: 60_000, seed: 17)
        profile.badRowsPerMille = 10
        try SampleLoader(connection: f.db).load(SampleGenerator(profile: profile))
        try f.db.executeScript("ANALYZE billing.billed_spend; ANALYZE billing.topup_consumption")
        return f
    }

    private struct Read: Equatable {
        var accounts: [Int64] = []
        var rows: [Int64: [SpendRow]] = [:]
        var rejections: Set<Rejection> = []
        var rejectionCalls = 0
    }

    private func spans(_ f: StoreFixture, asOf: Instant) throws -> (spans: [AccountSpan], accounts: AccountLookup) {
        let connections = try f.nightConnections()
        let reader = connections.billing[0]
        let planned = try Reconciler(connections: connections, logger: quietLogger()).plannedSpans(asOf: asOf)
        let programs = try ProgramCatalog(connection: f.db).load(only: nil)
        let facts = try FactReader(connection: reader, asOf: asOf).readSubjects(programs: programs)
        return (planned.spans, facts.accounts)
    }

    private func readOnce(_ f: StoreFixture, _ spans: [AccountSpan], accounts: AccountLookup, asOf: Instant,
                          untimedReadCostPerAccount: Int64 = 4) throws -> Read {
        var read = Read()
        var factReader = FactReader(connection: try Connection(conninfo: f.conninfo, logger: quietLogger()), asOf: asOf)
        factReader.untimedReadCostPerAccount = untimedReadCostPerAccount
        try factReader.streamSpend(
            accounts: accounts, .spans(spans),
            reject: { rejection, _ in read.rejections.insert(rejection); read.rejectionCalls += 1 }) { account, rows in
            read.accounts.append(account)
            read.rows[account] = rows.sorted(by: SpendRow.chronological)
        }
        return read
    }

    private func readSplit(_ f: StoreFixture, _ spans: [AccountSpan], accounts: AccountLookup, asOf: Instant,
                           chunkSize: Int = 64, untimedReadCostPerAccount: Int64 = 4) throws -> Read {
        var read = Read()
        var split = SplitSpendRead(readers: try (0..<2).map { _ in
            var reader = FactReader(connection: try Connection(conninfo: f.conninfo, logger: quietLogger()), asOf: asOf)
            reader.untimedReadCostPerAccount = untimedReadCostPerAccount
            return reader
        }, accounts: accounts)
        split.chunkSize = chunkSize
        split.queueCapacity = 2
        try split.stream(spans, reject: { read.rejections.insert($0); read.rejectionCalls += 1 }) { account, rows in
            read.accounts.append(account)
            read.rows[account] = rows.sorted(by: SpendRow.chronological)
        }
        return read
    }

    func testTheSplitReadHandsOnWhatOneReadDoes() throws {
        let f = try Self.loadedFixture()
        let asOf = SampleProfile.bench(merchants: 1500, rows: 60_000, seed: 17).asOf
        let (spans, accounts) = try spans(f, asOf: asOf)
        XCTAssertGreaterThan(spans.count, 1000)
        // Every span: the first night's read (one pass over each table, in account order).
        let once = try readOnce(f, spans, accounts: accounts, asOf: asOf)
        XCTAssertGreaterThan(once.accounts.count, 1000)
        XCTAssertGreaterThan(once.rejections.count, 50, "the fixture has bad rows of every class inside spans")
        for chunkSize in [1, 64] {
            let split = try readSplit(f, spans, accounts: accounts, asOf: asOf, chunkSize: chunkSize)
            XCTAssertEqual(split.accounts, once.accounts, "chunk \(chunkSize)")
            XCTAssertEqual(split.accounts, split.accounts.sorted())
            XCTAssertEqual(split.rows, once.rows)
            XCTAssertEqual(split.rejections, once.rejections)
            XCTAssertEqual(split.rejectionCalls, once.rejectionCalls, "each rejected row handed on once")
        }
        // A tenth of them: a later night's read (by index), split the same way.
        let few = spans.enumerated().filter { $0.offset % 10 == 3 }.map(\.element)
        XCTAssertTrue(FactReader.readsSpansByIndex(accounts: few.count, known: accounts.count))
        XCTAssertFalse(FactReader.readsSpansByIndex(accounts: spans.count, known: accounts.count))
        let fewOnce = try readOnce(f, few, accounts: accounts, asOf: asOf)
        let fewSplit = try readSplit(f, few, accounts: accounts, asOf: asOf)
        XCTAssertGreaterThan(fewOnce.accounts.count, 100)
        XCTAssertEqual(fewSplit, fewOnce)
        XCTAssertTrue(fewOnce.rejections.contains { $0.problem == "null_spend_at" }, "rows without a time are read")

        // With the partial indexes of rows without a time (sql/billing_tables.sql), a later
        // night reads those rows at once and each span as one range; told that is too dear (as
        // on a large platform without those indexes), it probes each account for them beside
        // its span. Either way it hands on the same.
        for tables in [SpendTables.bills, .topups] {
            var reader = FactReader(connection: f.db, asOf: asOf)
            let plan = try reader.explainSpendRead(few, knownAccounts: accounts.count, from: tables).joined(separator: "\n")
            XCTAssertTrue(plan.contains("rows without a time"), plan)
            XCTAssertTrue(plan.contains("_untimed"), "the partial index: \(plan)")
            reader.untimedReadCostPerAccount = 0
            let probing = try reader.explainSpendRead(few, knownAccounts: accounts.count, from: tables).joined(separator: "\n")
            XCTAssertFalse(probing.contains("rows without a time"), probing)
        }
        XCTAssertEqual(try readOnce(f, few, accounts: accounts, asOf: asOf, untimedReadCostPerAccount: 0), fewOnce)
        XCTAssertEqual(try readSplit(f, few, accounts: accounts, asOf: asOf, untimedReadCostPerAccount: 0), fewOnce)
    }

    func testThePlanLinesTotalCost() {
        XCTAssertEqual(FactReader.totalCost(planLine: "Nested Loop  (cost=41885.60..43749.73 rows=163 width=83)"), 43749)
        XCTAssertEqual(FactReader.totalCost(planLine: "Result  (cost=0.00..0.01 rows=1 width=4)"), 0)
        XCTAssertNil(FactReader.totalCost(planLine: "Result"))
    }

    func testRunsWithOneAndTwoReadersWriteTheSameDecisions() throws {
        let f = try Self.loadedFixture()
        let asOf = SampleProfile.bench(merchants: 1500, rows: 60_000, seed: 17).asOf
        func decisions(secondReader: Bool) throws -> [[String]] {
            try f.resetDecisions()
            let connections = try f.nightConnections(billing: secondReader ? 2 : 1)
            let summary = try Reconciler(connections: connections, logger: quietLogger()).run(asOf: asOf)
            XCTAssertGreaterThan(summary.evaluated, 1500)
            XCTAssertGreaterThan(summary.rejectedRows, 50)
            return try f.db.execute("""
                SELECT s.program_id || ' ' || s.subject_key || ' ' || s.status || ' ' || coalesce(s.tier::text, '-') || ' '
                       || coalesce(g.credit::text, '-') || ' ' || coalesce(g.reached_at::text, '-') || ' '
                       || s.qualifying_spend || ' ' || s.excluded_tax || ' ' || s.excluded_credit || ' '
                       || s.excluded_unpaid || ' ' || s.excluded_before_window || ' ' || s.final || ' '
                       || coalesce((SELECT string_agg(reason, ';' ORDER BY reason) FROM recon.ineligibility_reasons r
                                    WHERE r.program_id = s.program_id AND r.subject_key = s.subject_key), '')
                FROM recon.subject_status s LEFT JOIN recon.credit_grants g USING (program_id, subject_key)
                UNION ALL
                SELECT 'rejected ' || source_table || ' ' || source_key || ' ' || problem FROM recon.rejected_rows
                ORDER BY 1
                """).rows.map { [try $0.decode(0, as: String.self)] }
        }
        let one = try decisions(secondReader: false)
        let two = try decisions(secondReader: true)
        XCTAssertGreaterThan(one.count, 1600)
        XCTAssertEqual(one, two)
    }

    /// The loaded fixture, its first night's spans, and a split read over two new connections.
    private func splitOverTwoConnections() throws
        -> (StoreFixture, [AccountSpan], SplitSpendRead, first: Connection, second: Connection) {
        let f = try Self.loadedFixture()
        let asOf = SampleProfile.bench(merchants: 1500, rows: 60_000, seed: 17).asOf
        let (spans, accounts) = try spans(f, asOf: asOf)
        let first = try Connection(conninfo: f.conninfo, logger: quietLogger())
        let second = try Connection(conninfo: f.conninfo, logger: quietLogger())
        let split = SplitSpendRead(readers: [FactReader(connection: first, asOf: asOf), FactReader(connection: second, asOf: asOf)],
                                   accounts: accounts)
        return (f, spans, split, first, second)
    }

    func testAReaderThatFailsStopsTheReadAndFreesBothConnections() throws {
        let (f, spans, split, first, second) = try splitOverTwoConnections()
        try f.slowDownSpendReads(seconds: 2)
        defer { try? f.restoreSpendReads() }
        // The first reader reads the bills, which are slowed down.
        try first.setStatementTimeout(milliseconds: 200)
        var handedOn = 0
        XCTAssertThrowsError(try split.stream(spans, reject: { _ in }) { _, _ in handedOn += 1 }) { error in
            XCTAssertEqual((error as? PostgresError)?.sqlState, "57014", "\(error)")
        }
        XCTAssertEqual(handedOn, 0)
        try first.setStatementTimeout(milliseconds: 0)
        XCTAssertEqual(try first.execute("SELECT 1")[0].decode(0, as: Int.self), 1)
        XCTAssertEqual(try second.execute("SELECT 2")[0].decode(0, as: Int.self), 2)
        for connection in [first, second] {
            XCTAssertEqual(try connection.execute("SHOW enable_hashjoin")[0].decode(0, as: String.self), "on")
            XCTAssertEqual(try connection.execute("SHOW enable_sort")[0].decode(0, as: String.self), "on")
        }
    }

    func testAnEvaluationErrorStopsBothReadersAndFreesTheirConnections() throws {
        let (f, spans, unbuffered, first, second) = try splitOverTwoConnections()
        var split = unbuffered
        split.chunkSize = 4
        split.queueCapacity = 1
        struct Stop: Error {}
        var handedOn = 0
        XCTAssertThrowsError(try split.stream(spans, reject: { _ in }) { _, _ in
            handedOn += 1
            if handedOn == 10 { throw Stop() }
        }) { error in
            XCTAssertTrue(error is Stop, "\(error)")
        }
        XCTAssertEqual(handedOn, 10)
        XCTAssertEqual(try first.execute("SELECT 1")[0].decode(0, as: Int.self), 1)
        XCTAssertEqual(try second.execute("SELECT 2")[0].decode(0, as: Int.self), 2)
        withExtendedLifetime(f) {}
    }

    func testTwoReadersReadOneTableEach() {
        XCTAssertEqual(SplitSpendRead.tables(for: 2), [.bills, .topups])
        XCTAssertEqual(SplitSpendRead.tables(for: 3), [.bills, .topups])
        XCTAssertEqual(SplitSpendRead.tables(for: 1), [.both])
    }

    /// The fixture's tables are written subject by subject, so laid out by account, and the read
    /// follows the index; shuffled, they are not, and the read keeps the planner's hash join and
    /// sort. Both hand on the same accounts, rows and rejections.
    func testTheReadInAccountOrderHandsOnWhatTheHashJoinDoes() throws {
        let f = try Self.loadedFixture()
        let asOf = SampleProfile.bench(merchants: 1500, rows: 60_000, seed: 17).asOf
        let (spans, accounts) = try spans(f, asOf: asOf)
        let probe = FactReader(connection: f.db, asOf: asOf)
        XCTAssertTrue(try probe.laidOutByAccount(.both))
        XCTAssertTrue(try probe.laidOutByAccount(.bills))
        for tables in [SpendTables.bills, .topups] {
            let plan = try probe.explainSpendRead(spans, knownAccounts: accounts.count, from: tables).joined(separator: "\n")
            XCTAssertFalse(plan.contains("Sort"), plan)
            XCTAssertFalse(plan.contains("Hash Join"), plan)
            // One range scan per account, and the rows without a time after them, by bitmap.
            XCTAssertTrue(plan.contains("Nested Loop"), plan)
            XCTAssertTrue(plan.contains("rows without a time"), plan)
            XCTAssertTrue(plan.contains("Bitmap Index Scan"), plan)
        }
        for setting in ["enable_sort", "enable_hashjoin", "enable_seqscan", "enable_indexscan"] {
            XCTAssertEqual(try f.db.execute("SHOW \(setting)")[0].decode(0, as: String.self), "on", "\(setting) put back")
        }
        let ordered = try readOnce(f, spans, accounts: accounts, asOf: asOf)
        let orderedSplit = try readSplit(f, spans, accounts: accounts, asOf: asOf)
        let problems = Set(orderedSplit.rejections.map(\.problem))
        XCTAssertTrue(problems.isSuperset(of: ["null_spend_at", "null_consumed_at"]), "\(problems)")

        try f.db.executeScript("""
            CREATE TEMP TABLE shuffled AS SELECT * FROM billing.topup_consumption ORDER BY md5(consumption_id::text);
            DELETE FROM billing.topup_consumption;
            INSERT INTO billing.topup_consumption SELECT * FROM shuffled;
            """)
        try f.db.execute("VACUUM ANALYZE billing.topup_consumption")
        XCTAssertFalse(try probe.laidOutByAccount(.topups))
        XCTAssertFalse(try probe.laidOutByAccount(.both), "every table read must be laid out by account")
        XCTAssertTrue(try probe.laidOutByAccount(.bills))
        let planned = try probe.explainSpendRead(spans, knownAccounts: accounts.count, from: .topups).joined(separator: "\n")
        XCTAssertTrue(planned.contains("Sort"), planned)
        let hashed = try readOnce(f, spans, accounts: accounts, asOf: asOf)
        let hashedSplit = try readSplit(f, spans, accounts: accounts, asOf: asOf)
        XCTAssertGreaterThan(ordered.accounts.count, 1000)
        XCTAssertGreaterThan(ordered.rejections.count, 50)
        XCTAssertEqual(hashed, ordered)
        XCTAssertEqual(hashedSplit, ordered)
        XCTAssertEqual(orderedSplit, ordered)
    }
}
