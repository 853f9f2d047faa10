import Exact
import Foundation
import PGClient
import ReconStore
import XCTest

/// SPEC section 8 against the real server: the outbox a night writes, and the settlement of its
/// entries against `billing.credit_applications` on the nights after.
final class SettlementNightTests: XCTestCase {
    var f: StoreFixture!

    /// Six accounts that each reach tier 1 ($500) on the night of 2025-12-05, and one that does not.
    override func setUpWithError() throws {
        f = try StoreFixture()
        for id in Int64(1)...6 {
            try f.account(id); try f.integration(100 + id, merchant: "m-\(id)", account: id)
            try f.bill(id, account: id, at: "2025-11-05", amount: "600.00")
        }
        try f.account(7); try f.integration(107, merchant: "m-7", account: 7)
        try f.bill(7, account: 7, at: "2025-11-05", amount: "100.00")
    }

    func ref(_ account: Int64) throws -> String {
        try f.db.execute("SELECT 'grant:' || grant_id FROM recon.credit_grants WHERE account_id = $1", [account])[0].decode(0)
    }

    func settlement(_ ref: String) throws -> String {
        try f.db.execute("""
            SELECT format('%s|%s|%s|%s|%s', status, issues, applied_amount, live_applications, run_id)
            FROM recon.credit_settlements WHERE credit_ref = $1
            """, [ref])[0].decode(0)
    }

    func testEachGrantGetsOneEntryInOrderWithANotificationAndIsAwaitedUntilDue() throws {
        let listener = try Connection(conninfo: f.conninfo, logger: quietLogger())
        try listener.listen(CreditOutbox.channel)
        let summary = try f.run(asOf: "2025-12-05")
        XCTAssertEqual(summary.count(.granted), 6)
        XCTAssertEqual(try f.count("""
            SELECT count(*) FROM recon.credit_outbox o JOIN recon.credit_grants g ON o.credit_ref = 'grant:' || g.grant_id
            WHERE o.kind = 'grant' AND o.amount = g.credit AND o.account_id = g.account_id AND o.due_by = g.due_by
              AND o.expires_at = g.expires_at AND o.currency = g.currency AND o.subject = g.subject
            """), 6)
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.credit_outbox"), 6)
        let last = try f.count("SELECT max(position)::int FROM recon.credit_outbox")
        XCTAssertEqual(try listener.notifications().map(\.payload).last, "\(last)")

        let settlement = try XCTUnwrap(summary.settlement)
        XCTAssertEqual(settlement.statuses["awaiting"], 6)
        XCTAssertEqual(settlement.statuses["overdue"], 0)
        XCTAssertEqual(settlement.outstanding, ["USD": "3000.00"])
        XCTAssertEqual(settlement.overdue, ["USD": "0.00"])

        // The same night again hands nothing over twice and notifies nothing.
        try f.run(asOf: "2025-12-05")
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.credit_outbox"), 6)
        XCTAssertEqual(try listener.notifications(), [])

        // The outbox command's reader pages in order.
        let outbox = CreditOutbox(connection: f.db)
        let first = try outbox.entries(after: 0, limit: 4)
        let rest = try outbox.entries(after: first.last!.position, limit: 4)
        XCTAssertEqual(first.count, 4)
        XCTAssertEqual(rest.count, 2)
        XCTAssertEqual((first + rest).map(\.position), (first + rest).map(\.position).sorted())
        XCTAssertEqual(Set((first + rest).map(\.creditRef)).count, 6)
    }

