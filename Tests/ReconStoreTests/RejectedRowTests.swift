import ReconStore
import XCTest

final class RejectedRowTests: XCTestCase {
    func testBadRowsAreRecordedCountNothingAndNeverStopTheRun() throws {
        let f = try StoreFixture()
        try f.account(1); try f.integration(101, merchant: "m", account: 1)
        try f.bill(1, account: 1, at: "2025-11-05", amount: "400.00")
        // Each of these would lift the subject over the 500.00 tier if it counted.
        try f.bill(2, account: 1, at: "2025-11-06", amount: nil)
        try f.bill(3, account: 1, at: "2025-11-06", amount: "-200.00")
        try f.bill(4, account: 1, at: "2025-11-06", amount: "200.00", tax: "150.00", credit: "60.00")
        try f.bill(5, account: 1, at: "2025-11-06", amount: "200.001")
        try f.bill(6, account: 1, at: "2025-11-06", amount: "200.00", currency: "GBP")
        try f.bill(7, account: 1, at: "2025-11-06", amount: "200.00", currency: "XYZ")
        try f.bill(8, account: 99, at: "2025-11-06", amount: "200.00")
        try f.bill(9, account: 1, at: nil, amount: "200.00")
        try f.topup(10, account: 1, at: "2025-11-06", amount: "NaN")
        try f.account(2, currency: nil)
        try f.integration(102, merchant: "m2", account: 2)
        // A bad row inside the P4 look-back must not make the subject "recent".
        try f.bill(11, account: 1, at: "2025-10-01", amount: "-1.00")
        // Rows after as_of are not rejected: they have not happened yet.
        try f.bill(12, account: 1, at: "2026-01-01", amount: "-5.00")
        // Bad rows no rule can look at: the nightly run does not read them, the audit finds them.
        try f.account(3)
        try f.bill(13, account: 3, at: "2025-11-06", amount: "-7.00")   // an account without a subject
        try f.bill(14, account: 1, at: "2024-01-06", amount: "-7.00")   // long before the look-back

        let summary = try f.run(asOf: "2025-12-10")
        XCTAssertEqual(try f.status("integration:101")?.status, "threshold_not_reached")
        XCTAssertNil(try f.status("integration:102"), "an integration on a rejected account is itself rejected")
        let rejected = try f.db.execute("SELECT source_table || ':' || source_key || ':' || problem FROM recon.rejected_rows ORDER BY 1")
            .rows.map { try $0.decode(0, as: String.self) }
        XCTAssertEqual(rejected, [
            "ad_accounts:2:null_currency",
            "billed_spend:11:negative_amount",
            "billed_spend:2:null_amount",
            "billed_spend:3:negative_amount",
            "billed_spend:4:tax_and_credit_exceed_amount",
            "billed_spend:5:too_many_decimals_amount",
            "billed_spend:6:currency_differs_from_account",
            "billed_spend:7:unknown_currency",
            "billed_spend:9:null_spend_at",
            "partner_integrations:102:account_rejected",
            "topup_consumption:10:not_a_number_amount",
        ])
        XCTAssertEqual(summary.rejectedRows, 11)
        XCTAssertEqual(try f.count("SELECT rejected_rows FROM recon.runs"), 11)
        // A second run records nothing new.
        try f.run(asOf: "2025-12-11")
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.rejected_rows"), 11)

        // The audit reads all of billing: the three rows no rule looks at, and all the others again.
        let audit = try runBinary(["audit", "--as-of", "2025-12-10", "--db", f.conninfo])
        XCTAssertEqual(audit.code, 0)
        XCTAssertTrue(audit.out.contains("rejected rows: 14"), audit.out)
        XCTAssertEqual(try f.db.execute("""
            SELECT source_table || ':' || source_key || ':' || problem FROM recon.rejected_rows r
            JOIN recon.runs u ON u.run_id = r.first_run_id WHERE u.kind = 'audit' ORDER BY 1
            """).rows.map { try $0.decode(0, as: String.self) },
                       ["billed_spend:13:negative_amount", "billed_spend:14:negative_amount", "billed_spend:8:unknown_account"])
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.runs WHERE kind = 'audit' AND status = 'succeeded' AND rejected_rows = 14"), 1)
        XCTAssertEqual(try f.status("integration:101")?.status, "threshold_not_reached", "the audit decides nothing")
    }
}
