import Exact
import Foundation
import PGClient
import PostgresSandbox
import ReconStore
import SampleData
import XCTest

/// Faults against the real server: the job killed at random points, its sessions terminated,
/// the server stopped and restarted, a statement timeout, five runs at once. Each ends with the
/// promises of SimulationInvariants and, where a run is repeated, tables identical to an
/// uninterrupted run. Figures print as `fault figures:` lines for docs/RELIABILITY.md.
final class FaultTests: XCTestCase {
    static let asOf = "2025-12-10"

    func runArguments(_ f: StoreFixture, batchSize: Int = 100) -> [String] {
        ["run", "--as-of", Self.asOf, "--batch-size", String(batchSize), "--db", f.conninfo]
    }

    func assertNothingHalfWritten(_ f: StoreFixture, _ context: String, file: StaticString = #filePath, line: UInt = #line) throws {
        for violation in try SimulationInvariants.violations(f.db, includingRuns: false) {
            XCTFail("\(context): \(violation)", file: file, line: line)
        }
    }

    func testSIGKILLAtTwentyRandomPointsThenTheNextRunEndsAsAnUninterruptedOne() throws {
        let seed = ProcessInfo.processInfo.environment["SPEND_RECON_FAULT_SEED"].flatMap(UInt64.init) ?? 20261121
        var random = SeededRandom(seed: seed)
        let f = try StoreFixture()
        try f.populate(subjects: 3000)
        let began = MonotonicClock.microseconds()
        let reference = try runBinary(runArguments(f))
        let duration = MonotonicClock.microseconds() - began
        XCTAssertEqual(reference.code, 0, reference.err)
        let expected = try f.snapshot()
        XCTAssertGreaterThan(try f.count("SELECT count(*) FROM recon.credit_grants"), 0)

        var killedMidRun = 0, committedBeforeKill: [Int] = []
        for point in 1...20 {
            try f.resetDecisions()
            let delay = random.int(0..<max(duration, 1))
            let context = "seed \(seed) point \(point) (kill after \(delay / 1000) ms of a \(duration / 1000) ms run)"
            let run = try startBinary(runArguments(f))
            usleep(useconds_t(delay))
            kill(run.pid, SIGKILL)
            let code = try Subprocess.wait(run.pid)
            XCTAssertTrue(code == 128 + SIGKILL || code == 0, "\(context): exit \(code) \(run.readErr())")
            let running = try f.count("SELECT count(*) FROM recon.runs WHERE status = 'running'")
            if code == 128 + SIGKILL, running == 1 { killedMidRun += 1 }
            committedBeforeKill.append(try f.count("SELECT count(*) FROM recon.subject_status"))
            try assertNothingHalfWritten(f, context)
            XCTAssertEqual(try f.count("SELECT count(*) FROM recon.subject_status") % 100 == 0
                           || code == 0, true, "\(context): only whole batches commit")

            let next = try runBinary(runArguments(f))
            XCTAssertEqual(next.code, 0, "\(context): \(next.err)")
            assertSameSnapshot(try f.snapshot(), expected, context)
            XCTAssertEqual(try f.count("SELECT count(*) FROM recon.runs WHERE status = 'running'"), 0, context)
            XCTAssertEqual(try f.count("SELECT count(*) FROM recon.runs WHERE status = 'abandoned'"), running, context)
        }
        XCTAssertGreaterThanOrEqual(killedMidRun, 10, "most kill points should land inside the run")
        print("fault figures: sigkill_points=20 seed=\(seed) killed_mid_run=\(killedMidRun) run_ms=\(duration / 1000) "
              + "subjects_committed_at_kill=\(committedBeforeKill.sorted()) identical_after_next_run=20")
    }

