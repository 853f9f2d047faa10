import Exact
import Foundation
import PGClient
@testable import ReconStore
import XCTest

/// The wrong decisions independent scenarios found (issue 26), each against the real server:
/// an early grant lost to a later conflict or suspension, a late-loaded earlier rival, tonight
/// missing from the export, a future or stale `--as-of`, and no window after the credit expired.
final class WrongDecisionTests: XCTestCase {
    // MARK: 1. An early grant is final the instant the top tier is reached

    func testAnEarlyGrantIsFoundByTheFirstNightAfterAConflictingEnrolment() throws {
        let f = try StoreFixture()
        try f.account(1)
        try f.integration(101, merchant: "m", account: 1)
        try f.bill(1, account: 1, at: "2025-11-04T12:00:00Z", amount: "5000.00")
        try f.enroll(1, "new_advertiser_incentive", at: "2025-11-05T00:00:00Z")
        try f.run(asOf: "2025-11-06")
        XCTAssertEqual(try f.status("integration:101"),
                       .init(status: "granted", reasons: [], tier: 3, credit: "5000.00", final: true))
        XCTAssertEqual(try f.count("""
            SELECT count(*) FROM recon.credit_grants
            WHERE reached_at = '2025-11-04T12:00:00Z' AND due_by = '2025-11-11T12:00:00Z'
            """), 1, "granted as of 11-04 12:00, due seven days later")
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.subject_status WHERE decided_at = '2025-11-04T12:00:00Z'"), 1)
    }

    func testAnEarlyGrantIsFoundAfterAStandingChangeTheNextNightSees() throws {
        let changes = ["status = 'suspended'", "policy_violation = true", "safety_flagged = true"]
        for change in changes {
            let f = try StoreFixture("standing")
            try f.account(1)
            try f.integration(101, merchant: "m", account: 1)
            try f.run(asOf: "2025-11-04")
            XCTAssertEqual(try f.status("integration:101")?.status, "pending")
            try f.bill(1, account: 1, at: "2025-11-04T12:00:00Z", amount: "5000.00")
            try f.db.execute("UPDATE billing.ad_accounts SET \(change) WHERE account_id = 1")
            try f.run(asOf: "2025-11-06")
            XCTAssertEqual(try f.status("integration:101"),
                           .init(status: "granted", reasons: [], tier: 3, credit: "5000.00", final: true), change)
            XCTAssertEqual(try f.count("SELECT count(*) FROM recon.credit_grants WHERE reached_at = '2025-11-04T12:00:00Z'"), 1)
            // Explain judges the same way as the night.
            let reader = try Connection(conninfo: f.conninfo, logger: quietLogger())
            let explained = try Explainer(connection: f.db, reader: reader).explain(.integration(101), asOf: t("2025-11-06"))
            XCTAssertEqual(explained.first?.status, "granted tier 3", change)
        }
    }

    func testStandingNoNightSawGoodBlocksTheGrant() throws {
        // Standing has no time in the input: with no earlier night that saw the account in good
        // standing, the suspension seen tonight is all the job knows (docs/DECISIONS.md).
        let f = try StoreFixture()
        try f.account(1, status: "suspended")
        try f.integration(101, merchant: "m", account: 1)
        try f.bill(1, account: 1, at: "2025-11-04T12:00:00Z", amount: "5000.00")
        try f.run(asOf: "2025-11-06")
        XCTAssertEqual(try f.status("integration:101"),
                       .init(status: "ineligible", reasons: ["account_not_approved"], tier: nil, credit: nil, final: false))
    }

    // MARK: 2. A held grant stays; a late-loaded earlier rival is the one that already participated

