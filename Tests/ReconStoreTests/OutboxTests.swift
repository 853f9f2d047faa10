import Exact
import Foundation
import PGClient
import PostgresSandbox
import ReconRules
@testable import ReconStore
import Synchronization
import XCTest

/// The outbox's promises (SPEC section 8): one entry per grant and per adjustment, existing
/// grants backfilled by the migration, and positions a consumer can follow while a night commits
/// on two writer connections.
final class OutboxTests: XCTestCase {
    func testARerunAdjustmentIsHandedOverWithItsOwnDueDate() throws {
        let f = try StoreFixture()
        try f.account(1); try f.integration(101, merchant: "m-upgrade", account: 1)
        try f.bill(1, account: 1, at: "2025-11-05", amount: "600.00")
        try f.run(asOf: "2025-12-05")
        try f.bill(4, account: 1, at: "2025-11-20", amount: "950.00", paid: "2025-12-03")
        let reader = try Connection(conninfo: f.conninfo, logger: quietLogger())
        let rerun = { try Rerunner(connection: f.db, reader: reader, logger: quietLogger())
            .rerun(from: t("2025-12-01"), to: t("2025-12-08"), asOf: t("2025-12-20")) }
        let summary = try rerun()
        XCTAssertEqual(summary.adjustments, 1)
        XCTAssertEqual(try f.count("""
            SELECT count(*) FROM recon.credit_outbox o JOIN recon.adjustments a ON o.credit_ref = 'adjustment:' || a.adjustment_id
            JOIN recon.credit_grants g ON g.grant_id = a.grant_id
            WHERE o.kind = 'adjustment' AND o.amount = 1000.00 AND o.due_by = a.created_at + interval '7 days'
              AND o.expires_at = g.expires_at AND o.account_id = g.account_id AND o.run_id = $1
            """, [summary.runID!]), 1)
        // After the grant's entry; the rerun settled both.
        XCTAssertEqual(try f.db.execute("SELECT string_agg(kind, ',' ORDER BY position) FROM recon.credit_outbox")[0]
            .decode(0, as: String.self), "grant,adjustment")
        XCTAssertEqual(summary.settlement?.statuses["overdue"], 1)
        XCTAssertEqual(summary.settlement?.statuses["awaiting"], 1)
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.credit_settlements"), 2)
        // The same rerun again hands nothing over.
        _ = try rerun()
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.credit_outbox"), 2)
    }

    func testTheMigrationHandsOverGrantsAndAdjustmentsWrittenBeforeIt() throws {
        let database = try DatabaseServer.forTests().createDatabase(label: "outbox-backfill")
        let db = try Connection(conninfo: database.conninfo, logger: quietLogger())
        let migrator = Migrator(connection: db, logger: quietLogger())
        try migrator.migrate(through: 10)
        try db.executeScript("""
            INSERT INTO recon.runs (kind, as_of, status) VALUES ('run', '2025-12-05Z', 'succeeded');
            INSERT INTO recon.credit_grants (grant_id, program_id, subject_key, subject, account_id, integration_id, partner,
                merchant_id, tier, country, currency, credit, qualifying_spend, window_start, window_end, reached_at, due_by,
                expires_at, payment_mode, run_id, created_at)
            VALUES (41, 'woocommerce-us-uk', 'integration:1', 'woocommerce:m-1', 1, 1, 'woocommerce', 'm-1', 1, 'US', 'USD',
                    500.00, 600.00, '2025-11-02Z', '2025-12-02Z', '2025-12-04Z', '2025-12-11Z', '2026-01-30Z', 'manual',
                    (SELECT max(run_id) FROM recon.runs), '2025-12-05Z'),
                   (40, 'woocommerce-us-uk', 'integration:2', 'woocommerce:m-2', 2, 2, 'woocommerce', 'm-2', 1, 'US', 'USD',
                    500.00, 700.00, '2025-11-02Z', '2025-12-02Z', '2025-12-04Z', '2025-12-11Z', '2026-01-30Z', 'manual',
                    (SELECT max(run_id) FROM recon.runs), '2025-12-06Z');
            INSERT INTO recon.adjustments (adjustment_id, program_id, subject_key, grant_id, from_tier, to_tier, currency,
                credit_delta, qualifying_spend, run_id, created_at)
            VALUES (7, 'woocommerce-us-uk', 'integration:1', 41, 1, 2, 'USD', 1000.00, 1550.00,
                    (SELECT max(run_id) FROM recon.runs), '2025-12-20Z');
            """)
        XCTAssertEqual(try migrator.migrate(), [11, 12])
        let entries = try CreditOutbox(connection: db).entries(after: 0, limit: 10)
        XCTAssertEqual(entries.map(\.creditRef), ["grant:41", "grant:40", "adjustment:7"])
        XCTAssertEqual(entries.map(\.amount), ["500.00", "500.00", "1000.00"])
        XCTAssertEqual(entries.map(\.dueBy), ["2025-12-11T00:00:00Z", "2025-12-11T00:00:00Z", "2025-12-27T00:00:00Z"])
        XCTAssertEqual(entries.map(\.position), entries.map(\.position).sorted())
        // A grant written after the migration follows them.
        try db.execute("SELECT nextval('recon.credit_outbox_position')")
        XCTAssertGreaterThan(try db.execute("SELECT last_value FROM recon.credit_outbox_position")[0].decode(0, as: Int64.self),
                             entries.last!.position)
    }

