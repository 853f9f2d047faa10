@testable import ReconStore
import Foundation
import ReconRules
import XCTest

/// A night leaves an open subject whose decision is pending exactly as stored as it is (no new
/// row version to move `as_of`), writes every one that changed, and the export still finds the
/// untouched ones by their latest evaluation: the last successful nightly run.
final class UnchangedOpenSubjectTests: XCTestCase {
    func testAPendingSubjectAsStoredIsLeftAndAChangedOneIsWritten() throws {
        let f = try StoreFixture()
        try f.account(1, firstCash: nil)
        try f.integration(101, merchant: "waiting-for-cash", account: 1)
        try f.account(2)
        try f.integration(102, merchant: "spending", account: 2)
        try f.bill(1, account: 2, at: "2025-11-05", amount: "100.00")
        try f.bill(2, account: 2, at: "2025-11-12", amount: "50.00")

        let first = try f.run(asOf: "2025-11-10")
        XCTAssertEqual(first.written, 2)
        XCTAssertEqual(first.unchanged, 0)
        let second = try f.run(asOf: "2025-11-15")
        XCTAssertEqual(second.evaluated, 2)
        XCTAssertEqual(second.unchanged, 1, "the subject waiting for cash is pending as before")
        XCTAssertEqual(second.written, 1, "the one that spent more is written")
        let rows = try stored(f)
        XCTAssertEqual(rows["integration:101"]?.runID, first.runID)
        XCTAssertEqual(rows["integration:101"]?.asOf, "2025-11-10 00:00:00")
        XCTAssertEqual(rows["integration:102"]?.runID, second.runID)
        XCTAssertEqual(rows["integration:102"]?.asOf, "2025-11-15 00:00:00")
        XCTAssertEqual(rows["integration:102"]?.qualifying, "150.00")

        // The export's "latest evaluation" is the last nightly run for the untouched subject,
        // not its row's older `as_of`.
        XCTAssertEqual(try exportedSubjects(f, from: "2025-11-14", to: "2025-11-16"),
                       ["woocommerce:spending", "woocommerce:waiting-for-cash"])
        XCTAssertEqual(try exportedSubjects(f, from: "2025-11-09", to: "2025-11-11"), [])

        // The same night again: both as stored, nothing written.
        let again = try f.run(asOf: "2025-11-15")
        XCTAssertEqual(again.unchanged, 2)
        XCTAssertEqual(again.written, 0)

        // Cash arrives: the decision changes (a window now), so the row is written.
        try f.db.execute("UPDATE billing.ad_accounts SET first_cash_at = '2025-11-16Z' WHERE account_id = 1")
        let withCash = try f.run(asOf: "2025-11-17")
        XCTAssertEqual(withCash.written, 1)
        let after = try stored(f)
        XCTAssertEqual(after["integration:101"]?.runID, withCash.runID)
        XCTAssertEqual(after["integration:101"]?.windowStart, "2025-11-16 00:00:00")
    }

    /// Every pending decision of a platform, evaluated again with the same data and `as_of`, is
    /// recognised as stored: the bytes read back equal the bytes written, whatever the amounts.
    func testEveryPendingDecisionReadBackEqualsTheOneWritten() throws {
        let f = try StoreFixture()
        try f.populate(subjects: 300)
        try f.account(1_000, firstCash: nil)
        try f.integration(1_000, merchant: "no-cash", account: 1_000)
        try f.run(asOf: "2025-11-10")
        let pending = try f.count("SELECT count(*) FROM recon.subject_status WHERE status = 'pending'")
        XCTAssertGreaterThan(pending, 100)
        let open = try f.count("SELECT count(*) FROM recon.subject_status WHERE NOT final")
        let again = try f.run(asOf: "2025-11-10")
        XCTAssertEqual(again.evaluated, open)
        XCTAssertEqual(again.unchanged, pending)
        XCTAssertEqual(again.written, 0)
    }

