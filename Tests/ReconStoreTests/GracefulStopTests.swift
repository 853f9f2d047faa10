import Foundation
import PostgresSandbox
import XCTest

/// SIGTERM and SIGINT stop a run at its next batch boundary (SPEC section 7): what was committed
/// stays, nothing is half-written, the run is recorded `cancelled`, the process exits 143 (130),
/// and the next run ends with the decisions of an uninterrupted night.
final class GracefulStopTests: XCTestCase {
    func arguments(_ f: StoreFixture, _ command: String = "run") -> [String] {
        [command, "--as-of", "2025-12-10", "--batch-size", "100", "--db", f.conninfo]
    }

    func testSIGTERMAtSeveralPointsOfANightThenTheNextRunEndsAsAnUninterruptedOne() throws {
        let f = try StoreFixture()
        try f.populate(subjects: 3000)
        let began = Date()
        let reference = try runBinary(arguments(f))
        let duration = Date().timeIntervalSince(began)
        XCTAssertEqual(reference.code, 0, reference.err)
        let expected = try f.snapshot()

        var cancelledMidRun = 0
        var committedAtStop: [Int] = []
        for fraction in [0.05, 0.2, 0.35, 0.5, 0.65, 0.8] {
            try f.resetDecisions()
            let context = "SIGTERM after \(Int(fraction * 100)) % of a \(Int(duration * 1000)) ms night"
            let run = try startBinary(arguments(f))
            usleep(useconds_t(duration * fraction * 1_000_000))
            kill(run.pid, SIGTERM)
            let code = try Subprocess.wait(run.pid)
            XCTAssertTrue(code == 143 || code == 0, "\(context): exit \(code) \(run.readErr())")
            XCTAssertEqual(try f.count("SELECT count(*) FROM recon.runs WHERE status = 'running'"), 0, "\(context): never left running")
            // A signal before the handlers are installed ends the process before any run began.
            let runs = try f.count("SELECT count(*) FROM recon.runs")
            if code == 143, runs == 1 {
                cancelledMidRun += 1
                XCTAssertEqual(try f.count("SELECT count(*) FROM recon.runs WHERE status = 'cancelled' AND error LIKE '%SIGTERM%'"), 1,
                               context)
                XCTAssertTrue(run.readErr().contains("run cancelled"), "\(context): \(run.readErr())")
            }
            for violation in try SimulationInvariants.violations(f.db, includingRuns: false) {
                XCTFail("\(context): \(violation)")
            }
            let committed = try f.count("SELECT count(*) FROM recon.subject_status")
            committedAtStop.append(committed)
            XCTAssertTrue(committed % 100 == 0, "\(context): only whole batches commit (\(committed))")

            let next = try runBinary(arguments(f))
            XCTAssertEqual(next.code, 0, "\(context): \(next.err)")
            assertSameSnapshot(try f.snapshot(), expected, context)
            XCTAssertEqual(try f.count("SELECT count(*) FROM recon.runs WHERE status = 'abandoned'"), 0, context)
        }
        XCTAssertGreaterThanOrEqual(cancelledMidRun, 3, "most stop points should land inside the night")
        print("stop figures: sigterm_points=6 cancelled_mid_run=\(cancelledMidRun) run_ms=\(Int(duration * 1000)) "
              + "subjects_committed_at_stop=\(committedAtStop) identical_after_next_run=6")
    }