    /// The server ends both of the job's sessions while it streams spend (a slow billing view
    /// holds it there) or while it writes batches: exit 69, the run recorded failed, no subject
    /// half-written, and the next run completes with the tables of an uninterrupted run.
    func testTheServerTerminatingTheJobsSessionsExits69RecordsFailureAndTheNextRunCompletes() throws {
        let f = try StoreFixture()
        try f.populate(subjects: 3000)
        XCTAssertEqual(try runBinary(runArguments(f)).code, 0)
        let expected = try f.snapshot()
        for phase in ["reading", "writing"] {
            try f.resetDecisions()
            if phase == "reading" { try f.slowDownSpendReads(seconds: 30) }
            let run = try startBinary(runArguments(f, batchSize: phase == "reading" ? 100 : 20))
            let condition = phase == "reading"
                ? "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'COPY%' AND state = 'active'"
                : "SELECT count(*) FROM recon.subject_status"
            var waited = 0
            while try f.count(condition) == 0, waited < 3000 {
                usleep(5000)
                waited += 1
            }
            let terminated = try f.count("""
                SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                                      WHERE datname = current_database() AND application_name = 'spend-recon'
                                        AND pid <> pg_backend_pid()) x
                """)
            XCTAssertGreaterThan(terminated, 0, phase)
            let code = try Subprocess.wait(run.pid)
            let err = run.readErr()
            XCTAssertTrue(code == 69 || code == 70, "\(phase): exit \(code) \(err)")
            XCTAssertEqual(code, 69, "\(phase): a terminated session is the database going away: \(err)")
            XCTAssertTrue(err.contains("database unavailable"), err)
            XCTAssertEqual(try f.count("SELECT count(*) FROM recon.runs WHERE status = 'failed'"), 1, "\(phase): \(err)")
            XCTAssertEqual(try f.count("SELECT count(*) FROM recon.runs WHERE status = 'running'"), 0, phase)
            if phase == "reading" {
                XCTAssertEqual(try f.count("SELECT count(*) FROM recon.subject_status"), 0, "nothing written before the read failed")
                try f.restoreSpendReads()
            }
            try assertNothingHalfWritten(f, phase)
            let next = try runBinary(runArguments(f))
            XCTAssertEqual(next.code, 0, next.err)
            assertSameSnapshot(try f.snapshot(), expected, phase)
        }
        print("fault figures: sessions_terminated phases=2 (reading, writing) exit=69 run_recorded=failed identical_after_next_run=2")
    }

    /// `statement_timeout` set by the operator (here through PGOPTIONS) is honoured: the slow
    /// read is cancelled, the job exits 69 naming the timeout, the run is recorded failed with
    /// SQLSTATE 57014, nothing is written; without the limit the same night completes.
    func testStatementTimeoutIsHonouredExits69AndWritesNothing() throws {
        let f = try StoreFixture()
        try f.populate(subjects: 500)
        try f.slowDownSpendReads(seconds: 5)
        let began = MonotonicClock.microseconds()
        let result = try runBinary(runArguments(f), environment: ["PGOPTIONS": "-c statement_timeout=1500"])
        let seconds = Double(MonotonicClock.microseconds() - began) / 1_000_000
        XCTAssertEqual(result.code, 69, result.err)
        XCTAssertTrue(result.err.contains("database statement timed out"), result.err)
        XCTAssertTrue(result.err.contains("57014"), result.err)
        XCTAssertLessThan(seconds, 5, "cancelled at the limit, not after the 5 s read")
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.runs WHERE status = 'failed' AND error LIKE '%57014%'"), 1)
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.subject_status"), 0)
        try f.restoreSpendReads()
        let again = try runBinary(runArguments(f), environment: ["PGOPTIONS": "-c statement_timeout=60000"])
        XCTAssertEqual(again.code, 0, again.err)
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.subject_status"), 500)
        print("fault figures: statement_timeout exit=69 sqlstate=57014 written_before=0 completed_after=1")
    }