    func testEveryStatusAndIssueIsSettledAndUnchangedRowsAreNotRewritten() throws {
        try f.run(asOf: "2025-12-05")
        let dueBy = try f.db.execute("SELECT min(due_by) FROM recon.credit_grants")[0].decode(0, as: Instant.self)
        XCTAssertEqual(try f.count("SELECT count(DISTINCT due_by) FROM recon.credit_grants"), 1)
        let before = dueBy.adding(days: -1).iso8601, after = dueBy.adding(days: 1).iso8601
        let (a, b, c, d, e) = (try ref(1), try ref(2), try ref(3), try ref(4), try ref(5))
        try f.applied(1, ref: a, account: 1, amount: "500.00", at: before)
        try f.applied(2, ref: b, account: 2, amount: "500", at: after)
        try f.applied(3, ref: c, account: 3, amount: "500.00", at: before)
        try f.applied(4, ref: c, account: 3, amount: "500.00", at: before)
        try f.applied(5, ref: d, account: 9, amount: "500.00", at: before)
        try f.applied(6, ref: e, account: 5, amount: "500.00", at: before, reversed: after)
        // Account 6's grant: nothing applied. Unmatched: by hand, an unknown ref, one not yet applied.
        try f.applied(7, ref: nil, account: 6, amount: "25.00", at: before)
        try f.applied(8, ref: "grant:999999", account: 6, amount: "25.00", at: before)
        try f.applied(9, ref: "grant:999998", account: 6, amount: "25.00", at: "2026-01-15")
        // Breaks the money rules: too many decimals for USD.
        try f.applied(10, ref: a, account: 1, amount: "0.001", at: before)

        let asOf = dueBy.adding(days: 3)
        let summary = try f.reconciler(batchSize: 500).run(asOf: asOf)
        let runID = summary.runID!
        XCTAssertEqual(try settlement(a), "settled||500.00|1|\(runID)")
        XCTAssertEqual(try settlement(b), "settled_late|late|500.00|1|\(runID)")
        XCTAssertEqual(try settlement(c), "mismatch|amount_over;duplicate|1000.00|2|\(runID)")
        XCTAssertEqual(try settlement(d), "mismatch|amount_short;wrong_account|0.00|1|\(runID)")
        XCTAssertEqual(try settlement(e), "overdue||0.00|0|\(runID)")
        XCTAssertEqual(try settlement(try ref(6)), "overdue||0.00|0|\(runID)")
        let settled = try XCTUnwrap(summary.settlement)
        XCTAssertEqual(settled.statuses, ["awaiting": 0, "overdue": 2, "settled": 1, "settled_late": 1, "mismatch": 2])
        XCTAssertEqual(settled.outstanding, ["USD": "1000.00"])
        XCTAssertEqual(settled.overdue, ["USD": "1000.00"])
        XCTAssertEqual(settled.unmatchedApplications, 2)
        XCTAssertEqual(settled.rejectedApplications, 1)
        XCTAssertEqual(try f.count("""
            SELECT count(*) FROM recon.rejected_rows
            WHERE source_table = 'credit_applications' AND source_key = '10' AND problem = 'too_many_decimals_amount'
            """), 1)
        XCTAssertEqual(try f.db.execute("""
            SELECT string_agg(application_id || ':' || problem, ',' ORDER BY application_id) FROM recon.unmatched_applications
            """)[0].decode(0, as: String.self), "7:no_ref,8:unknown_ref")

        // A week later: nothing changed but application 9 went live. No settlement is rewritten,
        // the unmatched ones already recorded are not recorded again.
        let later = try f.reconciler(batchSize: 500).run(asOf: t("2026-01-20"))
        XCTAssertEqual(later.settlement?.changed, 0)
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.credit_settlements WHERE run_id = $1", [later.runID!]), 0)
        XCTAssertEqual(later.settlement?.unmatchedApplications, 3)
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.unmatched_applications WHERE first_run_id = $1", [later.runID!]), 1)

        // Credit applied after the program's credit expired (2026-01-30) is flagged.
        try f.applied(11, ref: try ref(6), account: 6, amount: "500.00", at: "2026-01-30")
        let expired = try f.reconciler(batchSize: 500).run(asOf: t("2026-02-01"))
        XCTAssertEqual(expired.settlement?.changed, 1)
        XCTAssertEqual(try settlement(try ref(6)), "mismatch|after_expiry;late|500.00|1|\(expired.runID!)")
    }

    /// The first settlement ever, of entries all handed over that night, reads the applications
    /// (all unseen) instead of every entry; one after entries from earlier runs settles them all.
    func testTheFirstSettlementReadsTheApplicationsOrEveryEarlierEntry() throws {
        try f.applied(1, ref: nil, account: 1, amount: "5.00", at: "2025-12-01")
        try f.applied(2, ref: "grant:999999", account: 1, amount: "5.00", at: "2025-12-01")
        let first = try XCTUnwrap(try f.run(asOf: "2025-12-05").settlement)
        XCTAssertEqual(first.changeScan, .everyRow)
        XCTAssertEqual(first.statuses["awaiting"], 6)
        XCTAssertEqual(first.unmatchedApplications, 2)
        XCTAssertEqual(try f.count("""
            SELECT count(*) FROM recon.settlement_totals t
            JOIN (SELECT status, currency, count(*) AS entries, sum(amount) AS amount FROM recon.credit_settlements
                  GROUP BY status, currency) c USING (status, currency)
            WHERE t.entries = c.entries AND t.amount = c.amount
            """), 1)

        try f.db.execute("DELETE FROM recon.settlement_mark")
        try f.applied(3, ref: try ref(1), account: 1, amount: "500.00", at: "2025-12-06")
        let again = try XCTUnwrap(try f.run(asOf: "2025-12-07").settlement)
        XCTAssertEqual(again.changeScan, SettlementSummary.ChangeScan.none)
        XCTAssertEqual(again.statuses["settled"], 1)
        XCTAssertEqual(again.statuses["awaiting"], 5)
    }