    /// A stop asked for during a long statement (a slow billing view) is honoured when it
    /// returns: SIGINT exits 130 for run; SIGTERM exits 143 for rerun and audit; each recorded
    /// `cancelled` with nothing written.
    func testAStopDuringALongReadEndsAtTheNextBoundaryForRunRerunAndAudit() throws {
        let f = try StoreFixture()
        try f.populate(subjects: 50)
        try f.slowDownSpendReads(seconds: 2)
        for (command, signal, expected) in [("run", SIGINT, Int32(130)), ("rerun", SIGTERM, 143), ("audit", SIGTERM, 143)] {
            let args = [
                "run": arguments(f),
                "rerun": ["rerun", "--from", "2025-11-01", "--to", "2026-01-01", "--as-of", "2025-12-10", "--db", f.conninfo],
                "audit": ["audit", "--as-of", "2025-12-10", "--db", f.conninfo],
            ][command]!
            let started = try startBinary(args)
            XCTAssertTrue(waitUntil { try f.count("""
                SELECT count(*) FROM pg_stat_activity
                WHERE datname = current_database() AND query LIKE '%billed_spend%' AND state = 'active' AND pid <> pg_backend_pid()
                """) > 0 }, "\(command) never reached the slow read")
            kill(started.pid, signal)
            let code = try Subprocess.wait(started.pid)
            XCTAssertEqual(code, expected, "\(command): \(started.readErr())")
            XCTAssertEqual(try f.count("SELECT count(*) FROM recon.runs WHERE status = 'cancelled' AND kind = $1", [command]), 1,
                           command)
            XCTAssertEqual(try f.count("SELECT count(*) FROM recon.subject_status"), 0, "\(command) wrote nothing")
        }
    }

    func testASecondSignalEndsTheProcessAtOnce() throws {
        let f = try StoreFixture()
        try f.populate(subjects: 50)
        try f.slowDownSpendReads(seconds: 30)
        let started = try startBinary(arguments(f))
        XCTAssertTrue(waitUntil { try f.count("""
            SELECT count(*) FROM pg_stat_activity
            WHERE datname = current_database() AND query LIKE '%billed_spend%' AND state = 'active' AND pid <> pg_backend_pid()
            """) > 0 })
        let began = Date()
        kill(started.pid, SIGTERM)
        usleep(200_000)
        kill(started.pid, SIGTERM)
        XCTAssertEqual(try Subprocess.wait(started.pid), 143)
        XCTAssertLessThan(Date().timeIntervalSince(began), 20, "did not wait for the 30 s statement")
        // The record stays `running` until the next run marks it abandoned, as after a kill.
        try f.db.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        try f.restoreSpendReads()
        XCTAssertEqual(try runBinary(arguments(f)).code, 0)
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.runs WHERE status = 'abandoned'"), 1)
    }

    /// systemd's stop reaches the nightly wrapper (`KillMode=mixed`), which passes SIGTERM on
    /// once: the job stops at its boundary, the wrapper exits 143 and prints the job's output.
    func testTheNightlyWrapperPassesSIGTERMOnAndExits143() throws {
        let f = try StoreFixture()
        try f.populate(subjects: 50)
        try f.slowDownSpendReads(seconds: 2)
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let wrapper = repository.appendingPathComponent("cron/spend-recon-nightly").path
        var environment = ProcessInfo.processInfo.environment
        environment["SPEND_RECON_ENV_FILE"] = "/nonexistent"
        environment["SPEND_RECON_BIN"] = spendReconBinary()
        environment["SPEND_RECON_DB"] = f.conninfo
        let output = NSTemporaryDirectory() + "sr-wrapper-\(getpid()).out"
        defer { unlink(output) }
        let pid = try Subprocess.spawn(wrapper, ["--as-of", "2025-12-10"], stdout: output, stderr: output, environment: environment)
        XCTAssertTrue(waitUntil { try f.count("SELECT count(*) FROM recon.runs WHERE status = 'running'") > 0 })
        kill(pid, SIGTERM)
        XCTAssertEqual(try Subprocess.wait(pid), 143)
        let printed = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        XCTAssertTrue(printed.contains("exited with code 143") && printed.contains("run cancelled"), printed)
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.runs WHERE status = 'cancelled'"), 1)
    }

    /// Polls `condition` for up to 20 s.
    func waitUntil(_ condition: () throws -> Bool) -> Bool {
        for _ in 0..<400 {
            if (try? condition()) == true { return true }
            usleep(50_000)
        }
        return false
    }
}