    func testALateLoadedEarlierRivalOfTheSameMerchantDoesNotStopTheNight() throws {
        let f = try StoreFixture()
        try f.account(1)
        try f.account(2)
        try f.account(3)
        try f.integration(101, merchant: "m", account: 1, setUp: "2025-11-03")
        try f.bill(1, account: 1, at: "2025-11-04T12:00:00Z", amount: "5000.00")
        try f.run(asOf: "2025-11-05")
        XCTAssertEqual(try f.status("integration:101")?.status, "granted")

        // The next load: an earlier integration of the same merchant on another account, and an
        // unrelated subject that must still be granted.
        try f.integration(102, merchant: "m", account: 2, setUp: "2025-11-01")
        try f.bill(2, account: 2, at: "2025-11-04T13:00:00Z", amount: "5000.00")
        try f.integration(103, merchant: "other", account: 3, setUp: "2025-11-03")
        try f.bill(3, account: 3, at: "2025-11-05T13:00:00Z", amount: "5000.00")
        try f.run(asOf: "2025-11-06")
        XCTAssertEqual(try f.status("integration:101")?.status, "granted")
        XCTAssertEqual(try f.status("integration:102"),
                       .init(status: "ineligible", reasons: ["merchant_already_participated"], tier: nil, credit: nil, final: true))
        XCTAssertEqual(try f.status("integration:103")?.status, "granted")
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.credit_grants WHERE merchant_id = 'm'"), 1)

        // A rerun files one discrepancy for the held grant, once.
        let reader = try Connection(conninfo: f.conninfo, logger: quietLogger())
        let rerunner = Rerunner(connection: f.db, reader: reader, logger: quietLogger())
        let first = try rerunner.rerun(from: t("2025-11-01"), to: t("2026-01-01"), asOf: t("2025-11-06"))
        XCTAssertEqual(first.discrepancies, 1, "\(first.differences.map { "\($0.subjectKey) \($0.after)" })")
        XCTAssertEqual(try f.count("""
            SELECT count(*) FROM recon.discrepancies
            WHERE subject_key = 'integration:101' AND found_status = 'granted' AND found_reasons = 'merchant_already_participated'
            """), 1)
        let second = try rerunner.rerun(from: t("2025-11-01"), to: t("2026-01-01"), asOf: t("2025-11-06"))
        XCTAssertEqual(second.discrepancies, 0)
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.discrepancies"), 1)
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.credit_grants WHERE merchant_id = 'm'"), 1)
    }

    func testALateLoadedEarlierIntegrationOnAGrantedAccountIsAlreadyParticipated() throws {
        let f = try StoreFixture()
        try f.account(1)
        try f.integration(101, merchant: "m", account: 1, setUp: "2025-11-03")
        try f.bill(1, account: 1, at: "2025-11-04T12:00:00Z", amount: "5000.00")
        try f.run(asOf: "2025-11-05")
        try f.integration(100, merchant: "m-earlier", account: 1, setUp: "2025-11-01")
        try f.run(asOf: "2025-11-06")
        XCTAssertEqual(try f.status("integration:101")?.status, "granted")
        XCTAssertEqual(try f.status("integration:100"),
                       .init(status: "ineligible", reasons: ["account_already_participated"], tier: nil, credit: nil, final: true))
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.credit_grants"), 1)
    }

    func testALateLoadedEarlierCodeOfAGrantedAccountIsAlreadyParticipated() throws {
        let f = try StoreFixture()
        try f.account(5, country: "JP", currency: "JPY")
        try f.code("LATER", recipient: 5, received: "2025-11-01", activatedBy: 5, activated: "2025-11-05T00:00:00Z")
        try f.bill(1, account: 5, at: "2025-11-05T12:00:00Z", amount: "10000", currency: "JPY")
        try f.run(asOf: "2025-11-06")
        XCTAssertEqual(try f.status("code:LATER", program: "promo-jp-10000")?.status, "granted")
        try f.code("EARLIER", recipient: 5, received: "2025-11-01", activatedBy: 5, activated: "2025-11-03T00:00:00Z")
        try f.code("UNUSED", recipient: 5, received: "2025-11-06", activatedBy: nil, activated: nil)
        try f.run(asOf: "2025-11-07")
        XCTAssertEqual(try f.status("code:LATER", program: "promo-jp-10000")?.status, "granted")
        XCTAssertEqual(try f.status("code:EARLIER", program: "promo-jp-10000"),
                       .init(status: "ineligible", reasons: ["account_already_participated"], tier: nil, credit: nil, final: true))
        XCTAssertEqual(try f.status("code:UNUSED", program: "promo-jp-10000")?.status, "pending",
                       "not activated, its deadline open: nothing to judge yet")
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.credit_grants"), 1)
    }

    // MARK: 3. Tonight is in the export

