import Exact
import Foundation
import ReconStore
import XCTest

/// `explain` answers the ticket by itself: who took a once-only credit, which enrolment
/// conflicts, which market and currency, and the look-back rows behind `recent_spend`.
final class ExplainDetailsTests: XCTestCase {
    func testTheSentenceNamesWhatIsBehindEachReason() throws {
        let f = try StoreFixture()
        // m-1's first store takes the merchant's credit; its second store is refused (P1).
        try f.account(1); try f.integration(101, merchant: "m-1", account: 1, setUp: "2025-11-01")
        try f.account(2); try f.integration(102, merchant: "m-1", account: 2, setUp: "2025-11-04")
        // An account in a market the program has not; one enrolled in the conflicting promotion.
        try f.account(3, country: "FR", currency: "EUR"); try f.integration(103, merchant: "m-3", account: 3, store: "FR")
        try f.account(5); try f.integration(105, merchant: "m-5", account: 5)
        try f.enroll(5, "new_advertiser_incentive", at: "2025-11-10")
        // An established advertiser: spend in the 90 days before the set-up (P4).
        try f.account(4); try f.integration(104, merchant: "m-4", account: 4, setUp: "2025-11-01")
        try f.bill(40, account: 4, at: "2025-09-15", amount: "80.00")
        func explain(_ arguments: [String]) throws -> String {
            let result = try runBinary(["explain", "--db", f.conninfo, "--as-of", "2025-11-20"] + arguments)
            XCTAssertEqual(result.code, 0, result.err)
            return result.out
        }
        let second = try explain(["--integration", "102"])
        XCTAssertTrue(second.contains("Integration 101 of the same merchant was set up first, on 2025-11-01."), second)
        let conflicted = try explain(["--integration", "105"])
        XCTAssertTrue(conflicted.contains("enrolled in new_advertiser_incentive on 2025-11-10"), conflicted)
        let foreign = try explain(["--integration", "103"])
        XCTAssertTrue(foreign.contains("The store is in FR and the ad account in FR (paying in EUR); this program's markets are GB, US."),
                      foreign)
        let established = try explain(["--integration", "104"])
        XCTAssertTrue(established.contains("already spent between 2025-08-03 and the integration's set-up on 2025-11-01"), established)
        XCTAssertTrue(established.contains("billed_spend 40 at 2025-09-15T00:00:00Z amount 80.00: in the 90 days before set-up: recent spend (P4), which makes the subject ineligible"),
                      established)
        // Once granted, the holder is named instead.
        try f.run(asOf: "2025-11-20")
        try f.bill(41, account: 1, at: "2025-11-05", amount: "6000.00")
        try f.run(asOf: "2025-11-21")
        XCTAssertEqual(try f.status("integration:101")?.status, "granted")
        let held = try explain(["--integration", "102"])
        XCTAssertTrue(held.contains("Integration 101 of the same merchant (woocommerce:m-1) already holds this program's credit."), held)
    }
}
