import Exact
import ReconRules
import XCTest

final class PartnerRuleTests: XCTestCase {
    let afterCutoff = t("2025-12-10")

    // MARK: P1 once per merchant

    func testP1LaterIntegrationOfSameMerchantIsAlreadyParticipated() throws {
        var c = PartnerCase()
        let earlier = Integration(id: 5, merchantID: "m-1", storeCountry: "US", accountID: 2, setUpAt: t("2025-10-20"), firstCampaignAt: nil)
        c.others = [earlier]
        XCTAssertEqual(try c.evaluate(asOf: afterCutoff).reasons, [.merchantAlreadyParticipated])
        // Same merchant name under another partner is another merchant.
        c.others = [Integration(id: 5, partner: "shopify", merchantID: "m-1", storeCountry: "US", accountID: 2,
                                setUpAt: t("2025-10-20"), firstCampaignAt: nil)]
        XCTAssertFalse(try c.evaluate(asOf: afterCutoff).reasons.contains(.merchantAlreadyParticipated))
    }

    func testP1TieOnSetUpTimeGoesToLowerIntegrationID() throws {
        var c = PartnerCase()
        c.others = [Integration(id: 9, merchantID: "m-1", storeCountry: "US", accountID: 3, setUpAt: c.integration.setUpAt, firstCampaignAt: nil)]
        XCTAssertEqual(try c.evaluate(asOf: afterCutoff).reasons, [.merchantAlreadyParticipated])
        c.others = [Integration(id: 11, merchantID: "m-1", storeCountry: "US", accountID: 3, setUpAt: c.integration.setUpAt, firstCampaignAt: nil)]
        XCTAssertFalse(try c.evaluate(asOf: afterCutoff).reasons.contains(.merchantAlreadyParticipated))
    }

    func testP1AnIntegrationSetUpAfterAsOfDoesNotExistYet() throws {
        var c = PartnerCase()
        c.integration.setUpAt = t("2025-11-01")
        c.others = [Integration(id: 5, merchantID: "m-1", storeCountry: "US", accountID: 2, setUpAt: t("2025-10-31"), firstCampaignAt: nil)]
        XCTAssertEqual(try c.evaluate(asOf: t("2025-11-05")).reasons, [.merchantAlreadyParticipated])
    }

    // MARK: P2 markets

    func testP2StoreAndAccountCountryMustBothBeInMarkets() throws {
        var c = PartnerCase()
        c.integration.storeCountry = "FR"
        XCTAssertEqual(try c.evaluate(asOf: afterCutoff).reasons, [.marketNotEligible])
        c = PartnerCase()
        c.account.country = "FR"
        c.account.currency = Currency(code: "EUR")!
        XCTAssertEqual(try c.evaluate(asOf: afterCutoff).reasons, [.marketNotEligible], "no currency_mismatch outside the markets")
        c = PartnerCase()
        c.account = Account(id: 1, country: "GB", currency: gbp, registeredAt: t("2025-10-01"), firstCashAt: t("2025-11-02"))
        c.integration.storeCountry = "GB"
        c.bill(1, at: "2025-11-10", amount: 39_500)
        XCTAssertEqual(try c.evaluate(asOf: afterCutoff).status, .granted)
    }

    // MARK: P3 standing, every reason listed

    func testP3ListsEveryFailingStandingReason() throws {
        var c = PartnerCase()
        c.account.status = "pending_review"
        c.account.policyViolation = true
        c.account.safetyFlagged = true
        c.integration.storeCountry = "FR"
        let decision = try c.evaluate(asOf: t("2025-11-10"))
        XCTAssertEqual(decision.status, .ineligible)
        XCTAssertEqual(decision.reasons, [.marketNotEligible, .accountNotApproved, .policyViolation, .safetyFlagged])
        XCTAssertTrue(decision.isFinal, "market_not_eligible can never be lifted")
    }

    func testP3StandingAloneIsRecheckedUntilTheCutoff() throws {
        var c = PartnerCase()
        c.account.status = "suspended"
        let before = try c.evaluate(asOf: t("2025-11-10"))
        XCTAssertEqual(before.reasons, [.accountNotApproved])
        XCTAssertFalse(before.isFinal)
        XCTAssertTrue(try c.evaluate(asOf: PartnerCase.cutoff).isFinal)
    }

    // MARK: P4 dormancy look-back

    func testP4SpendExactlyNinetyDaysBeforeSetUpIsRecent() throws {
        var c = PartnerCase()
        c.bill(1, at: "2025-08-03T00:00:00Z", amount: 100, paid: nil)   // set-up 2025-11-01 minus 90 days
        XCTAssertEqual(try c.evaluate(asOf: afterCutoff).reasons, [.recentSpend])
    }

