import Exact
import ReconRules
import XCTest

final class PromoRuleTests: XCTestCase {
    let late = t("2026-01-10")

    func testC1ActivationExactlyAtTheDeadlineIsLateOneSecondEarlierIsInTime() throws {
        var c = PromoCase()
        c.code.activatedAt = t("2025-11-15T00:00:00Z")
        XCTAssertEqual(try c.evaluate(asOf: late).reasons, [.codeNotActivatedInTime])
        c.code.activatedAt = t("2025-11-14T23:59:59Z")
        c.topup(1, at: "2025-11-20", amount: 10_000)
        XCTAssertEqual(try c.evaluate(asOf: late).status, .granted)
    }

    func testC1NotActivatedIsPendingWhileTheDeadlineIsOpenThenIneligible() throws {
        var c = PromoCase()
        c.code.activatedAt = nil
        c.code.activatedByAccountID = nil
        let open = try c.evaluate(asOf: t("2025-11-14T23:59:59Z"))
        XCTAssertEqual(open.status, .pending)
        XCTAssertEqual(open.waitingFor, .activation)
        let closed = try c.evaluate(asOf: t("2025-11-15"))
        XCTAssertEqual(closed.reasons, [.codeNotActivatedInTime])
        XCTAssertTrue(closed.isFinal)
    }

    func testC1AnActivationAfterAsOfHasNotHappenedYet() throws {
        let c = PromoCase()
        XCTAssertEqual(try c.evaluate(asOf: t("2025-11-05T09:59:59Z")).waitingFor, .activation)
        XCTAssertEqual(try c.evaluate(asOf: t("2025-11-05T10:00:00Z")).waitingFor, .window)
    }

    func testC2ActivatedBySomeoneElseIsNotTransferable() throws {
        var c = PromoCase()
        c.code.activatedByAccountID = 99
        XCTAssertEqual(try c.evaluate(asOf: late).reasons, [.codeNotTransferable])
    }

    func testC3OriginMarketApprovalAndCashBalance() throws {
        var c = PromoCase()
        c.account.origin = "business_center"
        XCTAssertEqual(try c.evaluate(asOf: late).reasons, [.accountOriginNotEligible])
        c.account.origin = "agency"
        c.account.status = "pending_review"
        c.account.safetyFlagged = true
        XCTAssertEqual(try c.evaluate(asOf: late).reasons, [.accountOriginNotEligible, .accountNotApproved, .safetyFlagged])
        c = PromoCase()
        c.code.cashBalanceAtActivation = ExactDecimal(coefficient: 0, scale: 0)
        XCTAssertEqual(try c.evaluate(asOf: late).reasons, [.noCashBalance])
        c.code.cashBalanceAtActivation = nil
        XCTAssertEqual(try c.evaluate(asOf: late).reasons, [.noCashBalance])
        c.code.cashBalanceAtActivation = ExactDecimal(coefficient: 1, scale: 0)
        c.account.country = "KR"
        c.account.currency = Currency(code: "KRW")!
        XCTAssertEqual(try c.evaluate(asOf: late).reasons, [.marketNotEligible])
        c.account.country = "JP"
        c.account.currency = usd
        XCTAssertEqual(try c.evaluate(asOf: late).reasons, [.currencyMismatch])
    }

    func testC4OneCodePerAccountTheEarliestActivationCounts() throws {
        var c = PromoCase()
        c.others = [PromoCode(code: "JP-EARLIER", programID: "promo-jp-10000", recipientAccountID: 7, receivedAt: t("2025-11-01"),
                              activatedByAccountID: 7, activatedAt: t("2025-11-04"), cashBalanceAtActivation: nil)]
        XCTAssertEqual(try c.evaluate(asOf: late).reasons, [.accountAlreadyParticipated])
        c.others[0].activatedAt = t("2025-11-06")
        XCTAssertNotEqual(try c.evaluate(asOf: late).reasons, [.accountAlreadyParticipated])
        // Same activation instant: the smaller code wins.
        c.others[0].activatedAt = c.code.activatedAt
        c.others[0].code = "JP-AAA"
        XCTAssertEqual(try c.evaluate(asOf: late).reasons, [.accountAlreadyParticipated])
    }

    func testC5SpendBeforeActivationNeverCountsEvenTheSameDay() throws {
        var c = PromoCase()
        c.topup(1, at: "2025-11-05T09:59:00Z", amount: 10_000)      // a minute before activation
        let before = try c.evaluate(asOf: late)
        XCTAssertEqual(before.status, .thresholdNotReached)
        XCTAssertEqual(before.spend.excludedBeforeWindow, 10_000)
        c.topup(2, at: "2025-11-05T10:00:00Z", amount: 10_000)      // at the activation instant
        let decision = try c.evaluate(asOf: t("2025-11-06"))
        XCTAssertEqual(decision.status, .granted)
        XCTAssertEqual(decision.reachedAt, t("2025-11-05T10:00:00Z"))
        XCTAssertEqual(decision.dueBy, t("2025-11-06T10:00:00Z"), "reached_at + 1 day")
        XCTAssertNil(decision.expiresAt)
    }

    func testC5TaxIsExcludedAndOneYenShortIsNotReached() throws {
        var c = PromoCase()
        c.topup(1, at: "2025-11-06", amount: 11_000, tax: 1_001)
        XCTAssertEqual(try c.evaluate(asOf: t("2025-11-20")).status, .pending)
        XCTAssertEqual(try c.evaluate(asOf: t("2025-12-06")).status, .thresholdNotReached)
    }
}
