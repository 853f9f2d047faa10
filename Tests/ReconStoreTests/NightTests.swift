import Exact
import PGClient
import ReconStore
import XCTest

/// One night with a subject for every status and reason, run as of 2025-12-10 against the real
/// server. Partner windows are [2025-11-02, 2025-12-02), cutoff 2025-12-04, unless noted.
final class NightTests: XCTestCase {
    static let asOf = "2025-12-10"
    var f: StoreFixture!

    override func setUpWithError() throws {
        f = try StoreFixture()
        // Partner subjects.
        try f.account(1); try f.integration(101, merchant: "m-granted", account: 1)
        try f.bill(1001, account: 1, at: "2025-11-05", amount: "650.00", tax: "50.00", credit: "0.00")
        try f.account(2); try f.integration(102, merchant: "m-top", account: 2)
        try f.bill(1002, account: 2, at: "2025-11-05", amount: "5000.00")
        try f.account(3); try f.integration(103, merchant: "m-short", account: 3)
        try f.topup(1003, account: 3, at: "2025-11-05", amount: "499.99")
        try f.account(4, firstCash: "2025-12-01"); try f.integration(104, merchant: "m-window-open", account: 4)
        try f.bill(1004, account: 4, at: "2025-12-05", amount: "800.00")
        try f.account(5, firstCash: nil); try f.integration(105, merchant: "m-no-cash", account: 5)
        try f.account(6); try f.integration(106, merchant: "m-granted", account: 6, setUp: "2025-11-02")
        try f.account(7); try f.integration(107, merchant: "m-fr", account: 7, store: "FR")
        try f.account(8, status: "suspended", violation: true, flagged: true); try f.integration(108, merchant: "m-bad", account: 8)
        try f.account(9); try f.integration(109, merchant: "m-recent", account: 9)
        try f.bill(1009, account: 9, at: "2025-09-01", amount: "10.00", paid: nil)
        try f.account(10); try f.integration(110, merchant: "m-acct-a", account: 10)
        try f.integration(111, merchant: "m-acct-b", account: 10, setUp: "2025-11-05")
        try f.account(12); try f.integration(112, merchant: "m-conflict", account: 12)
        try f.enroll(12, "new_advertiser_incentive", at: "2025-10-01")
        try f.account(13); try f.integration(113, merchant: "m-no-campaign", account: 13, campaign: nil)
        try f.bill(1013, account: 13, at: "2025-11-05", amount: "700.00")
        try f.account(14, currency: "GBP"); try f.integration(114, merchant: "m-gbp-in-us", account: 14)
        // Promo codes (JP, received 2025-11-01, deadline 2025-11-15).
        try f.account(21, country: "JP", currency: "JPY")
        try f.code("JP-GRANTED", recipient: 21, activatedBy: 21, activated: "2025-11-05T10:00:00Z")
        try f.topup(2001, account: 21, at: "2025-11-05T09:59:00Z", amount: "10000", currency: "JPY")   // before activation
        try f.topup(2002, account: 21, at: "2025-11-06T00:00:00Z", amount: "10000", currency: "JPY")
        try f.account(22, country: "JP", currency: "JPY"); try f.code("JP-LATE", recipient: 22, activatedBy: nil, activated: nil)
        try f.account(23, country: "JP", currency: "JPY"); try f.account(24, country: "JP", currency: "JPY")
        try f.code("JP-FORWARDED", recipient: 23, activatedBy: 24, activated: "2025-11-03")
        try f.account(25, country: "JP", currency: "JPY", origin: "agency")
        try f.code("JP-AGENCY", recipient: 25, activatedBy: 25, activated: "2025-11-03")
        try f.account(26, country: "JP", currency: "JPY"); try f.code("JP-NO-CASH", recipient: 26, activatedBy: 26, activated: "2025-11-03", balance: "0")
        try f.account(27, country: "JP", currency: "JPY")
        try f.code("JP-FIRST", recipient: 27, activatedBy: 27, activated: "2025-11-02")
        try f.code("JP-SECOND", recipient: 27, activatedBy: 27, activated: "2025-11-04")
        try f.account(28, country: "JP", currency: "JPY"); try f.code("JP-FRESH", recipient: 28, received: "2025-12-05", activatedBy: nil, activated: nil)
        try f.account(29, country: "JP", currency: "JPY"); try f.code("JP-WAITING", recipient: 29, activatedBy: 29, activated: "2025-11-14")
        try f.topup(2009, account: 29, at: "2025-11-21", amount: "9999", currency: "JPY")
        try f.run(asOf: Self.asOf)
    }

