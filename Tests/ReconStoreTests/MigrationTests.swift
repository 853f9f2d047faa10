import PGClient
import PostgresSandbox
import ReconStore
import XCTest

final class MigrationTests: XCTestCase {
    func testMigrateTwiceIsANoOpAndSeedsMatchTheSpec() throws {
        let database = try DatabaseServer.forTests().createDatabase(label: "migrate")
        let db = try Connection(conninfo: database.conninfo, logger: quietLogger())
        let migrator = Migrator(connection: db, logger: quietLogger())
        XCTAssertEqual(try migrator.migrate(), SQLFiles.migrations.map(\.version))
        XCTAssertEqual(try migrator.migrate(), [])
        XCTAssertEqual(try migrator.currentVersion(), SQLFiles.latestVersion)

        let programs = try db.execute("""
            SELECT format('%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s', program_id, kind, partners, markets, window_days,
                   window_anchor, activation_days, lookback_days, settle_days, grant_sla_days, enroll_from, enroll_until,
                   credit_expires_at, eligible_origins, conflicting_promotions)
            FROM recon.programs ORDER BY program_id
            """).rows.map { try $0.decode(0, as: String.self) }
        XCTAssertEqual(programs, [
            "promo-jp-10000|promo_code_spend_match|{}|{JP}|30|activation|14||0|1||||{self_serve}|{}",
            "woocommerce-us-uk|partner_spend_match|{woocommerce}|{US,GB}|30|first_cash||90|2|7|||2026-01-30 00:00:00+00|{self_serve,business_center,agency}|{new_advertiser_incentive}",
        ])
        let tiers = try db.execute("""
            SELECT format('%s %s %s %s %s→%s', program_id, country, currency, tier, threshold, credit)
            FROM recon.program_tiers ORDER BY program_id, country, tier
            """).rows.map { try $0.decode(0, as: String.self) }
        XCTAssertEqual(tiers, [
            "promo-jp-10000 JP JPY 1 10000→10000",
            "woocommerce-us-uk GB GBP 1 395.00→395.00", "woocommerce-us-uk GB GBP 2 1186.00→1186.00",
            "woocommerce-us-uk GB GBP 3 3954.00→3954.00",
            "woocommerce-us-uk US USD 1 500.00→500.00", "woocommerce-us-uk US USD 2 1500.00→1500.00",
            "woocommerce-us-uk US USD 3 5000.00→5000.00",
        ])
    }

    /// Migration 005 replaced the `program_id` foreign keys of the decision tables with a guard on
    /// `recon.programs`: a program with decisions is never deleted, renamed or truncated away, and
    /// no program is while a run holds the run lock; one without decisions still can be.
    func testAProgramWithDecisionsCannotBeDeletedRenamedOrTruncatedNorAnyDuringARun() throws {
        let f = try StoreFixture()
        try f.account(1); try f.integration(101, merchant: "m-1", account: 1)
        try f.bill(1001, account: 1, at: "2025-11-05", amount: "600.00")
        try f.run(asOf: "2025-12-20T00:00:00Z")
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.credit_grants WHERE program_id = 'woocommerce-us-uk'"), 1)

        func refusal(_ sql: String) -> String? {
            do {
                try f.db.execute(sql)
                return nil
            } catch {
                return (error as? PostgresError)?.sqlState ?? "\(error)"
            }
        }
        XCTAssertEqual(refusal("DELETE FROM recon.programs WHERE program_id = 'woocommerce-us-uk'"), "23503")
        XCTAssertEqual(refusal("UPDATE recon.programs SET program_id = 'woo-renamed' WHERE program_id = 'woocommerce-us-uk'"), "23503")
        XCTAssertEqual(refusal("TRUNCATE recon.programs CASCADE"), "23503")
        XCTAssertNil(refusal("UPDATE recon.programs SET window_days = 31 WHERE program_id = 'woocommerce-us-uk'"),
                     "its terms stay editable")
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.programs"), 2, "nothing was deleted")

        // The promo program has no decision yet: it can be renamed and deleted, but not while a run holds the lock.
        let run = try Connection(conninfo: f.conninfo, logger: quietLogger())
        try RunLock(connection: run).acquire()
        XCTAssertEqual(refusal("DELETE FROM recon.programs WHERE program_id = 'promo-jp-10000'"), "55P03")
        RunLock(connection: run).release()
        XCTAssertNil(refusal("UPDATE recon.programs SET program_id = 'promo-jp-renamed' WHERE program_id = 'promo-jp-10000'"))
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.program_tiers WHERE program_id = 'promo-jp-renamed'"), 1,
                       "its tiers follow the rename")
        XCTAssertNil(refusal("DELETE FROM recon.programs WHERE program_id = 'promo-jp-renamed'"))
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.programs"), 1)