    func testP4SpendJustOlderThanTheLookBackIsNotRecent() throws {
        var c = PartnerCase()
        c.bill(1, at: "2025-08-02T23:59:59.999999Z", amount: 100)
        c.bill(2, at: "2025-11-10", amount: 50_000)
        XCTAssertEqual(try c.evaluate(asOf: afterCutoff).status, .granted)
    }

    func testP4SpendAtTheSetUpInstantIsNotBeforeIt() throws {
        var c = PartnerCase()
        c.topup(1, at: "2025-11-01T00:00:00Z", amount: 100)
        XCTAssertFalse(try c.evaluate(asOf: afterCutoff).reasons.contains(.recentSpend))
    }

    func testP4AccountCreatedViaIntegrationSkipsTheLookBack() throws {
        var c = PartnerCase()
        c.integration.accountCreatedViaIntegration = true
        c.bill(1, at: "2025-10-01", amount: 100)
        XCTAssertFalse(try c.evaluate(asOf: afterCutoff).reasons.contains(.recentSpend))
    }

    // MARK: P5 enrolment period

    func testP5EnrolmentPeriodIsHalfOpen() throws {
        var c = PartnerCase()
        c.program.enrollFrom = t("2025-11-01")
        c.program.enrollUntil = t("2025-12-01")
        XCTAssertFalse(try c.evaluate(asOf: afterCutoff).reasons.contains(.outsideProgramPeriod), "at enroll_from counts")
        c.program.enrollUntil = t("2025-11-01")
        c.program.enrollFrom = t("2025-10-01")
        XCTAssertEqual(try c.evaluate(asOf: afterCutoff).reasons, [.outsideProgramPeriod], "at enroll_until is outside")
        c.program.enrollFrom = t("2025-11-01T00:00:00.000001Z")
        c.program.enrollUntil = nil
        XCTAssertEqual(try c.evaluate(asOf: afterCutoff).reasons, [.outsideProgramPeriod])
    }

    // MARK: P6 once per account, conflicting promotions

    func testP6SecondIntegrationOnOneAccountIsAlreadyParticipated() throws {
        var c = PartnerCase()
        c.others = [Integration(id: 3, merchantID: "other", storeCountry: "US", accountID: 1, setUpAt: t("2025-10-31"), firstCampaignAt: nil)]
        XCTAssertEqual(try c.evaluate(asOf: afterCutoff).reasons, [.accountAlreadyParticipated])
    }

    func testP6ConflictingEnrolmentCountsOnlyOnceItHasHappened() throws {
        var c = PartnerCase()
        c.enrollments = [Enrollment(accountID: 1, promotion: "new_advertiser_incentive", enrolledAt: t("2025-11-20"))]
        XCTAssertEqual(try c.evaluate(asOf: t("2025-11-20")).reasons, [.conflictingPromotion])
        XCTAssertEqual(try c.evaluate(asOf: t("2025-11-19T23:59:59Z")).status, .pending)
        c.enrollments = [Enrollment(accountID: 1, promotion: "some_other_offer", enrolledAt: t("2025-11-01"))]
        XCTAssertEqual(try c.evaluate(asOf: t("2025-11-20")).status, .pending)
    }

    // MARK: P7 campaign

    func testP7NoCampaignByTheCutoffIsIneligible() throws {
        var c = PartnerCase()
        c.integration.firstCampaignAt = nil
        c.bill(1, at: "2025-11-10", amount: 600_000)
        let inWindow = try c.evaluate(asOf: t("2025-11-20"))
        XCTAssertEqual(inWindow.status, .pending, "top tier without a campaign waits")
        XCTAssertEqual(inWindow.waitingFor, .campaign)
        let after = try c.evaluate(asOf: PartnerCase.cutoff)
        XCTAssertEqual(after.reasons, [.noCampaignLaunched])
        XCTAssertTrue(after.isFinal)
    }

    func testP7CampaignAtTheWindowEndIsTooLate() throws {
        var c = PartnerCase()
        c.bill(1, at: "2025-11-10", amount: 60_000)
        c.integration.firstCampaignAt = PartnerCase.windowEnd
        XCTAssertEqual(try c.evaluate(asOf: afterCutoff).reasons, [.noCampaignLaunched])
        c.integration.firstCampaignAt = PartnerCase.windowEnd.adding(microseconds: -1)
        XCTAssertEqual(try c.evaluate(asOf: afterCutoff).status, .granted)
    }

    // MARK: P8 window anchor

    func testP8NoCashYetIsPendingAwaitingCash() throws {
        var c = PartnerCase()
        c.account.firstCashAt = t("2025-11-20")
        let decision = try c.evaluate(asOf: t("2025-11-19"))
        XCTAssertEqual(decision.status, .pending)
        XCTAssertEqual(decision.waitingFor, .cash)
        XCTAssertNil(decision.window)
        XCTAssertEqual(try c.evaluate(asOf: t("2025-11-20")).window?.start, t("2025-11-20"))
    }