    /// A row written before migration 008 has no digest: it compares as changed, is rewritten
    /// once with its digest, and is left as it is from then on. A final row has no digest.
    func testARowWithoutADigestIsRewrittenOnceAndFinalRowsHaveNone() throws {
        let f = try StoreFixture()
        try f.populate(subjects: 60)
        try f.run(asOf: "2025-11-10")
        let pending = try f.count("SELECT count(*) FROM recon.subject_status WHERE status = 'pending'")
        XCTAssertGreaterThan(pending, 10)
        let open = try f.count("SELECT count(*) FROM recon.subject_status WHERE NOT final")
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.subject_status WHERE final AND decision_digest IS NOT NULL"), 0)
        XCTAssertEqual(try f.count("""
            SELECT count(*) FROM recon.subject_status WHERE NOT final AND octet_length(decision_digest) IS DISTINCT FROM 16
            """), 0, "every open row has a 16-byte digest")
        try f.db.execute("UPDATE recon.subject_status SET decision_digest = NULL")
        let rewritten = try f.run(asOf: "2025-11-10")
        XCTAssertEqual(rewritten.unchanged, 0)
        XCTAssertEqual(rewritten.written, open, "every open row gets its digest back; final rows keep none")
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.subject_status WHERE final AND decision_digest IS NOT NULL"), 0)
        let again = try f.run(asOf: "2025-11-10")
        XCTAssertEqual(again.unchanged, pending)
        XCTAssertEqual(again.written, 0)
    }

    /// A later night looks for stored reasons to delete only where the stored decision may have
    /// some (it was ineligible): reasons that a night's decision no longer has are gone, new ones
    /// are there, whichever way a subject goes between pending and ineligible.
    func testReasonsFollowTheDecisionBetweenPendingAndIneligible() throws {
        let f = try StoreFixture()
        try f.account(1, status: "suspended", violation: true)
        try f.integration(101, merchant: "m-1", account: 1)
        try f.account(2)
        try f.integration(102, merchant: "m-2", account: 2)
        try f.bill(1, account: 2, at: "2025-11-05", amount: "100.00")
        func reasons() throws -> [String] {
            try f.db.execute("""
                SELECT subject_key || ' ' || reason FROM recon.ineligibility_reasons ORDER BY 1
                """).rows.map { try $0.decode(0, as: String.self) }
        }
        try f.run(asOf: "2025-11-10")
        XCTAssertEqual(try reasons(), ["integration:101 account_not_approved", "integration:101 policy_violation"])
        // Still ineligible, for one reason fewer.
        try f.db.execute("UPDATE billing.ad_accounts SET status = 'approved' WHERE account_id = 1")
        try f.run(asOf: "2025-11-11")
        XCTAssertEqual(try reasons(), ["integration:101 policy_violation"])
        // Pending again: its last reason goes; the other subject, pending before, now ineligible.
        try f.db.execute("UPDATE billing.ad_accounts SET policy_violation = false WHERE account_id = 1")
        try f.db.execute("UPDATE billing.ad_accounts SET safety_flagged = true WHERE account_id = 2")
        let night = try f.run(asOf: "2025-11-12")
        XCTAssertEqual(night.written, 2)
        XCTAssertEqual(try reasons(), ["integration:102 safety_flagged"])
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.subject_status WHERE status = 'pending'"), 1)
        // And back: pending to pending leaves no reason behind.
        try f.db.execute("UPDATE billing.ad_accounts SET safety_flagged = false WHERE account_id = 2")
        try f.run(asOf: "2025-11-13")
        XCTAssertEqual(try reasons(), [])
    }

    struct StoredRow {
        var runID: Int64
        var asOf: String
        var qualifying: String?
        var windowStart: String?
    }

    private func stored(_ f: StoreFixture) throws -> [String: StoredRow] {
        var rows: [String: StoredRow] = [:]
        for row in try f.db.execute("""
            SELECT subject_key, run_id, (as_of AT TIME ZONE 'UTC')::text, qualifying_spend::text,
                   (window_start AT TIME ZONE 'UTC')::text
            FROM recon.subject_status
            """).rows {
            rows[try row.decode(0)] = StoredRow(runID: try row.decode(1), asOf: try row.decode(2),
                                                qualifying: try row.decodeIfPresent(3), windowStart: try row.decodeIfPresent(4))
        }
        return rows
    }

    private func exportedSubjects(_ f: StoreFixture, from: String, to: String) throws -> [String] {
        let output = NSTemporaryDirectory() + "sr-unchanged-\(getpid()).csv"
        defer { unlink(output) }
        let result = try runBinary(["export", "--from", from, "--to", to, "--output", output, "--db", f.conninfo])
        XCTAssertEqual(result.code, 0, result.err)
        let rows = try parseCSV(output)
        let subject = try XCTUnwrap(rows.first?.firstIndex(of: "subject"))
        return rows.dropFirst().map { $0[subject] }.sorted()
    }
}