    /// Many batches with grants commit on two writer connections while a consumer pages through
    /// the outbox from its last position: it must end with every entry exactly once, in order.
    func testAConsumerFollowingTheOutboxDuringANightNeverMissesOrRepeatsAnEntry() throws {
        let f = try StoreFixture()
        try f.populate(subjects: 3000)
        let conninfo = f.conninfo
        let finished = Atomic<Bool>(false)
        let exited = Atomic<Bool>(false)
        let seen = Mutex<[Int64]>([])
        let thread = Thread {
            defer { exited.store(true, ordering: .releasing) }
            guard let consumer = try? Connection(conninfo: conninfo, logger: quietLogger()) else { return }
            let outbox = CreditOutbox(connection: consumer)
            var last: Int64 = 0
            var positions: [Int64] = []
            while true {
                let done = finished.load(ordering: .acquiring)
                guard let page = try? outbox.entries(after: last, limit: 37) else { break }
                positions += page.map(\.position)
                last = page.last?.position ?? last
                if page.isEmpty && done { break }
            }
            seen.withLock { $0 = positions }
        }
        thread.start()
        let summary = try f.reconciler(batchSize: 20).run(asOf: t("2025-12-10"))
        finished.store(true, ordering: .releasing)
        while !exited.load(ordering: .acquiring) { usleep(1000) }
        let all = try f.db.execute("SELECT position FROM recon.credit_outbox ORDER BY position").rows.map { try $0.decode(0, as: Int64.self) }
        XCTAssertGreaterThan(summary.count(.granted), 500)
        XCTAssertEqual(all.count, summary.count(.granted))
        let positions = seen.withLock { $0 }
        XCTAssertEqual(positions, all, "the consumer missed or repeated entries")
    }
}

/// The interleaving the lock exists for, made to happen: transaction A has drawn its positions
/// and not committed when transaction B hands over its own. B must wait for A, so a consumer
/// reading meanwhile sees neither, and then both in order.
final class OutboxOrderTests: XCTestCase {
    func testALaterHandoverWaitsForAnEarlierUncommittedOne() throws {
        let f = try StoreFixture()
        try f.db.executeScript("""
            INSERT INTO recon.runs (kind, as_of, status) VALUES ('run', '2025-12-05Z', 'succeeded');
            INSERT INTO recon.credit_grants (program_id, subject_key, subject, account_id, tier, country, currency, credit,
                qualifying_spend, window_start, window_end, reached_at, due_by, payment_mode, run_id)
            SELECT 'woocommerce-us-uk', 'integration:' || g, 'woocommerce:m-' || g, g, 1, 'US', 'USD', 500, 600,
                   '2025-11-02Z', '2025-12-02Z', '2025-12-04Z', '2025-12-11Z', 'manual', (SELECT max(run_id) FROM recon.runs)
            FROM generate_series(1, 2) g;
            """)
        let runID = try f.db.execute("SELECT max(run_id) FROM recon.runs")[0].decode(0, as: Int64.self)
        func credit(_ account: Int64) throws -> CreditHandover {
            let id = try f.db.execute("SELECT grant_id FROM recon.credit_grants WHERE account_id = $1", [account])[0]
                .decode(0, as: Int64.self)
            return CreditHandover(creditRef: "grant:\(id)", kind: "grant", programID: "woocommerce-us-uk",
                                  subjectKey: "integration:\(account)", subject: "woocommerce:m-\(account)", accountID: account,
                                  currency: Currency(code: "USD")!, amount: 50_000, dueBy: t("2025-12-11"), expiresAt: nil,
                                  paymentMode: "manual")
        }
        let (first, second) = (try credit(1), try credit(2))
        let a = try Connection(conninfo: f.conninfo, logger: quietLogger())
        try a.execute("BEGIN")
        try CreditOutbox(connection: a).handOver([first], asOf: t("2025-12-05"), runID: runID)

        let conninfo = f.conninfo
        let bDone = Atomic<Bool>(false)
        let thread = Thread {
            defer { bDone.store(true, ordering: .releasing) }
            guard let b = try? Connection(conninfo: conninfo, logger: quietLogger()) else { return }
            _ = try? b.transaction {
                try CreditOutbox(connection: b).handOver([second], asOf: t("2025-12-05"), runID: runID)
            }
        }
        thread.start()
        // B has either committed or is waiting for A's lock.
        for _ in 0..<2000 where !bDone.load(ordering: .acquiring) {
            if try f.count("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted") > 0 { break }
            usleep(1000)
        }
        let consumer = CreditOutbox(connection: f.db)
        var seen = try consumer.entries(after: 0, limit: 10).map(\.creditRef)
        XCTAssertEqual(seen, [], "an entry became visible while an earlier position was uncommitted")
        try a.execute("COMMIT")
        while !bDone.load(ordering: .acquiring) { usleep(1000) }
        let last = try f.db.execute("SELECT coalesce(max(position), 0) FROM recon.credit_outbox WHERE credit_ref = ANY ($1)",
                                    [seen.isEmpty ? [""] : seen])[0].decode(0, as: Int64.self)
        seen += try consumer.entries(after: last, limit: 10).map(\.creditRef)
        XCTAssertEqual(seen.count, 2)
        XCTAssertEqual(Set(seen).count, 2)
    }
}