    func testP8WindowStartsAtTheLaterOfSetUpAndFirstCash() throws {
        var c = PartnerCase()
        c.account.firstCashAt = t("2025-09-01")
        let decision = try c.evaluate(asOf: t("2025-11-05"))
        XCTAssertEqual(decision.window?.start, t("2025-11-01"))
        XCTAssertEqual(decision.window?.end, t("2025-12-01"))
        XCTAssertEqual(decision.window?.cutoff, t("2025-12-03"))
    }

    // MARK: P9 tiers and currency

    func testP9CurrencyMustBeTheTierCurrency() throws {
        var c = PartnerCase()
        c.account.currency = gbp
        XCTAssertEqual(try c.evaluate(asOf: afterCutoff).reasons, [.currencyMismatch])
    }

    // MARK: P10 tiers, reached_at, cutoff, settling

    func testP10ThresholdExactlyReachedAndOneCentShort() throws {
        var c = PartnerCase()
        c.bill(1, at: "2025-11-10", amount: 49_999)
        XCTAssertEqual(try c.evaluate(asOf: afterCutoff).status, .thresholdNotReached)
        c.topup(2, at: "2025-11-11", amount: 1)
        let granted = try c.evaluate(asOf: afterCutoff)
        XCTAssertEqual(granted.status, .granted)
        XCTAssertEqual(granted.tier?.level, 1)
        XCTAssertEqual(granted.tier?.credit, 50_000)
        XCTAssertEqual(granted.reachedAt, t("2025-11-11"), "reached_at is the row that carried the sum over")
        XCTAssertEqual(granted.dueBy, t("2025-12-09"), "window end + 7 days")
        XCTAssertEqual(granted.decidedAt, PartnerCase.cutoff)
        XCTAssertEqual(granted.expiresAt, t("2026-01-30"))
    }

    func testP10WindowIsHalfOpen() throws {
        var c = PartnerCase()
        c.topup(1, at: "2025-11-02T00:00:00Z", amount: 50_000)         // exactly at the start: counts
        XCTAssertEqual(try c.evaluate(asOf: afterCutoff).status, .granted)
        c = PartnerCase()
        c.topup(1, at: "2025-12-02T00:00:00Z", amount: 50_000)         // exactly at the end: does not
        let decision = try c.evaluate(asOf: afterCutoff)
        XCTAssertEqual(decision.status, .thresholdNotReached)
        XCTAssertEqual(decision.spend.qualifying, 0)
    }

    func testP10TopTierGrantsAtOnceWithDueByFromReachedAt() throws {
        var c = PartnerCase()
        c.bill(1, at: "2025-11-05", amount: 300_000)
        c.bill(2, at: "2025-11-07T12:00:00Z", amount: 200_000)
        let decision = try c.evaluate(asOf: t("2025-11-08"))
        XCTAssertEqual(decision.status, .granted)
        XCTAssertEqual(decision.tier?.level, 3)
        XCTAssertEqual(decision.reachedAt, t("2025-11-07T12:00:00Z"))
        XCTAssertEqual(decision.dueBy, t("2025-11-14T12:00:00Z"))
        XCTAssertEqual(decision.decidedAt, t("2025-11-07T12:00:00Z"))
    }

    func testP10LowerTierWaitsForTheCutoffThenHighestReachedIsGrantedOnce() throws {
        var c = PartnerCase()
        c.bill(1, at: "2025-11-05", amount: 160_000)
        let midWindow = try c.evaluate(asOf: t("2025-11-20"))
        XCTAssertEqual(midWindow.status, .pending)
        XCTAssertEqual(midWindow.reachedTier?.level, 2)
        XCTAssertEqual(midWindow.nextTier?.level, 3)
        XCTAssertEqual(midWindow.missingToNextTier, 340_000)
        XCTAssertEqual(try c.evaluate(asOf: PartnerCase.cutoff.adding(microseconds: -1)).status, .pending)
        let atCutoff = try c.evaluate(asOf: PartnerCase.cutoff)
        XCTAssertEqual(atCutoff.status, .granted)
        XCTAssertEqual(atCutoff.tier?.level, 2, "only the highest tier reached")
        XCTAssertEqual(atCutoff.tier?.credit, 150_000)
    }

    func testP10BillPaidWithinSettleDaysCountsAndAfterDoesNot() throws {
        var c = PartnerCase()
        c.bill(1, at: "2025-12-01", amount: 50_000, paid: "2025-12-03T23:59:59Z")
        XCTAssertEqual(try c.evaluate(asOf: afterCutoff).status, .granted)
        c = PartnerCase()
        c.bill(1, at: "2025-12-01", amount: 50_000, paid: "2025-12-04T00:00:00Z")   // at the cutoff: too late
        let late = try c.evaluate(asOf: afterCutoff)
        XCTAssertEqual(late.status, .thresholdNotReached)
        XCTAssertEqual(late.spend.excludedUnpaid, 50_000)
    }