        // Once the decisions are gone (an operator's cleanup), the program can go too.
        try f.db.executeScript("DELETE FROM recon.credit_grants; DELETE FROM recon.subject_status;")
        XCTAssertNil(refusal("DELETE FROM recon.programs WHERE program_id = 'woocommerce-us-uk'"))
    }

    /// Migration 007: the later nights' read of the final subjects' keys has an index of its own,
    /// holding just those columns of just the final rows, and the planner reads the keys from it.
    func testTheFinalSubjectsKeysAreReadFromTheirOwnIndex() throws {
        let f = try StoreFixture()
        let definition = try f.db.execute("""
            SELECT indexdef FROM pg_indexes WHERE schemaname = 'recon' AND indexname = 'subject_status_final_keys'
            """).rows.first?.decode(0, as: String.self)
        XCTAssertEqual(definition, """
            CREATE INDEX subject_status_final_keys ON recon.subject_status USING btree (program_id, subject_key) \
            INCLUDE (integration_id) WHERE final
            """)
        let options = try f.db.execute("SELECT reloptions::text FROM pg_class WHERE oid = 'recon.subject_status'::regclass")
            .rows.first?.decode(0, as: String.self)
        XCTAssertEqual(options, "{fillfactor=85,autovacuum_vacuum_scale_factor=0.02}", "autovacuum keeps its visibility map fresh")
        try f.account(1); try f.integration(101, merchant: "m-1", account: 1)
        try f.bill(1001, account: 1, at: "2025-11-05", amount: "600.00")
        try f.run(asOf: "2025-12-20T00:00:00Z")
        try f.db.executeScript("VACUUM ANALYZE recon.subject_status")
        try f.db.execute("SET enable_seqscan = off")
        let plan = try f.db.execute("""
            EXPLAIN SELECT program_id::text, subject_key::text, integration_id::int8 FROM recon.subject_status WHERE final
            """).rows.map { try $0.decode(0, as: String.self) }.joined(separator: "\n")
        try f.db.execute("RESET enable_seqscan")
        XCTAssertTrue(plan.contains("Index Only Scan using subject_status_final_keys"), plan)
    }

    /// Migration 008: the open subjects' keys and digests are found through a partial index of
    /// the open rows, not a pass over every row; the index holds no column a night's update of an
    /// open subject changes.
    func testTheOpenSubjectsAreFoundThroughTheirOwnIndex() throws {
        let f = try StoreFixture()
        let definition = try f.db.execute("""
            SELECT indexdef FROM pg_indexes WHERE schemaname = 'recon' AND indexname = 'subject_status_open_keys'
            """).rows.first?.decode(0, as: String.self)
        XCTAssertEqual(definition, """
            CREATE INDEX subject_status_open_keys ON recon.subject_status USING btree (program_id, subject_key) WHERE (NOT final)
            """)
        for i in Int64(1)...40 {
            try f.account(i, firstCash: i % 4 == 0 ? nil : "2025-11-01")
            try f.integration(100 + i, merchant: "m-\(i)", account: i)
            try f.bill(1000 + i, account: i, at: "2025-11-05", amount: i % 2 == 0 ? "600.00" : "20.00")
        }
        try f.run(asOf: "2025-11-20T00:00:00Z")
        try f.db.executeScript("VACUUM ANALYZE recon.subject_status")
        try f.db.execute("SET enable_seqscan = off")
        let plan = try f.db.execute("""
            EXPLAIN SELECT program_id::text, subject_key::text, integration_id::int8, decision_digest::bytea
            FROM recon.subject_status WHERE NOT final
            """).rows.map { try $0.decode(0, as: String.self) }.joined(separator: "\n")
        try f.db.execute("RESET enable_seqscan")
        XCTAssertTrue(plan.contains("subject_status_open_keys"), plan)
        // A later night's update of a still-open subject stays a heap-only (HOT) update.
        let before = try f.count("SELECT n_tup_hot_upd FROM pg_stat_user_tables WHERE relid = 'recon.subject_status'::regclass")
        try f.bill(5000, account: 1, at: "2025-11-20T12:00:00Z", amount: "5.00")
        let later = try f.run(asOf: "2025-11-21T00:00:00Z")
        XCTAssertGreaterThan(later.written, 0)
        var hot = before
        for _ in 0..<50 where hot == before {   // the statistics arrive asynchronously
            usleep(100_000)
            try f.db.execute("SELECT pg_stat_clear_snapshot()")
            hot = try f.count("SELECT n_tup_hot_upd FROM pg_stat_user_tables WHERE relid = 'recon.subject_status'::regclass")
        }
        XCTAssertGreaterThan(hot, before)
    }

    /// Migration 006 dropped the reasons' foreign key to their subject (a locking lookup per
    /// written reason); deleting or truncating subject rows still takes their reasons along, as
    /// the key's cascade did, and nothing else.
    func testReasonsGoWithTheirSubjectsWhenSubjectsAreDeletedOrTruncated() throws {
        let f = try StoreFixture()
        for i in Int64(1)...3 {
            try f.account(i, status: "suspended")
            try f.integration(100 + i, merchant: "m-\(i)", account: i)
        }
        try f.run(asOf: "2025-12-20T00:00:00Z")
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.ineligibility_reasons"), 3)
        XCTAssertEqual(try f.count("""
            SELECT count(*) FROM pg_constraint WHERE conrelid = 'recon.ineligibility_reasons'::regclass AND contype = 'f'
            """), 0)
        try f.db.execute("DELETE FROM recon.subject_status WHERE subject_key = 'integration:101'")
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.ineligibility_reasons WHERE subject_key = 'integration:101'"), 0)
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.ineligibility_reasons"), 2, "the others' reasons stay")
        try f.db.execute("UPDATE recon.subject_status SET as_of = as_of + interval '1 day'")
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.ineligibility_reasons"), 2, "an update deletes nothing")
        try f.db.execute("TRUNCATE recon.subject_status")
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.ineligibility_reasons"), 0)
    }

    func testADatabaseNewerThanTheBinaryIsRefusedWithExit78() throws {
        let database = try DatabaseServer.forTests().createDatabase(label: "newer")
        let db = try Connection(conninfo: database.conninfo, logger: quietLogger())
        try Migrator(connection: db, logger: quietLogger()).migrate()
        try db.execute("INSERT INTO recon.schema_migrations (version, name) VALUES ($1, 'from the future')", [SQLFiles.latestVersion + 1])
        XCTAssertThrowsError(try Migrator(connection: db, logger: quietLogger()).migrate()) { error in
            XCTAssertTrue((error as? ConfigurationError)?.problem.contains("newer") == true, "\(error)")
        }
        let result = try runBinary(["migrate", "--db", database.conninfo])
        XCTAssertEqual(result.code, 78, result.err)
        XCTAssertTrue(result.err.contains("newer"), result.err)
    }

    func testUnreachableDatabaseExits69WithoutThePassword() throws {
        let result = try runBinary(["run", "--db", "host=/nonexistent port=5999 user=u password=Hunter2-secret connect_timeout=2"])
        XCTAssertEqual(result.code, 69)
        XCTAssertFalse(result.err.contains("Hunter2-secret"))
        XCTAssertFalse(result.out.contains("Hunter2-secret"))
    }

    func testBadFlagsExit64() throws {
        XCTAssertEqual(try runBinary(["run", "--as-of", "yesterday-ish"]).code, 64)
        XCTAssertEqual(try runBinary(["export", "--from", "2025-12-01", "--to", "2025-11-01"]).code, 64)
        XCTAssertEqual(try runBinary(["export", "--from", "2025-11-01", "--to", "2025-12-01", "--status", "maybe"]).code, 64)
    }
}