    func testADryRunSettlesAndWritesNothing() throws {
        try f.run(asOf: "2025-12-05")
        try f.applied(1, ref: try ref(1), account: 1, amount: "500.00", at: "2025-12-06")
        try f.applied(2, ref: nil, account: 1, amount: "5.00", at: "2025-12-06")
        let before = try f.count("SELECT count(*) FROM recon.credit_settlements WHERE status = 'awaiting'")
        let dry = try f.reconciler(batchSize: 500).run(asOf: t("2025-12-07"), dryRun: true)
        XCTAssertEqual(dry.settlement?.statuses["settled"], 1)
        XCTAssertEqual(dry.settlement?.changed, 1)
        XCTAssertEqual(dry.settlement?.unmatchedApplications, 1)
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.credit_settlements WHERE status = 'awaiting'"), before)
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.unmatched_applications"), 0)
    }

    /// Support's "I was told I got it but I don't see it": the export's sentence and `explain`.
    func testExportAndExplainSayWhatBecameOfTheCredit() throws {
        try f.run(asOf: "2025-12-05")
        let (a, c, d) = (try ref(1), try ref(3), try ref(4))
        try f.applied(1, ref: a, account: 1, amount: "500.00", at: "2025-12-06")
        try f.applied(2, ref: c, account: 3, amount: "500.00", at: "2025-12-06")
        try f.applied(3, ref: c, account: 3, amount: "500.00", at: "2025-12-07", reversed: "2025-12-08")
        try f.applied(4, ref: d, account: 4, amount: "200.00", at: "2025-12-06")
        try f.applied(5, ref: d, account: 4, amount: "NaN", at: "2025-12-06")
        try f.run(asOf: "2025-12-20")

        let output = NSTemporaryDirectory() + "sr-settle-export-\(getpid()).csv"
        defer { unlink(output) }
        let export = try runBinary(["export", "--db", f.conninfo, "--from", "2025-11-01", "--to", "2026-01-01", "--output", output])
        XCTAssertEqual(export.code, 0, export.err)
        let rows = try parseCSV(output)
        let records = rows.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(rows[0], $0)) }
        func record(_ account: Int) throws -> [String: String] { try XCTUnwrap(records.first { $0["account_id"] == "\(account)" }) }
        XCTAssertEqual(try record(1)["credit_ref"], a)
        XCTAssertEqual(try record(1)["settlement_status"], "settled")
        XCTAssertEqual(try record(1)["applied_amount"], "500.00")
        XCTAssertEqual(try record(1)["applied_at"], "2025-12-06T00:00:00Z")
        XCTAssertTrue(try record(1)["explanation"]!.hasSuffix(" The credit was applied on 2025-12-06."))
        XCTAssertEqual(try record(3)["settlement_status"], "settled", "the reversed duplicate is not live")
        XCTAssertEqual(try record(4)["settlement_status"], "mismatch")
        XCTAssertEqual(try record(4)["settlement_issues"], "amount_short")
        XCTAssertTrue(try record(4)["explanation"]!.hasSuffix(
            " The credit was applied on 2025-12-06 with a problem: 200.00 USD of 500.00 USD reached this account."))
        XCTAssertTrue(try record(2)["explanation"]!.contains("The credit is overdue since "))
        XCTAssertEqual(try record(7)["credit_ref"], "")

        let explain = try runBinary(["explain", "--db", f.conninfo, "--merchant", "woocommerce:m-3", "--as-of", "2025-12-20"])
        XCTAssertEqual(explain.code, 0, explain.err)
        XCTAssertTrue(explain.out.contains("\(c): 500.00 USD due by "), explain.out)
        XCTAssertTrue(explain.out.contains("settled; applied 500.00, last on 2025-12-06T00:00:00Z"), explain.out)
        XCTAssertTrue(explain.out.contains("application 2: 500.00 USD to account 3 on 2025-12-06T00:00:00Z (live)"), explain.out)
        XCTAssertTrue(explain.out.contains("application 3: 500.00 USD to account 3 on 2025-12-07T00:00:00Z, reversed 2025-12-08T00:00:00Z (not live"),
                      explain.out)
        let short = try runBinary(["explain", "--db", f.conninfo, "--merchant", "woocommerce:m-4", "--as-of", "2025-12-20", "--json"])
        XCTAssertTrue(short.out.contains("rejected (not_a_number_amount)"), short.out)
        XCTAssertTrue(short.out.contains("amount_short"), short.out)
    }
}
