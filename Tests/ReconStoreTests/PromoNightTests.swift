import Exact
import Foundation
import XCTest

/// C1–C5 boundaries on the real server, codes received 2025-11-01 (deadline 2025-11-15).
final class PromoNightTests: XCTestCase {
    func testPromoBoundariesOnTheServer() throws {
        let f = try StoreFixture()
        for id in Int64(1)...6 { try f.account(id, country: "JP", currency: "JPY") }
        try f.code("AT-DEADLINE", recipient: 1, activatedBy: 1, activated: "2025-11-15T00:00:00Z")
        try f.code("SECOND-EARLIER", recipient: 2, activatedBy: 2, activated: "2025-11-14T23:59:59Z")
        try f.topup(1, account: 2, at: "2025-11-14T23:58:59Z", amount: "10000", currency: "JPY")  // a minute before
        try f.topup(2, account: 2, at: "2025-11-20T00:00:00Z", amount: "9999", currency: "JPY")
        try f.code("EXACT", recipient: 3, activatedBy: 3, activated: "2025-11-03T12:00:00Z")
        try f.topup(3, account: 3, at: "2025-11-03T12:00:00Z", amount: "11000", tax: "1000", currency: "JPY")
        try f.bill(4, account: 3, at: "2025-11-04", amount: "100.5", currency: "JPY")             // rejected: JPY has no decimals
        try f.code("TRANSFER", recipient: 4, activatedBy: 5, activated: "2025-11-03")
        try f.code("A-FIRST", recipient: 6, activatedBy: 6, activated: "2025-11-03T00:00:00Z")
        try f.code("B-SAME-INSTANT", recipient: 6, activatedBy: 6, activated: "2025-11-03T00:00:00Z")
        // A partner subject in the same night.
        try f.account(10); try f.integration(110, merchant: "m", account: 10)
        try f.topup(10, account: 10, at: "2025-11-05", amount: "500.00")

        let summary = try f.run(asOf: "2025-12-20")
        func code(_ c: String) throws -> StoreFixture.Status? { try f.status("code:\(c)", program: "promo-jp-10000") }
        XCTAssertEqual(try code("AT-DEADLINE")?.reasons, ["code_not_activated_in_time"])
        XCTAssertEqual(try code("SECOND-EARLIER")?.status, "threshold_not_reached", "the 10000 a minute before activation never counts")
        XCTAssertEqual(try code("EXACT"), .init(status: "granted", reasons: [], tier: 1, credit: "10000", final: true))
        let grant = try f.db.execute("SELECT reached_at, due_by, qualifying_spend::text, expires_at FROM recon.credit_grants WHERE promo_code = 'EXACT'")[0]
        XCTAssertEqual(try grant.decode(0, as: Instant.self), t("2025-11-03T12:00:00Z"))
        XCTAssertEqual(try grant.decode(1, as: Instant.self), t("2025-11-04T12:00:00Z"))
        XCTAssertEqual(try grant.decode(2, as: String.self), "10000")
        XCTAssertNil(try grant.decodeIfPresent(3, as: Instant.self))
        XCTAssertEqual(try code("TRANSFER")?.reasons, ["code_not_transferable"])
        XCTAssertEqual(try code("A-FIRST")?.status, "threshold_not_reached")
        XCTAssertEqual(try code("B-SAME-INSTANT")?.reasons, ["account_already_participated"])
        XCTAssertEqual(try f.status("integration:110")?.status, "granted", "partner and promo subjects decided in one run")
        XCTAssertEqual(summary.creditGranted, ["JPY": "10000", "USD": "500.00"])
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.rejected_rows WHERE source_key = '4' AND problem = 'too_many_decimals_amount'"), 1)

        // Export rows for codes: subject and promo_code are the code, integration_id empty.
        let export = try runBinary(["export", "--from", "2025-11-01", "--to", "2026-01-01", "--program", "promo-jp-10000", "--db", f.conninfo])
        XCTAssertEqual(export.code, 0, export.err)
        let line = export.out.components(separatedBy: "\r\n").first { $0.hasPrefix("promo-jp-10000,EXACT,") }
        XCTAssertEqual(line?.components(separatedBy: ",").prefix(12).joined(separator: ","),
                       "promo-jp-10000,EXACT,,,,EXACT,3,JP,JPY,granted,1,10000")
        XCTAssertFalse(export.out.contains("woocommerce"), "--program filters")
    }

    func testDryRunWritesNothingAndJSONSummaryParses() throws {
        let f = try StoreFixture()
        try f.account(1); try f.integration(101, merchant: "m", account: 1)
        try f.bill(1, account: 1, at: "2025-11-05", amount: "5000.00")
        let result = try runBinary(["run", "--dry-run", "--json", "--as-of", "2025-12-10T00:00:00Z", "--db", f.conninfo])
        XCTAssertEqual(result.code, 0, result.err)
        let json = try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any]
        XCTAssertEqual(json?["dryRun"] as? Bool, true)
        XCTAssertEqual(json?["evaluated"] as? Int, 1)
        XCTAssertEqual((json?["statuses"] as? [String: Int])?["granted"], 1)
        XCTAssertEqual((json?["creditGranted"] as? [String: String])?["USD"], "5000.00")
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.subject_status"), 0)
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.credit_grants"), 0)
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.runs"), 0)
        let real = try runBinary(["run", "--as-of", "2025-12-10", "--db", f.conninfo])
        XCTAssertEqual(real.code, 0, real.err)
        XCTAssertTrue(real.out.contains("credit granted: 5000.00 USD"), real.out)
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.credit_grants"), 1)
    }
}
