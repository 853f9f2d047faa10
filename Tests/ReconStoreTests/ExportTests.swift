import Foundation
import PostgresSandbox
import XCTest

final class ExportTests: XCTestCase {
    static let hostile = [
        "plain", "comma,inside", "quote\"inside", "line\nbreak", "cr\rreturn", "ünïcødé 店舗", "=HYPERLINK(\"x\")",
        "@SUM(A1)", "+1", "-1", "'); drop table x; --",
    ]

    func testExportReadBackByARealCSVParserEqualsTheDecisions() throws {
        let f = try StoreFixture()
        for (index, merchant) in Self.hostile.enumerated() {
            let id = Int64(index + 1)
            try f.account(id)
            try f.integration(100 + id, merchant: merchant, account: id)
            try f.bill(1000 + id, account: id, at: "2025-11-05", amount: index.isMultiple(of: 2) ? "650.10" : "120.00",
                       tax: "10.05", credit: "0.05")
        }
        try f.account(50, status: "suspended", violation: true)
        try f.integration(150, merchant: "bad-standing", account: 50)
        try f.account(60, firstCash: nil)
        try f.integration(160, merchant: "no-cash-yet", account: 60)
        try f.run(asOf: "2025-12-10")

        let output = NSTemporaryDirectory() + "sr-export-\(getpid()).csv"
        defer { unlink(output) }
        let result = try runBinary(["export", "--from", "2025-11-01", "--to", "2026-01-01", "--output", output, "--db", f.conninfo])
        XCTAssertEqual(result.code, 0, result.err)
        let raw = try String(contentsOfFile: output, encoding: .utf8)
        XCTAssertTrue(raw.hasPrefix("program_id,subject,integration_id,partner,merchant_id,promo_code,account_id,country,currency,status,tier,credit,qualifying_spend,excluded_tax,excluded_credit,excluded_unpaid,excluded_before_window,window_start,window_end,reached_at,due_by,expires_at,reasons,explanation,run_id,current_tier,current_credit,open_discrepancies,credit_ref,settlement_status,settlement_issues,applied_amount,applied_at\r\n"))

        let rows = try parseCSV(output)
        let header = rows[0]
        XCTAssertEqual(header.count, 33, "SPEC section 6's 25, then current_tier, current_credit, open_discrepancies, then section 8's five")
        let records = rows.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
        XCTAssertEqual(records.count, Self.hostile.count + 2)
        for (index, merchant) in Self.hostile.enumerated() {
            guard let record = records.first(where: { $0["integration_id"] == String(101 + index) }) else {
                XCTFail("no row for \(merchant)")
                continue
            }
            let guarded = ["=", "+", "-", "@"].contains(merchant.first.map(String.init) ?? "") ? "'" + merchant : merchant
            XCTAssertEqual(record["merchant_id"], guarded, "merchant id survives the round trip, formulas neutralised")
            XCTAssertEqual(record["subject"], "woocommerce:" + merchant)
            XCTAssertEqual(record["account_id"], String(index + 1))
            XCTAssertEqual(record["excluded_tax"], "10.05")
            XCTAssertEqual(record["excluded_credit"], "0.05")
            if index.isMultiple(of: 2) {
                XCTAssertEqual(record["status"], "granted")
                XCTAssertEqual(record["tier"], "1")
                XCTAssertEqual(record["credit"], "500.00")
                XCTAssertEqual(record["qualifying_spend"], "640.00")
                XCTAssertEqual(record["due_by"], "2025-12-09T00:00:00Z")
                XCTAssertEqual(record["expires_at"], "2026-01-30T00:00:00Z")
                XCTAssertEqual(record["explanation"],
                               "Granted tier 1: 500.00 USD of ad credit for 640.00 USD of qualifying spend (tax and ad credit excluded), threshold reached on 2025-11-05; the credit is applied by 2025-12-09 and expires on 2026-01-30. The credit is overdue since 2025-12-09: it has not been applied.")
                XCTAssertEqual(record["credit_ref"]?.hasPrefix("grant:"), true)
                XCTAssertEqual(record["settlement_status"], "overdue")
                XCTAssertEqual(record["settlement_issues"], "")
                XCTAssertEqual(record["applied_amount"], "0.00")
                XCTAssertEqual(record["applied_at"], "")
            } else {
                XCTAssertEqual(record["credit_ref"], "")
                XCTAssertEqual(record["settlement_status"], "")
                XCTAssertEqual(record["status"], "threshold_not_reached")
                XCTAssertEqual(record["tier"], "")
                XCTAssertEqual(record["credit"], "")
                XCTAssertEqual(record["qualifying_spend"], "109.90")
                XCTAssertEqual(record["explanation"],
                               "Not granted: the spend window ended on 2025-12-02 with 109.90 USD of qualifying spend (tax and ad credit excluded), below the first tier of 500.00 USD.")
            }
            XCTAssertEqual(record["window_start"], "2025-11-02T00:00:00Z")
            XCTAssertEqual(record["window_end"], "2025-12-02T00:00:00Z")
            XCTAssertEqual(record["promo_code"], "")
        }
        let bad = records.first { $0["integration_id"] == "150" }
        XCTAssertEqual(bad?["status"], "ineligible")
        XCTAssertEqual(bad?["reasons"], "account_not_approved;policy_violation")
        XCTAssertEqual(bad?["explanation"], "Not eligible: the ad account is not approved; and the ad account has an advertising policy violation.")
        let waiting = records.first { $0["integration_id"] == "160" }
        XCTAssertEqual(waiting?["status"], "pending", "a subject still waiting for its window shows too")
        XCTAssertEqual(waiting?["window_start"], "")
        XCTAssertEqual(waiting?["explanation"], "Not started yet: the spend window opens when the ad account is first funded with cash.")

        // Filters.
        let granted = try runBinary(["export", "--from", "2025-11-01", "--to", "2026-01-01", "--status", "granted", "--db", f.conninfo])
        XCTAssertEqual(granted.code, 0, granted.err)
        XCTAssertEqual(granted.out.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count, 1 + 6)
        let byAccount = try runBinary(["export", "--from", "2025-11-01", "--to", "2026-01-01", "--account", "50", "--db", f.conninfo])
        XCTAssertEqual(byAccount.out.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count, 2)
        XCTAssertTrue(byAccount.out.contains("bad-standing"))
        let byMerchant = try runBinary(["export", "--from", "2025-11-01", "--to", "2026-01-01", "--merchant", "woocommerce:no-cash-yet", "--db", f.conninfo])
        XCTAssertEqual(byMerchant.out.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count, 2)
        XCTAssertTrue(byMerchant.out.contains(",160,"))
        let none = try runBinary(["export", "--from", "2024-01-01", "--to", "2024-02-01", "--db", f.conninfo])
        XCTAssertEqual(none.out.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count, 1, "header only")
    }
}