    func testP10PaymentAfterAsOfReadsAsUnpaid() throws {
        var c = PartnerCase()
        c.bill(1, at: "2025-11-05", amount: 500_000, paid: "2025-11-20")
        XCTAssertEqual(try c.evaluate(asOf: t("2025-11-19")).status, .pending)
        XCTAssertEqual(try c.evaluate(asOf: t("2025-11-20")).status, .granted)
    }

    func testP10FinalDecisionIsTheSameWhenReplayedLater() throws {
        var c = PartnerCase()
        c.bill(1, at: "2025-11-05", amount: 60_000)
        c.bill(2, at: "2025-11-30", amount: 100_000, paid: "2025-12-05")   // paid after the cutoff
        let atCutoff = try c.evaluate(asOf: PartnerCase.cutoff)
        let muchLater = try c.evaluate(asOf: t("2026-06-01"))
        XCTAssertEqual(atCutoff.tier, muchLater.tier)
        XCTAssertEqual(atCutoff.status, muchLater.status)
        XCTAssertEqual(atCutoff.spend, muchLater.spend)
    }

    func testTaxAndCreditAreExcludedToTheCentForBillsAndTopUps() throws {
        var c = PartnerCase()
        c.bill(1, at: "2025-11-05", amount: 30_000, tax: 2_500, credit: 2_500)       // 250.00 qualifies
        c.topup(2, at: "2025-11-06", amount: 30_000, tax: 2_500, credit: 2_501)      // 249.99 qualifies
        let short = try c.evaluate(asOf: afterCutoff)
        XCTAssertEqual(short.spend.qualifying, 49_999)
        XCTAssertEqual(short.spend.excludedTax, 5_000)
        XCTAssertEqual(short.spend.excludedCredit, 5_001)
        XCTAssertEqual(short.status, .thresholdNotReached)
        c.topup(3, at: "2025-11-07", amount: 1)
        XCTAssertEqual(try c.evaluate(asOf: afterCutoff).status, .granted)
    }

    func testUnpaidBillsNeverCount() throws {
        var c = PartnerCase()
        c.bill(1, at: "2025-11-05", amount: 900_000, paid: nil)
        let decision = try c.evaluate(asOf: afterCutoff)
        XCTAssertEqual(decision.status, .thresholdNotReached)
        XCTAssertEqual(decision.spend.excludedUnpaid, 900_000)
    }

    func testSpendBeforeTheWindowIsReportedNotCounted() throws {
        var c = PartnerCase()
        c.account.firstCashAt = t("2025-11-10")
        c.bill(1, at: "2025-11-05", amount: 70_000)
        let decision = try c.evaluate(asOf: afterCutoff)
        XCTAssertEqual(decision.spend.qualifying, 0)
        XCTAssertEqual(decision.spend.excludedBeforeWindow, 70_000)
    }

    // MARK: P11 expiry

    func testP11DecisionAtTheExpiryIsProgramEnded() throws {
        var c = PartnerCase()
        c.bill(1, at: "2025-11-05", amount: 60_000)
        c.program.creditExpiresAt = PartnerCase.cutoff
        XCTAssertEqual(try c.evaluate(asOf: afterCutoff).reasons, [.programEnded])
        c.program.creditExpiresAt = PartnerCase.cutoff.adding(microseconds: 1)
        let granted = try c.evaluate(asOf: afterCutoff)
        XCTAssertEqual(granted.status, .granted)
        XCTAssertEqual(granted.expiresAt, PartnerCase.cutoff.adding(microseconds: 1))
    }

    func testP11EarlyGrantUsesReachedAtAsDecisionTime() throws {
        var c = PartnerCase()
        c.bill(1, at: "2025-11-05", amount: 500_000)
        c.program.creditExpiresAt = t("2025-11-05")
        XCTAssertEqual(try c.evaluate(asOf: t("2025-11-06")).reasons, [.programEnded])
        c.program.creditExpiresAt = t("2025-11-05T00:00:01Z")
        XCTAssertEqual(try c.evaluate(asOf: t("2025-11-06")).status, .granted)
    }

    func testOverflowingSumsAreAnErrorNotAWrap() {
        var c = PartnerCase()
        c.topup(1, at: "2025-11-05", amount: Int64.max)
        c.topup(2, at: "2025-11-06", amount: Int64.max)
        XCTAssertThrowsError(try c.evaluate(asOf: afterCutoff))
    }
}
