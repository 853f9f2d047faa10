import Foundation
import PGClient
@testable import ReconStore
import XCTest

/// What an operator reaches for first: `--version`, `spend-recon status`, and a rerun's
/// metrics with the credit its adjustments add and the discrepancies still open.
final class OperatorBasicsTests: XCTestCase {
    func testVersionNamesTheReleaseAndTheSchema() throws {
        let result = try runBinary(["--version"])
        XCTAssertEqual(result.code, 0, result.err)
        XCTAssertTrue(result.out.contains("recon schema \(SQLFiles.latestVersion)"), result.out)
    }

    func testStatusShowsRunsUnfinishedRunsDiscrepanciesAndRejectedRows() throws {
        let f = try StoreFixture()
        let empty = try runBinary(["status", "--db", f.conninfo])
        XCTAssertEqual(empty.code, 0, empty.err)
        XCTAssertTrue(empty.out.contains("schema: version \(SQLFiles.latestVersion) (this binary: \(SQLFiles.latestVersion))"), empty.out)
        XCTAssertTrue(empty.out.contains("none yet"), empty.out)

        try f.account(1); try f.integration(101, merchant: "m-upgrade", account: 1)
        try f.bill(1, account: 1, at: "2025-11-05", amount: "600.00")
        try f.account(2); try f.integration(102, merchant: "m-steady", account: 2)
        try f.bill(2, account: 2, at: "2025-11-05", amount: "700.00")
        try f.bill(3, account: 2, at: "2025-11-06", amount: "-5.00")
        try f.run(asOf: "2025-12-05")
        try f.db.execute("INSERT INTO recon.runs (kind, as_of, status, finished_at) VALUES ('run', '2025-12-06', 'cancelled', now())")
        try f.bill(4, account: 1, at: "2025-11-20", amount: "950.00", paid: "2025-12-03")
        try f.db.execute("UPDATE billing.billed_spend SET amount = 300.00 WHERE bill_id = 2")
        let metrics = NSTemporaryDirectory() + "sr-rerun-\(getpid()).prom"
        defer { unlink(metrics) }
        let rerun = try runBinary(["rerun", "--db", f.conninfo, "--from", "2025-12-01", "--to", "2025-12-08", "--as-of", "2025-12-20",
                                   "--metrics-file", metrics])
        XCTAssertEqual(rerun.code, 0, rerun.err)
        XCTAssertTrue(rerun.out.contains("credit added by adjustments: 1000.00 USD; open discrepancies: 1"), rerun.out)
        let samples = try PrometheusText.parse(String(contentsOfFile: metrics, encoding: .utf8))
        XCTAssertEqual(samples["spend_recon_adjustment_credit{kind=\"rerun\",currency=\"USD\"}"], "1000.00")
        XCTAssertEqual(samples["spend_recon_open_discrepancies{kind=\"rerun\"}"], "1")

        let status = try runBinary(["status", "--db", f.conninfo])
        XCTAssertEqual(status.code, 0, status.err)
        XCTAssertTrue(status.out.contains("rerun succeeded as of 2025-12-20T00:00:00Z"), status.out)
        XCTAssertTrue(status.out.contains("abandoned or cancelled in the last 30 days: 1"), status.out)
        XCTAssertTrue(status.out.contains("open discrepancies: 1"), status.out)
        XCTAssertTrue(status.out.contains("billed_spend negative_amount: 0 new, 1 known"), status.out)
        let json = try runBinary(["status", "--db", f.conninfo, "--json"])
        XCTAssertEqual(json.code, 0, json.err)
        XCTAssertTrue(json.out.contains("\"open_discrepancies\" : 1"), json.out)
    }
}
