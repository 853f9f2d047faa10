import Exact
import Foundation
import PGClient
import ReconStore
import XCTest

/// Where people see settlement (SPEC section 8): `outbox`, the run summary and metrics file, and
/// `liability`, through the built binary, on generated grants and a crediting system that
/// applies, delays, duplicates, shorts, misroutes and reverses.
final class SettlementCommandsTests: XCTestCase {
    var f: StoreFixture!

    override func setUpWithError() throws {
        f = try StoreFixture()
        try f.populate(subjects: 900)
        let first = try runBinary(["run", "--db", f.conninfo, "--as-of", "2025-12-10"])
        XCTAssertEqual(first.code, 0, first.err)
        // One behaviour per grant by its id; then credit applied by hand and under an unknown ref.
        try f.db.executeScript("""
            INSERT INTO billing.credit_applications
            SELECT row_number() OVER (ORDER BY g.grant_id, k), 'grant:' || g.grant_id,
                   CASE WHEN g.grant_id % 7 = 5 THEN g.account_id + 100000 ELSE g.account_id END, g.currency,
                   CASE WHEN g.grant_id % 7 = 4 THEN g.credit - 1 ELSE g.credit END,
                   CASE WHEN g.grant_id % 7 = 2 THEN g.due_by + interval '2 days' ELSE g.due_by - interval '1 day' END,
                   CASE WHEN g.grant_id % 7 = 6 THEN g.due_by END
            FROM recon.credit_grants g, generate_series(1, 2) k
            WHERE g.grant_id % 7 <> 0 AND (k = 1 OR g.grant_id % 7 = 3);
            INSERT INTO billing.credit_applications VALUES
                (900001, NULL, 1, 'USD', 12.50, '2025-12-11Z', NULL),
                (900002, 'grant:0', 2, 'USD', 7.00, '2025-12-11Z', NULL);
            """)
    }

    func testTheRunSummaryMetricsAndLiabilityAgreeAndLiabilityAddsUp() throws {
        let metrics = NSTemporaryDirectory() + "sr-settle-\(UUID().uuidString).prom"
        defer { try? FileManager.default.removeItem(atPath: metrics) }
        let run = try runBinary(["run", "--db", f.conninfo, "--as-of", "2025-12-20", "--json", "--metrics-file", metrics])
        XCTAssertEqual(run.code, 0, run.err)
        let summary = try JSONDecoder().decode(RunSummary.self, from: Data(run.out.utf8))
        let settlement = try XCTUnwrap(summary.settlement)
        let grants = try f.count("SELECT count(*) FROM recon.credit_grants")
        XCTAssertEqual(settlement.statuses.values.reduce(0, +), grants)
        for (status, count) in settlement.statuses {
            XCTAssertEqual(count, try f.count("SELECT count(*) FROM recon.credit_settlements WHERE status = $1", [status]), status)
        }
        XCTAssertGreaterThan(settlement.statuses["mismatch"] ?? 0, 0)
        XCTAssertGreaterThan(settlement.statuses["overdue"] ?? 0, 0)
        XCTAssertEqual(settlement.unmatchedApplications, 2)
        let overdueSQL = try f.db.execute("""
            SELECT sum(o.amount)::text FROM recon.credit_outbox o JOIN recon.credit_settlements s USING (credit_ref)
            WHERE s.status = 'overdue'
            """)[0].decode(0, as: String.self)
        XCTAssertEqual(settlement.overdue["USD"], overdueSQL)

        let samples = try PrometheusText.parse(try String(contentsOfFile: metrics, encoding: .utf8))
        XCTAssertEqual(samples[#"spend_recon_credit_overdue{kind="run",currency="USD"}"#], overdueSQL)
        XCTAssertEqual(samples[#"spend_recon_credit_outstanding{kind="run",currency="USD"}"#], settlement.outstanding["USD"])
        XCTAssertEqual(samples[#"spend_recon_settlements{kind="run",status="mismatch"}"#], "\(settlement.statuses["mismatch"]!)")
        XCTAssertEqual(samples[#"spend_recon_unmatched_applications{kind="run"}"#], "2")

        let liability = try runBinary(["liability", "--db", f.conninfo, "--as-of", "2025-12-20", "--json"])
        XCTAssertEqual(liability.code, 0, liability.err)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(liability.out.utf8)) as? [String: Any])
        let lines = try XCTUnwrap(object["lines"] as? [[String: Any]])
        func minor(_ line: [String: Any], _ key: String) throws -> Int64 {
            try ExactDecimal(parsing: try XCTUnwrap(line[key] as? String)).minorUnits(exponent: 2)
        }
        let program = try XCTUnwrap(lines.first { $0["program_id"] as? String == "woocommerce-us-uk" })
        let parts = try ["settled", "settled_late", "outstanding", "overdue", "mismatch"].map { try minor(program, $0) }
        XCTAssertEqual(parts.reduce(0, +), try minor(program, "granted"))
        let grantedSQL = try f.db.execute("SELECT sum(credit)::text FROM recon.credit_grants")[0].decode(0, as: String.self)
        XCTAssertEqual(program["granted"] as? String, grantedSQL)
        XCTAssertEqual(program["overdue"] as? String, overdueSQL)
        let unmatched = try XCTUnwrap(lines.first { $0["program_id"] == nil })
        XCTAssertEqual(unmatched["unmatched"] as? String, "19.50")
        XCTAssertEqual(unmatched["unmatched_count"] as? Int, 2)

        // Months later every unapplied grant has expired (the program's credit ends 2026-01-30).
        let later = try runBinary(["liability", "--db", f.conninfo, "--as-of", "2026-03-01", "--json"])
        let laterObject = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(later.out.utf8)) as? [String: Any])
        let laterProgram = try XCTUnwrap((laterObject["lines"] as? [[String: Any]])?.first { $0["program_id"] as? String != nil })
        XCTAssertEqual(try minor(laterProgram, "expired_unapplied"),
                       try minor(laterProgram, "overdue") + minor(laterProgram, "outstanding"))
        XCTAssertGreaterThan(try minor(laterProgram, "expired_unapplied"), 0)
    }

    func testTheOutboxCommandPagesJSONLinesInOrder() throws {
        let all = try runBinary(["outbox", "--db", f.conninfo, "--limit", "100000"])
        XCTAssertEqual(all.code, 0, all.err)
        let entries = try all.out.split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        XCTAssertEqual(entries.count, try f.count("SELECT count(*) FROM recon.credit_grants"))
        let positions = entries.compactMap { $0["position"] as? Int }
        XCTAssertEqual(positions, positions.sorted())
        XCTAssertEqual(Set(entries.compactMap { $0["credit_ref"] as? String }).count, entries.count)
        XCTAssertNotNil(entries.first?["due_by"] as? String)
        let page = try runBinary(["outbox", "--db", f.conninfo, "--after", "\(positions[2])", "--limit", "2"])
        XCTAssertEqual(page.out.split(separator: "\n").count, 2)
        XCTAssertTrue(page.out.hasPrefix("{") && page.out.contains("\"position\":\(positions[3])"))
        XCTAssertEqual(try runBinary(["outbox", "--db", f.conninfo, "--limit", "0"]).code, 64)
    }
}
