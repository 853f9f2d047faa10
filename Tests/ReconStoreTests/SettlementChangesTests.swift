import Exact
import Foundation
import PGClient
import ReconStore
import XCTest

/// How a night finds the applications that changed since the last settlement: rows written
/// since that settlement's snapshot are compared with what it saw, and every row is when that
/// cannot tell (a row deleted, the input a view). Each case ends in the settlement a full
/// comparison would give.
final class SettlementChangesTests: XCTestCase {
    var f: StoreFixture!
    var dueBy: Instant!

    /// Three accounts that each reach tier 1 ($500) on the night of 2025-12-05, then a night on
    /// which account 1's credit and account 2's credit were applied on time.
    override func setUpWithError() throws {
        f = try StoreFixture()
        for id in Int64(1)...3 {
            try f.account(id); try f.integration(100 + id, merchant: "m-\(id)", account: id)
            try f.bill(id, account: id, at: "2025-11-05", amount: "600.00")
        }
        try f.run(asOf: "2025-12-05")
        dueBy = try f.db.execute("SELECT min(due_by) FROM recon.credit_grants")[0].decode(0, as: Instant.self)
        try f.applied(1, ref: try ref(1), account: 1, amount: "500.00", at: dueBy.adding(days: -2).iso8601)
        try f.applied(2, ref: try ref(2), account: 2, amount: "500.00", at: dueBy.adding(days: -2).iso8601)
        let night = try f.run(asOf: dueBy.adding(days: -1).iso8601)
        XCTAssertEqual(night.settlement?.changeScan, .sinceSnapshot)
        XCTAssertEqual(try status(1), "settled")
        XCTAssertEqual(try status(2), "settled")
    }

    func ref(_ account: Int64) throws -> String {
        try f.db.execute("SELECT 'grant:' || grant_id FROM recon.credit_grants WHERE account_id = $1", [account])[0].decode(0)
    }

    func status(_ account: Int64) throws -> String {
        try f.db.execute("SELECT status FROM recon.credit_settlements WHERE credit_ref = $1", [try ref(account)])[0].decode(0)
    }

    func testAnApplicationReversedLaterByAnUpdateIsSettledAgain() throws {
        try f.db.execute("UPDATE billing.credit_applications SET reversed_at = $1 WHERE application_id = 1",
                         [dueBy.adding(days: -1)])
        let night = try f.run(asOf: dueBy.iso8601)
        XCTAssertEqual(night.settlement?.changeScan, .sinceSnapshot)
        XCTAssertEqual(try status(1), "overdue")
        XCTAssertEqual(try status(2), "settled")
        XCTAssertEqual(try status(3), "overdue")
    }

    func testADeletedApplicationIsFoundByComparingEveryRow() throws {
        try f.db.execute("DELETE FROM billing.credit_applications WHERE application_id = 2")
        let night = try f.run(asOf: dueBy.iso8601)
        XCTAssertEqual(night.settlement?.changeScan, .everyRow)
        XCTAssertEqual(try status(1), "settled")
        XCTAssertEqual(try status(2), "overdue")
        // What was seen is in step again: the next night takes the shortcut.
        let next = try f.run(asOf: dueBy.adding(days: 1).iso8601)
        XCTAssertEqual(next.settlement?.changeScan, .sinceSnapshot)
        XCTAssertEqual(next.settlement?.changed, 0)
    }

    /// A change written by a transaction still open while a night settles is invisible to that
    /// night; it commits afterwards with an older transaction id than rows the night saw, and
    /// the next night must still find it (an update: no count tells it).
    func testAChangeCommittedAfterTheSnapshotOfANightIsFoundTheNextNight() throws {
        let other = try Connection(conninfo: f.conninfo, logger: quietLogger())
        try other.execute("BEGIN")
        try other.execute("UPDATE billing.credit_applications SET reversed_at = $1 WHERE application_id = 1",
                          [dueBy.adding(days: -2)])
        try f.applied(4, ref: try ref(3), account: 3, amount: "500.00", at: dueBy.adding(days: -2).iso8601)
        let during = try f.run(asOf: dueBy.adding(days: -1).adding(seconds: 60).iso8601)
        XCTAssertEqual(during.settlement?.changeScan, .sinceSnapshot)
        XCTAssertEqual(try status(1), "settled")
        XCTAssertEqual(try status(3), "settled")
        try other.execute("COMMIT")

        let after = try f.run(asOf: dueBy.adding(days: -1).adding(seconds: 120).iso8601)
        XCTAssertEqual(after.settlement?.changeScan, .sinceSnapshot)
        XCTAssertEqual(try status(1), "awaiting")
        XCTAssertEqual(after.settlement?.changed, 1)
    }

    /// A deployment may give the input as a view, which has no transaction ids: every row is
    /// compared, and changes, new rows and deletions are all found.
    func testAViewAsTheInputIsComparedRowByRow() throws {
        try f.db.executeScript("""
            ALTER TABLE billing.credit_applications RENAME TO credit_applications_base;
            CREATE VIEW billing.credit_applications AS SELECT * FROM billing.credit_applications_base;
            """)
        try f.db.execute("UPDATE billing.credit_applications_base SET amount = 400.00 WHERE application_id = 1")
        try f.db.execute("DELETE FROM billing.credit_applications_base WHERE application_id = 2")
        try f.db.execute("INSERT INTO billing.credit_applications_base VALUES (3, $1, 3, 'USD', 500.00, $2, NULL)",
                         [try ref(3), dueBy.adding(days: -1)])
        let night = try f.run(asOf: dueBy.iso8601)
        XCTAssertEqual(night.settlement?.changeScan, .everyRow)
        XCTAssertEqual(try status(1), "mismatch")
        XCTAssertEqual(try status(2), "overdue")
        XCTAssertEqual(try status(3), "settled")
        XCTAssertEqual(night.settlement?.changed, 3)
    }
}
