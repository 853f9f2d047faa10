import Foundation
import PGClient
import XCTest

/// The nightly report (SPEC section 9): every table in the page agrees with SQL over `recon`,
/// hostile names render as text, an empty database says so, and a real browser (headless
/// Chromium) renders the page with the night's numbers in its DOM and a picture in its PNG.
final class ReportTests: XCTestCase {
    static let hostile = ["<script>alert(1)</script>", "\"quoted\" & 'single' <b>", "=HYPERLINK(\"http://x\")", "&lt;not-an-entity&gt;"]

    var f: StoreFixture!
    var page = ""

    override func setUpWithError() throws {
        f = try StoreFixture()
        try f.populate(subjects: 120)
        for (index, name) in Self.hostile.enumerated() {
            let id = Int64(10_000 + index)
            try f.account(id)
            try f.integration(20_000 + Int64(index), merchant: name, account: id)
            try f.bill(30_000 + Int64(index), account: id, at: "2025-11-03", amount: "700.00")
        }
        // Ineligible (suspended); pending (cash on 2025-12-05: its window is open on 2025-12-20) with a
        // bill in another currency in its window, which is rejected.
        try f.account(5000, status: "suspended")
        try f.integration(5000, merchant: "suspended-store", account: 5000)
        try f.account(6000, firstCash: "2025-12-05")
        try f.integration(6000, merchant: "still-spending", account: 6000)
        try f.bill(60_001, account: 6000, at: "2025-12-08", amount: "200.00")
        try f.bill(60_002, account: 6000, at: "2025-12-09", amount: "20.00", currency: "EUR")
        XCTAssertEqual(try runBinary(["run", "--db", f.conninfo, "--as-of", "2025-12-10"]).code, 0)
        try f.db.executeScript("""
            INSERT INTO billing.credit_applications
            SELECT g.grant_id, 'grant:' || g.grant_id, g.account_id, g.currency,
                   CASE WHEN g.grant_id % 5 = 1 THEN g.credit - 1 ELSE g.credit END,
                   CASE WHEN g.grant_id % 5 = 2 THEN g.due_by + interval '1 day' ELSE g.due_by - interval '1 day' END, NULL
            FROM recon.credit_grants g WHERE g.grant_id % 5 <> 0 AND g.account_id < 10000;
            """)
        XCTAssertEqual(try runBinary(["run", "--db", f.conninfo, "--as-of", "2025-12-20"]).code, 0)
        let output = NSTemporaryDirectory() + "sr-report-\(UUID().uuidString).html"
        defer { unlink(output) }
        let report = try runBinary(["report", "--db", f.conninfo, "--output", output])
        XCTAssertEqual(report.code, 0, report.err)
        page = try String(contentsOfFile: output, encoding: .utf8)
    }

    func sql(_ query: String) throws -> [[String]] {
        let result = try f.db.execute(query)
        return try result.rows.map { row in try (0..<result.columnCount).map { try row.decode($0, as: String.self) } }
    }