    func testTheExportOfTonightHoldsEverySubjectTonightDecided() throws {
        let f = try StoreFixture()
        try f.account(1)
        try f.integration(101, merchant: "wrong-market", account: 1, store: "FR", setUp: "2025-06-01")
        try f.run(asOf: "2025-11-06")
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.subject_status WHERE decided_at = '2025-06-01T00:00:00Z'"), 1,
                       "decided as of its set-up, months before tonight")
        let output = NSTemporaryDirectory() + "sr-tonight-\(getpid()).csv"
        defer { unlink(output) }
        let result = try runBinary(["export", "--from", "2025-11-06", "--to", "2025-11-07", "--output", output, "--db", f.conninfo])
        XCTAssertEqual(result.code, 0, result.err)
        let rows = try parseCSV(output)
        XCTAssertEqual(rows.count, 2, "the header and tonight's subject")
        XCTAssertEqual(rows.last?[1], "woocommerce:wrong-market")
    }

    // MARK: 4. The future and the past are safe to name

    func testAWritingRunRefusesAFutureAsOfAndOneOlderThanTheLastRun() throws {
        let f = try StoreFixture()
        try f.account(5, country: "JP", currency: "JPY")
        try f.code("OPEN", recipient: 5, received: "2025-11-01", activatedBy: 5, activated: "2025-11-05T00:00:00Z")
        let tomorrow = Instant(microsecondsSinceEpoch: Int64(Date().timeIntervalSince1970) * 1_000_000).adding(days: 1).iso8601
        XCTAssertThrowsError(try f.run(asOf: tomorrow)) { XCTAssertTrue($0 is AsOfRefused, "\($0)") }
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.runs"), 0, "nothing written, not even the run")
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.subject_status"), 0)

        try f.run(asOf: "2025-11-10")
        XCTAssertThrowsError(try f.run(asOf: "2025-11-09")) { XCTAssertTrue($0 is AsOfRefused, "\($0)") }
        XCTAssertNoThrow(try f.run(asOf: "2025-11-10"), "the same instant again is fine")
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.runs"), 2)

        // Through the binary: exit 64, naming the way out; a dry run and a rerun of the past are fine.
        let future = try runBinary(["run", "--as-of", tomorrow, "--db", f.conninfo])
        XCTAssertEqual(future.code, 64, future.err)
        XCTAssertTrue(future.err.contains("--dry-run"), future.err)
        let past = try runBinary(["run", "--as-of", "2025-11-01", "--db", f.conninfo])
        XCTAssertEqual(past.code, 64, past.err)
        XCTAssertTrue(past.err.contains("--dry-run") && past.err.contains("rerun"), past.err)
        XCTAssertEqual(try runBinary(["run", "--as-of", tomorrow, "--dry-run", "--db", f.conninfo]).code, 0)
        let futureRerun = try runBinary(["rerun", "--from", "2025-11-01", "--to", "2025-12-01", "--as-of", tomorrow, "--db", f.conninfo])
        XCTAssertEqual(futureRerun.code, 64, futureRerun.err)
        XCTAssertEqual(try runBinary(["rerun", "--from", "2025-11-01", "--to", "2025-12-01", "--as-of", "2025-11-05",
                                      "--db", f.conninfo]).code, 0)
        XCTAssertEqual(try f.status("code:OPEN", program: "promo-jp-10000")?.status, "pending")
        XCTAssertEqual(try runBinary(["run", "--db", f.conninfo]).code, 0, "now, by the database's clock")
    }

    // MARK: 5. No window after the credit expired

    func testASubjectWithoutAWindowEndsWhenTheCreditExpires() throws {
        let f = try StoreFixture()
        try f.account(1, firstCash: nil)
        try f.integration(101, merchant: "never-cashed", account: 1)
        try f.run(asOf: "2026-01-29")
        XCTAssertEqual(try f.status("integration:101")?.status, "pending")
        try f.run(asOf: "2026-11-01")
        XCTAssertEqual(try f.status("integration:101"),
                       .init(status: "ineligible", reasons: ["program_ended"], tier: nil, credit: nil, final: true))
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.subject_status WHERE decided_at = '2026-01-30T00:00:00Z'"), 1,
                       "decided at the credit's expiry, whichever night saw it")
    }
}
