import Exact
import PGClient
import ReconStore
import XCTest

/// Window [2025-11-02, 2025-12-02), cutoff 2025-12-04; the night of 2025-12-05 grants tier 1.
final class RerunTests: XCTestCase {
    var f: StoreFixture!

    override func setUpWithError() throws {
        f = try StoreFixture()
        try f.account(1); try f.integration(101, merchant: "m-upgrade", account: 1)
        try f.bill(1, account: 1, at: "2025-11-05", amount: "600.00")
        try f.account(2); try f.integration(102, merchant: "m-steady", account: 2)
        try f.bill(2, account: 2, at: "2025-11-05", amount: "700.00")
        try f.account(3); try f.integration(103, merchant: "m-not-reached", account: 3)
        try f.bill(3, account: 3, at: "2025-11-05", amount: "100.00")
        try f.run(asOf: "2025-12-05")
        XCTAssertEqual(try f.status("integration:101")?.tier, 1)
    }

    func rerun(dryRun: Bool = false, asOf: String = "2025-12-20") throws -> RerunSummary {
        let reader = try Connection(conninfo: f.conninfo, logger: quietLogger())
        return try Rerunner(connection: f.db, reader: reader, logger: quietLogger())
            .rerun(from: t("2025-12-01"), to: t("2025-12-08"), asOf: t(asOf), dryRun: dryRun)
    }

    func testLatePaidBillsUpgradeTierOneToTwoWithAnAdjustmentOfTheDelta() throws {
        // Late data: a bill inside the window, paid within the settling days, loaded after the night.
        try f.bill(4, account: 1, at: "2025-11-20", amount: "950.00", paid: "2025-12-03")
        let summary = try rerun()
        XCTAssertEqual(summary.adjustments, 1)
        XCTAssertEqual(summary.discrepancies, 0)
        let adjustment = try f.db.execute("""
            SELECT from_tier, to_tier, credit_delta::text, currency, qualifying_spend::text,
                   grant_id = (SELECT grant_id FROM recon.credit_grants WHERE subject_key = 'integration:101')
            FROM recon.adjustments
            """)[0]
        XCTAssertEqual(try adjustment.decode(0, as: Int.self), 1)
        XCTAssertEqual(try adjustment.decode(1, as: Int.self), 2)
        XCTAssertEqual(try adjustment.decode(2, as: String.self), "1000.00")
        XCTAssertEqual(try adjustment.decode(3, as: String.self), "USD")
        XCTAssertEqual(try adjustment.decode(4, as: String.self), "1550.00")
        XCTAssertTrue(try adjustment.decode(5, as: Bool.self))
        // The original grant stays; the subject now shows tier 2.
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.credit_grants WHERE subject_key = 'integration:101' AND tier = 1 AND credit = 500"), 1)
        XCTAssertEqual(try f.status("integration:101")?.tier, 2)
        // The same rerun again writes nothing.
        let before = try f.snapshot()
        let again = try rerun()
        XCTAssertEqual(again.written, 0)
        XCTAssertEqual(again.adjustments, 0)
        assertSameSnapshot(try f.snapshot(), before)
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.adjustments"), 1)
    }

    func testACorrectionThatLowersSpendIsADiscrepancyAndTheGrantStays() throws {
        try f.db.execute("UPDATE billing.billed_spend SET amount = 300.00 WHERE bill_id = 2")
        let summary = try rerun()
        XCTAssertEqual(summary.discrepancies, 1)
        let row = try f.db.execute("SELECT granted_tier, found_status, found_tier, grant_id IS NOT NULL FROM recon.discrepancies")[0]
        XCTAssertEqual(try row.decode(0, as: Int.self), 1)
        XCTAssertEqual(try row.decode(1, as: String.self), "threshold_not_reached")
        XCTAssertNil(try row.decodeIfPresent(2, as: Int.self))
        XCTAssertTrue(try row.decode(3, as: Bool.self))
        XCTAssertEqual(try f.status("integration:102")?.status, "granted", "nothing clawed back")
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.credit_grants WHERE subject_key = 'integration:102'"), 1)
        XCTAssertEqual(try rerun().written, 0, "the same discrepancy is not filed twice")
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.discrepancies"), 1)
    }

    func testUnchangedDataWritesNothing() throws {
        let before = try f.snapshot()
        let summary = try rerun()
        XCTAssertEqual(summary.evaluated, 3)
        XCTAssertEqual(summary.unchanged, 3)
        XCTAssertEqual(summary.written, 0)
        assertSameSnapshot(try f.snapshot(), before)
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.runs WHERE kind = 'rerun' AND status = 'succeeded'"), 1)
    }

    func testAMissedGrantIsGrantedByTheRerun() throws {
        try f.bill(5, account: 3, at: "2025-11-06", amount: "450.00", paid: "2025-12-02")
        let summary = try rerun()
        XCTAssertEqual(summary.updated, 1)
        XCTAssertEqual(try f.status("integration:103")?.status, "granted")
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.credit_grants WHERE subject_key = 'integration:103'"), 1)
    }

    func testDryRunPrintsTheDifferencesAndWritesNothing() throws {
        try f.bill(4, account: 1, at: "2025-11-20", amount: "950.00", paid: "2025-12-03")
        try f.db.execute("UPDATE billing.billed_spend SET amount = 300.00 WHERE bill_id = 2")
        let before = try f.snapshot()
        let result = try runBinary(["rerun", "--from", "2025-12-01", "--to", "2025-12-08", "--as-of", "2025-12-20",
                                    "--dry-run", "--db", f.conninfo])
        XCTAssertEqual(result.code, 0, result.err)
        XCTAssertTrue(result.out.contains("adjustment  woocommerce-us-uk woocommerce:m-upgrade: granted tier 1 -> granted tier 2, delta 1000.00"), result.out)
        XCTAssertTrue(result.out.contains("discrepancy woocommerce-us-uk woocommerce:m-steady: granted tier 1 -> threshold_not_reached"), result.out)
        assertSameSnapshot(try f.snapshot(), before)
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.adjustments") + (try f.count("SELECT count(*) FROM recon.discrepancies")), 0)
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.runs WHERE kind = 'rerun'"), 0)
    }

    func testRerunUnknownProgramOrReversedRangeIsUsage() throws {
        XCTAssertEqual(try runBinary(["rerun", "--from", "2025-12-08", "--to", "2025-12-01", "--db", f.conninfo]).code, 64)
        let unknown = try runBinary(["rerun", "--from", "2025-12-01", "--to", "2025-12-08", "--program", "nope", "--db", f.conninfo])
        XCTAssertEqual(unknown.code, 64)
        XCTAssertTrue(unknown.err.contains("unknown program"), unknown.err)
    }
}