    func testEveryTableInThePageAgreesWithSQLOverRecon() throws {
        let tables = try htmlTables(page)
        func body(_ id: String) throws -> [[String]] { Array(try XCTUnwrap(tables[id], "no table \(id)").dropFirst()) }
        XCTAssertEqual(try body("subjects-table"), try sql("""
            SELECT program_id, status, count(*)::text FROM recon.subject_status GROUP BY 1, 2 ORDER BY 1, 2
            """))
        XCTAssertEqual(try body("granted-table"), try sql("""
            SELECT currency, tier::text, count(*)::text, sum(credit)::text || ' ' || currency
            FROM recon.credit_grants GROUP BY currency, tier ORDER BY 1, 2
            """))
        XCTAssertEqual(try body("settlement-table"), try sql("""
            SELECT s.status, o.currency, count(*)::text, sum(o.amount)::text || ' ' || o.currency
            FROM recon.credit_outbox o JOIN recon.credit_settlements s USING (credit_ref) GROUP BY 1, 2 ORDER BY 1, 2
            """))
        XCTAssertEqual(try body("outstanding-table"), try sql("""
            SELECT o.currency,
                   coalesce(sum(o.amount) FILTER (WHERE s.status = 'awaiting'), 0.00)::text || ' ' || o.currency,
                   coalesce(sum(o.amount) FILTER (WHERE s.status = 'overdue'), 0.00)::text || ' ' || o.currency,
                   sum(o.amount)::text || ' ' || o.currency
            FROM recon.credit_outbox o JOIN recon.credit_settlements s USING (credit_ref)
            WHERE s.status IN ('awaiting', 'overdue') GROUP BY 1 ORDER BY 1
            """))
        XCTAssertEqual(try body("overdue-table").map { $0[2] }.reduce(0) { $0 + Int($1)! },
                       try f.count("SELECT count(*) FROM recon.credit_settlements WHERE status = 'overdue'"))
        XCTAssertEqual(try body("reasons-table"), try sql("""
            SELECT reason, count(*)::text FROM recon.ineligibility_reasons GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 10
            """))
        XCTAssertEqual(try body("rejected-table"), try sql("""
            SELECT source_table, problem, count(*)::text FROM recon.rejected_rows GROUP BY 1, 2 ORDER BY count(*) DESC, 1, 2
            """))
        XCTAssertEqual(try body("runs-table").map { Array($0.prefix(3)) + [$0[6], $0[7], $0[8]] }, try sql("""
            SELECT run_id::text, kind, status, evaluated::text, written::text, rejected_rows::text
            FROM recon.runs ORDER BY run_id DESC
            """))
        XCTAssertEqual(try body("progress-table").filter { $0[3].isEmpty }.map { $0[2] }.reduce(0) { $0 + Int($1)! },
                       try f.count("SELECT count(*) FROM recon.subject_status WHERE status = 'pending' AND next_threshold > 0"))
        XCTAssertFalse(try body("granted-table").isEmpty)
        XCTAssertFalse(try body("rejected-table").isEmpty, "the bill in another currency is in the page")
        XCTAssertFalse(try body("reasons-table").isEmpty)
    }

    func testHostileNamesRenderAsTextAndThePageFetchesNothing() throws {
        let oldest = try XCTUnwrap(try htmlTables(page)["oldest-overdue-table"])
        for name in Self.hostile {
            XCTAssertTrue(oldest.contains { $0[2] == "woocommerce:" + name }, "\(name) is shown as written")
        }
        XCTAssertFalse(page.contains("<script"), "no script element, escaped or not")
        XCTAssertTrue(page.contains("woocommerce:&lt;script&gt;alert(1)&lt;/script&gt;"))
        XCTAssertTrue(page.contains("&amp;lt;not-an-entity&amp;gt;"), "an entity-looking name is escaped, not passed through")
        for reference in ["src=", "href=", "@import", "url("] {
            XCTAssertFalse(page.contains(reference), "the page fetches nothing (\(reference))")
        }
        XCTAssertEqual(page.components(separatedBy: "<svg").count - 1, page.components(separatedBy: "<title id=").count - 1,
                       "every chart has a title")
    }

    func testChromiumRendersThePageWithTheNightsNumbers() throws {
        let file = NSTemporaryDirectory() + "sr-report-\(UUID().uuidString).html"
        let png = file + ".png"
        defer { unlink(file); unlink(png) }
        try page.write(toFile: file, atomically: true, encoding: .utf8)
        let dom = try Chromium.dumpDOM(file)
        XCTAssertFalse(dom.contains("<script"), "the browser built no script element from a name")
        let seen = try htmlTables(dom)
        XCTAssertEqual(seen, try htmlTables(page), "the browser sees every table as written")
        let granted = try f.count("SELECT count(*) FROM recon.credit_grants")
        XCTAssertEqual(seen["granted-table"]?.dropFirst().map { Int($0[2])! }.reduce(0, +), granted)
        XCTAssertTrue(dom.contains("Overdue credit in USD by age"))
        try Chromium.screenshot(file, to: png)
        XCTAssertGreaterThan(try pngDistinctByteValues(png), 16, "the screenshot is not blank")
    }

    func testAnEmptyDatabaseSaysThereIsNothingYet() throws {
        let empty = try StoreFixture()
        let file = NSTemporaryDirectory() + "sr-report-empty-\(UUID().uuidString).html"
        defer { unlink(file) }
        let report = try runBinary(["report", "--db", empty.conninfo, "--output", file])
        XCTAssertEqual(report.code, 0, report.err)
        let dom = try Chromium.dumpDOM(file)
        XCTAssertTrue(dom.contains("No nightly run has succeeded yet"))
        XCTAssertTrue(dom.contains("No credit granted yet."))
        XCTAssertEqual(try htmlTables(dom), [:])
    }
}