    /// Five runs started together while the first holds the lock (a slow billing view keeps it
    /// busy): exactly one works, four exit 75 naming the holder, one grant per subject.
    func testFiveConcurrentRunsOneWorksFourExit75() throws {
        let f = try StoreFixture()
        try f.populate(subjects: 2000)
        try f.slowDownSpendReads(seconds: 3)
        let started = try (0..<5).map { _ in try startBinary(runArguments(f)) }
        let codes = try started.map { try Subprocess.wait($0.pid) }
        XCTAssertEqual(codes.sorted(), [0, 75, 75, 75, 75], "\(codes) \(started.map { $0.readErr() })")
        for (code, run) in zip(codes, started) where code == 75 {
            XCTAssertTrue(run.readErr().contains("another run holds the lock"), run.readErr())
        }
        try f.restoreSpendReads()
        try assertNothingHalfWritten(f, "five runs")
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.runs"), 1, "the four refused runs start no run record")
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.credit_grants"),
                       try f.count("SELECT count(*) FROM recon.subject_status WHERE status = 'granted'"))
        XCTAssertGreaterThan(try f.count("SELECT count(*) FROM recon.credit_grants"), 0)
        print("fault figures: concurrent_runs=5 exit_codes=\(codes.sorted()) duplicate_grants=0")
    }

    /// A night while the server is down exits 69 quickly and writes nothing anywhere; after the
    /// server comes back (and again after a restart between nights) nights complete and end
    /// with the same tables as nights on a server that never went away.
    func testServerStoppedAndRestartedBetweenNights() throws {
        // Durable like a production server (the sandbox default trades durability for speed), so
        // the immediate restart below is a crash the server recovers every commit from.
        let server = try ThrowawayPostgres(logger: quietLogger(),
                                           settings: ["fsync = on", "synchronous_commit = on", "full_page_writes = on"])
        defer { server.stop() }
        let conninfo = server.conninfo()
        let admin = try Connection(conninfo: conninfo, logger: quietLogger())
        let migrator = Migrator(connection: admin, logger: quietLogger())
        try migrator.migrate()
        try migrator.createBillingTables()
        let reference = try StoreFixture()
        for db in [admin, reference.db] {
            try db.executeScript("""
                INSERT INTO billing.ad_accounts SELECT g, 'US', 'USD', 'self_serve', 'approved', false, false, 'manual',
                    '2025-01-01Z', '2025-11-02Z' FROM generate_series(1, 300) g;
                INSERT INTO billing.partner_integrations SELECT g, 'woocommerce', 'm-' || g, 'US', g, false,
                    '2025-11-01Z'::timestamptz + (g % 20) * interval '1 day', '2025-11-03Z' FROM generate_series(1, 300) g;
                INSERT INTO billing.billed_spend SELECT g * 10 + k, g, 'USD', '2025-11-05Z'::timestamptz + (g % 30 + k) * interval '1 day',
                    (g % 9) * 120 + k, 0, 0, '2025-11-06Z'::timestamptz + (g % 30 + k) * interval '1 day'
                FROM generate_series(1, 300) g, generate_series(1, 5) k;
                """)
        }
        let nights = ["2025-11-20", "2025-12-05", "2025-12-20"]
        func night(_ asOf: String, _ db: String) throws -> (code: Int32, out: String, err: String) {
            try runBinary(["run", "--as-of", asOf, "--db", db])
        }
        XCTAssertEqual(try night(nights[0], conninfo).code, 0)
        try server.pause()
        let began = MonotonicClock.microseconds()
        let down = try night(nights[1], conninfo)
        XCTAssertEqual(down.code, 69, down.err)
        XCTAssertTrue(down.err.contains("database unavailable"), down.err)
        XCTAssertLessThan(MonotonicClock.microseconds() - began, 20_000_000, "fails fast, does not hang")
        try server.resume()
        XCTAssertEqual(try night(nights[1], conninfo).code, 0)
        try server.restart()
        XCTAssertEqual(try night(nights[2], conninfo).code, 0)
        for asOf in nights { XCTAssertEqual(try night(asOf, reference.conninfo).code, 0) }

        let check = try Connection(conninfo: conninfo, logger: quietLogger())
        let snapshot = { (db: Connection) in
            try db.execute("""
                SELECT format('%s|%s|%s|%s|%s', subject_key, status, tier, qualifying_spend, decided_at) FROM recon.subject_status
                ORDER BY subject_key
                """).rows.map { try $0.decode(0, as: String.self) }
        }
        assertSameSnapshot(try snapshot(check), try snapshot(reference.db), "restarted server vs one that never went away")
        XCTAssertEqual(try check.execute("SELECT string_agg(status, ',' ORDER BY run_id) FROM recon.runs")[0].decode(0, as: String.self),
                       "succeeded,succeeded,succeeded", "the night that could not connect left no run record")
        print("fault figures: server_stop_start_immediate_restart nights=3 down_night_exit=69 identical_to_reference=1")
    }
}
