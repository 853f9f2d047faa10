import Foundation
import PGClient
import PostgresSandbox
import ReconStore
import XCTest

final class ConcurrencyAndCrashTests: XCTestCase {
    /// Many partner subjects: every third reaches a tier, some reach the top, the rest fall short.
    func populate(_ f: StoreFixture, subjects: Int) throws {
        try f.db.executeScript("""
            INSERT INTO billing.ad_accounts
            SELECT g, 'US', 'USD', 'self_serve', 'approved', false, false, 'manual', '2025-01-01Z', '2025-11-02Z'
            FROM generate_series(1, \(subjects)) g;
            INSERT INTO billing.partner_integrations
            SELECT g, 'woocommerce', 'm-' || g, 'US', g, false, '2025-11-01Z', '2025-11-03Z' FROM generate_series(1, \(subjects)) g;
            INSERT INTO billing.billed_spend
            SELECT g * 10 + k, g, 'USD', '2025-11-05Z'::timestamptz + k * interval '1 hour',
                   (g % 7) * 150 + k, 0, 0, '2025-11-06Z'
            FROM generate_series(1, \(subjects)) g, generate_series(1, 5) k;
            """)
    }

    func testASecondRunWhileTheLockIsHeldExits75AndSaysWhoHoldsIt() throws {
        let f = try StoreFixture()
        try f.account(1); try f.integration(101, merchant: "m", account: 1)
        let holder = try Connection(conninfo: f.conninfo, logger: quietLogger())
        XCTAssertTrue(try holder.tryAdvisoryLock(RunLock.key))
        let result = try runBinary(["run", "--as-of", "2025-12-10", "--db", f.conninfo])
        XCTAssertEqual(result.code, 75, result.err)
        XCTAssertTrue(result.err.contains("backend pid \(holder.backendPID)"), result.err)
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.subject_status"), 0)
        try holder.advisoryUnlock(RunLock.key)
        XCTAssertEqual(try runBinary(["run", "--as-of", "2025-12-10", "--db", f.conninfo]).code, 0)
    }

    func testThreeConcurrentRunsGiveOneGrantPerSubjectAndExitCodes0Or75() throws {
        let f = try StoreFixture()
        try populate(f, subjects: 2000)
        let started = try (0..<3).map { _ in try startBinary(["run", "--as-of", "2025-12-10", "--db", f.conninfo]) }
        let codes = try started.map { try Subprocess.wait($0.pid) }
        XCTAssertTrue(codes.allSatisfy { $0 == 0 || $0 == 75 }, "\(codes) \(started.map { $0.readErr() })")
        XCTAssertTrue(codes.contains(0))
        XCTAssertEqual(try f.count("SELECT count(*) FROM (SELECT 1 FROM recon.credit_grants GROUP BY program_id, subject_key HAVING count(*) > 1) x"), 0)
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.credit_grants"),
                       try f.count("SELECT count(*) FROM recon.subject_status WHERE status = 'granted'"))
        XCTAssertGreaterThan(try f.count("SELECT count(*) FROM recon.credit_grants"), 0)
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.runs WHERE status = 'running'"), 0)
    }

    func testKilledRunThenRerunEndsIdenticalToAnUninterruptedRun() throws {
        let interrupted = try StoreFixture()
        try populate(interrupted, subjects: 3000)
        let reference = try StoreFixture()
        try populate(reference, subjects: 3000)
        try reference.run(asOf: "2025-12-10")

        let run = try startBinary(["run", "--as-of", "2025-12-10", "--batch-size", "50", "--db", interrupted.conninfo])
        // Kill it once some batches have committed, but before it is done.
        var committed = 0
        for _ in 0..<2000 {
            committed = try interrupted.count("SELECT count(*) FROM recon.subject_status")
            if committed > 0 { break }
            usleep(2000)
        }
        kill(run.pid, SIGKILL)
        XCTAssertEqual(try Subprocess.wait(run.pid), 128 + SIGKILL)
        let partial = try interrupted.count("SELECT count(*) FROM recon.subject_status")
        XCTAssertGreaterThan(partial, 0, "some batches committed before the kill")
        XCTAssertEqual(partial % 50, 0, "only whole batches: no half-written subject")
        XCTAssertEqual(try interrupted.count("SELECT count(*) FROM recon.runs WHERE status = 'running'"), 1)

        let second = try runBinary(["run", "--as-of", "2025-12-10", "--db", interrupted.conninfo])
        XCTAssertEqual(second.code, 0, second.err)
        assertSameSnapshot(try interrupted.snapshot(), try reference.snapshot())
        XCTAssertEqual(try interrupted.count("SELECT count(*) FROM recon.runs WHERE status = 'abandoned'"), 1)
        XCTAssertEqual(try interrupted.count("SELECT count(*) FROM recon.runs WHERE status = 'running'"), 0)
    }
}