    func partner(_ id: Int) throws -> StoreFixture.Status? { try f.status("integration:\(id)") }
    func promo(_ code: String) throws -> StoreFixture.Status? { try f.status("code:\(code)", program: "promo-jp-10000") }

    func testGrantedAtTheCutoffWithTheHighestTierReached() throws {
        XCTAssertEqual(try partner(101), .init(status: "granted", reasons: [], tier: 1, credit: "500.00", final: true))
        let grant = try f.db.execute("""
            SELECT tier, credit::text, qualifying_spend::text, reached_at, due_by, expires_at, payment_mode, subject
            FROM recon.credit_grants WHERE subject_key = 'integration:101'
            """)[0]
        XCTAssertEqual(try grant.decode(1, as: String.self), "500.00")
        XCTAssertEqual(try grant.decode(2, as: String.self), "600.00", "tax excluded")
        XCTAssertEqual(try grant.decode(3, as: Instant.self), t("2025-11-05"))
        XCTAssertEqual(try grant.decode(4, as: Instant.self), t("2025-12-09"), "window end + 7 days")
        XCTAssertEqual(try grant.decode(5, as: Instant.self), t("2026-01-30"))
        XCTAssertEqual(try grant.decode(6, as: String.self), "manual")
        XCTAssertEqual(try grant.decode(7, as: String.self), "woocommerce:m-granted")
    }

    func testTopTierGrantedAtOnce() throws {
        XCTAssertEqual(try partner(102), .init(status: "granted", reasons: [], tier: 3, credit: "5000.00", final: true))
        let dueBy = try f.db.execute("SELECT due_by FROM recon.credit_grants WHERE subject_key = 'integration:102'")[0].decode(0, as: Instant.self)
        XCTAssertEqual(dueBy, t("2025-11-12"))
    }

    func testThresholdNotReached() throws {
        XCTAssertEqual(try partner(103), .init(status: "threshold_not_reached", reasons: [], tier: nil, credit: nil, final: true))
    }

    func testPendingInWindowAndAwaitingCash() throws {
        XCTAssertEqual(try partner(104), .init(status: "pending", reasons: [], tier: nil, credit: nil, final: false))
        XCTAssertEqual(try partner(105), .init(status: "pending", reasons: [], tier: nil, credit: nil, final: false))
        let waiting = try f.db.execute("SELECT waiting_for FROM recon.subject_status WHERE subject_key = 'integration:105'")[0]
        XCTAssertEqual(try waiting.decode(0, as: String.self), "cash")
    }

    func testEveryPartnerReasonCode() throws {
        XCTAssertEqual(try partner(106)?.reasons, ["merchant_already_participated"])
        XCTAssertEqual(try partner(107)?.reasons, ["market_not_eligible"])
        XCTAssertEqual(try partner(108)?.reasons, ["account_not_approved", "policy_violation", "safety_flagged"])
        XCTAssertEqual(try partner(109)?.reasons, ["recent_spend"])
        XCTAssertEqual(try partner(111)?.reasons, ["account_already_participated"])
        XCTAssertEqual(try partner(112)?.reasons, ["conflicting_promotion"])
        XCTAssertEqual(try partner(113)?.reasons, ["no_campaign_launched"])
        XCTAssertEqual(try partner(114)?.reasons, ["currency_mismatch"])
        for id in [106, 107, 108, 109, 111, 112, 113, 114] {
            XCTAssertEqual(try partner(id)?.status, "ineligible", "\(id)")
        }
        XCTAssertEqual(try partner(110)?.status, "threshold_not_reached")
    }

