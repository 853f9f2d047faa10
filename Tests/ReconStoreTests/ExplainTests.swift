import XCTest

final class ExplainTests: XCTestCase {
    func testExplainNamesEveryRowWithItsAmountAndWhy() throws {
        let f = try StoreFixture()
        try f.account(1, firstCash: "2025-11-10"); try f.integration(101, merchant: "m-explained", account: 1)
        // Window [2025-11-10, 2025-12-10), cutoff 2025-12-12.
        try f.bill(1, account: 1, at: "2025-11-12", amount: "400.00", tax: "30.00", credit: "20.00")       // counts 350.00
        try f.bill(2, account: 1, at: "2025-11-15", amount: "300.00", paid: nil)                            // unpaid
        try f.bill(3, account: 1, at: "2025-11-05", amount: "250.00")                                       // before window
        try f.bill(4, account: 1, at: "2025-11-20", amount: "-75.00")                                       // rejected
        let result = try runBinary(["explain", "--integration", "101", "--as-of", "2025-12-20", "--db", f.conninfo])
        XCTAssertEqual(result.code, 0, result.err)
        let out = result.out
        XCTAssertTrue(out.contains("status: threshold_not_reached"), out)
        XCTAssertTrue(out.contains("window: [2025-11-10T00:00:00Z, 2025-12-10T00:00:00Z), cutoff 2025-12-12T00:00:00Z; qualifying spend 350.00 USD"), out)
        XCTAssertTrue(out.contains("billed_spend 1 at 2025-11-12T00:00:00Z amount 400.00: counted 350.00 (tax 30.00 and ad credit 20.00 excluded)"), out)
        XCTAssertTrue(out.contains("billed_spend 2 at 2025-11-15T00:00:00Z amount 300.00: not counted: 300.00 was not paid by the cutoff"), out)
        XCTAssertTrue(out.contains("billed_spend 3 at 2025-11-05T00:00:00Z amount 250.00: not counted: 250.00 was spent before the window started"), out)
        XCTAssertTrue(out.contains("billed_spend 4 at 2025-11-20T00:00:00Z amount -75.00: rejected (negative_amount)"), out)
        XCTAssertTrue(out.contains("tier 1: spend 500.00, get 500.00 — 150.00 still missing"), out)
        XCTAssertTrue(out.contains("tier 3: spend 5000.00, get 5000.00 — 4650.00 still missing"), out)

        let json = try runBinary(["explain", "--merchant", "woocommerce:m-explained", "--as-of", "2025-12-20", "--json", "--db", f.conninfo])
        XCTAssertEqual(json.code, 0, json.err)
        let parsed = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [[String: Any]]
        XCTAssertEqual(parsed?.count, 1)
        XCTAssertEqual(parsed?.first?["qualifyingSpend"] as? String, "350.00")
        XCTAssertEqual((parsed?.first?["rows"] as? [Any])?.count, 4)

        try f.account(2, country: "JP", currency: "JPY")
        try f.code("JP-X", recipient: 2, activatedBy: 2, activated: "2025-11-03")
        try f.topup(9, account: 2, at: "2025-11-04", amount: "12000", tax: "1000", currency: "JPY")
        let promo = try runBinary(["explain", "--code", "JP-X", "--as-of", "2025-11-05", "--db", f.conninfo])
        XCTAssertTrue(promo.out.contains("status: granted tier 1"), promo.out)
        XCTAssertTrue(promo.out.contains("tier 1: spend 10000, get 10000 — reached 2025-11-04T00:00:00Z"), promo.out)

        let none = try runBinary(["explain", "--code", "NOPE", "--db", f.conninfo])
        XCTAssertEqual(none.code, 0)
        XCTAssertEqual(none.out, "no subject matches\n")
        XCTAssertEqual(try runBinary(["explain", "--code", "A", "--account", "1", "--db", f.conninfo]).code, 64)
    }
}

final class MerchantArgumentTests: XCTestCase {
    func testMalformedMerchantIsUsage() throws {
        XCTAssertEqual(try runBinary(["explain", "--merchant", "no-colon"]).code, 64)
        XCTAssertEqual(try runBinary(["export", "--from", "2025-11-01", "--to", "2025-12-01", "--merchant", ":x"]).code, 64)
    }
}
