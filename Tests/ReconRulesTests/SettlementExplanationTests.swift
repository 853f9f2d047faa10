import Exact
@testable import ReconRules
import XCTest

/// The export's and `explain`'s sentence about the credit itself (SPEC section 8): applied
/// when, overdue since when, or applied with which problem.
final class SettlementExplanationTests: XCTestCase {
    func facts(_ settlement: Explanation.SettlementFacts?) -> Explanation.Facts {
        Explanation.Facts(status: .granted, reasons: [], waitingFor: nil, currency: "USD", tier: 1, credit: "500.00",
                          qualifying: "640.00", nextTier: nil, nextThreshold: nil, missingToNext: nil, windowEnd: nil,
                          reachedAt: Instant(iso8601: "2025-11-05T00:00:00Z"), dueBy: Instant(iso8601: "2025-12-09T00:00:00Z"),
                          expiresAt: nil, settlement: settlement)
    }

    func tail(_ status: Settlement.Status, _ issues: [Settlement.Issue] = [], applied: String = "500.00",
              at: String? = "2025-12-08T00:00:00Z") -> String {
        let sentence = Explanation.sentence(facts(.init(status: status, issues: issues, appliedAmount: applied,
                                                        appliedAt: at.flatMap(Instant.init(iso8601:)))))
        return String(sentence.split(separator: ". ", maxSplits: 1).last ?? "")
    }

    func testEachStatusSaysWhatBecameOfTheCredit() {
        XCTAssertEqual(tail(.awaiting, at: nil), "The credit has not been applied yet; it is due by 2025-12-09.")
        XCTAssertEqual(tail(.overdue, at: nil), "The credit is overdue since 2025-12-09: it has not been applied.")
        XCTAssertEqual(tail(.settled), "The credit was applied on 2025-12-08.")
        XCTAssertEqual(tail(.settledLate, [.late], at: "2025-12-11T10:00:00Z"),
                       "The credit was applied on 2025-12-11T10:00:00Z, after its due date of 2025-12-09.")
        XCTAssertEqual(tail(.mismatch, [.amountShort, .wrongAccount], applied: "0.00"),
                       "The credit was applied on 2025-12-08 with a problem: 0.00 USD of 500.00 USD reached this account; it was applied to another ad account.")
        XCTAssertEqual(tail(.mismatch, [.amountOver, .duplicate], applied: "1000.00"),
                       "The credit was applied on 2025-12-08 with a problem: 1000.00 USD was applied, more than the 500.00 USD granted; it was applied more than once.")
    }

    func testWithoutASettlementTheSentenceIsAsBefore() {
        XCTAssertTrue(Explanation.sentence(facts(nil)).hasSuffix("the credit is applied by 2025-12-09."))
    }
}