    func testEveryPromoStatusAndReasonCode() throws {
        XCTAssertEqual(try promo("JP-GRANTED"), .init(status: "granted", reasons: [], tier: 1, credit: "10000", final: true))
        let grant = try f.db.execute("SELECT qualifying_spend::text, reached_at, due_by, integration_id, promo_code FROM recon.credit_grants WHERE promo_code = 'JP-GRANTED'")[0]
        XCTAssertEqual(try grant.decode(0, as: String.self), "10000", "the top-up a minute before activation never counts")
        XCTAssertEqual(try grant.decode(1, as: Instant.self), t("2025-11-06"))
        XCTAssertEqual(try grant.decode(2, as: Instant.self), t("2025-11-07"))
        XCTAssertNil(try grant.decodeIfPresent(3, as: Int64.self))
        XCTAssertEqual(try promo("JP-LATE")?.reasons, ["code_not_activated_in_time"])
        XCTAssertEqual(try promo("JP-FORWARDED")?.reasons, ["code_not_transferable"])
        XCTAssertEqual(try promo("JP-AGENCY")?.reasons, ["account_origin_not_eligible"])
        XCTAssertEqual(try promo("JP-NO-CASH")?.reasons, ["no_cash_balance"])
        XCTAssertEqual(try promo("JP-SECOND")?.reasons, ["account_already_participated"])
        XCTAssertEqual(try promo("JP-FIRST")?.status, "threshold_not_reached", "its window closed 2025-12-02 with nothing spent")
        XCTAssertEqual(try promo("JP-FRESH"), .init(status: "pending", reasons: [], tier: nil, credit: nil, final: false))
        XCTAssertEqual(try promo("JP-WAITING")?.status, "pending")
    }

    func testProgramPeriodAndExpiryReasons() throws {
        try f.db.execute("UPDATE recon.programs SET enroll_until = '2025-11-01T00:00:00Z', credit_expires_at = '2025-12-04T00:00:00Z' WHERE program_id = 'woocommerce-us-uk'")
        try f.db.execute("DELETE FROM recon.subject_status")
        try f.db.execute("DELETE FROM recon.credit_grants")
        try f.account(40); try f.integration(140, merchant: "m-in-period", account: 40, setUp: "2025-10-31")
        try f.bill(1040, account: 40, at: "2025-11-05", amount: "600.00")
        try f.run(asOf: Self.asOf)
        XCTAssertEqual(try partner(101)?.reasons, ["outside_program_period"], "set up exactly at enroll_until")
        XCTAssertEqual(try partner(140)?.reasons, ["program_ended"], "decided at the cutoff, which is the expiry")
    }

    func testOneGrantPerSubjectAccountAndMerchant() throws {
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.credit_grants"), 3)
        XCTAssertEqual(try f.count("SELECT count(*) FROM (SELECT account_id FROM recon.credit_grants GROUP BY program_id, account_id HAVING count(*) > 1) x"), 0)
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.subject_status WHERE status = 'granted'"), 3)
    }

    func testRunRecordCountsEveryStatus() throws {
        let run = try f.db.execute("SELECT kind, status, evaluated, granted, pending, not_reached, ineligible, finished_at IS NOT NULL FROM recon.runs")[0]
        XCTAssertEqual(try run.decode(0, as: String.self), "run")
        XCTAssertEqual(try run.decode(1, as: String.self), "succeeded")
        XCTAssertEqual(try run.decode(2, as: Int.self), 23)
        XCTAssertEqual(try run.decode(3, as: Int.self), 3)
        XCTAssertEqual(try run.decode(4, as: Int.self), 4)
        XCTAssertEqual(try run.decode(5, as: Int.self), 3)
        XCTAssertEqual(try run.decode(6, as: Int.self), 13)
        XCTAssertTrue(try run.decode(7, as: Bool.self))
    }

    func testRunTwiceAtTheSameAsOfWritesNothing() throws {
        let before = try f.snapshot()
        let summary = try f.run(asOf: Self.asOf)
        XCTAssertEqual(summary.written, 0)
        assertSameSnapshot(try f.snapshot(), before)
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.subject_status WHERE run_id <> 1"), 0)
    }

    func testFinalSubjectsAreNotReevaluatedOnLaterNights() throws {
        let summary = try f.run(asOf: "2025-12-11")
        XCTAssertEqual(summary.skippedFinal, try f.count("SELECT count(*) FROM recon.subject_status WHERE final"))
        XCTAssertEqual(summary.evaluated, try f.count("SELECT count(*) FROM recon.subject_status WHERE NOT final"))
    }
}
