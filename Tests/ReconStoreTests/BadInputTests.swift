import Foundation
import SampleData
import SpendReconApp
import XCTest

/// Bad input beyond the rejected-row classes (RejectedRowTests): extreme but valid amounts, sums
/// that overflow, the CSV writer under random strings, and malformed command lines.
final class BadInputTests: XCTestCase {
    func testExtremeAmountsZeroAndTaxEqualToAmountAreExactEndToEnd() throws {
        let f = try StoreFixture()
        for account in Int64(1)...3 {
            try f.account(account)
            try f.integration(100 + account, merchant: "m\(account)", account: account)
        }
        try f.bill(1, account: 1, at: "2025-11-05", amount: "10000000000000.00")     // 10^15 minor units
        try f.bill(2, account: 1, at: "2025-11-06", amount: "0.01")
        try f.bill(3, account: 2, at: "2025-11-05", amount: "0.00")
        try f.topup(4, account: 2, at: "2025-11-05", amount: "0")
        try f.bill(5, account: 3, at: "2025-11-05", amount: "9000.00", tax: "9000.00")  // all tax
        try f.topup(6, account: 3, at: "2025-11-05", amount: "700.00", tax: "200.00", credit: "500.00")
        let summary = try f.run(asOf: "2025-12-10")
        XCTAssertEqual(summary.rejectedRows, 0)
        XCTAssertEqual(try f.status("integration:101")?.tier, 3)
        XCTAssertEqual(try f.count("""
            SELECT count(*) FROM recon.subject_status WHERE subject_key = 'integration:101'
              AND qualifying_spend::text = '10000000000000.00' AND credit::text = '5000.00'
            """), 1, "granted at once, on the row that crossed the top tier; spend exact to the cent")
        XCTAssertEqual(try f.status("integration:102")?.status, "threshold_not_reached")
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.subject_status WHERE subject_key = 'integration:102' AND qualifying_spend = 0"), 1)
        XCTAssertEqual(try f.status("integration:103")?.status, "threshold_not_reached")
        XCTAssertEqual(try f.count("""
            SELECT count(*) FROM recon.subject_status WHERE subject_key = 'integration:103'
              AND qualifying_spend = 0 AND excluded_tax = 9200.00 AND excluded_credit = 500.00
            """), 1)
    }

    /// `±infinity` in a time column names no instant: a required time of `-infinity` is a
    /// recorded rejection, a `first_cash_at` of `infinity` means no cash yet, and the run goes on
    /// (binary COPY reads it as null; docs/DECISIONS.md, "Input is read with binary COPY").
    func testInfiniteTimesAreRejectionsOrNullsNeverAStoppedRun() throws {
        let f = try StoreFixture()
        try f.account(1); try f.integration(101, merchant: "m1", account: 1)
        try f.account(2); try f.integration(102, merchant: "m2", account: 2)
        try f.account(3); try f.integration(103, merchant: "m3", account: 3)
        try f.db.execute("UPDATE billing.ad_accounts SET first_cash_at = 'infinity' WHERE account_id = 2")
        try f.db.execute("UPDATE billing.ad_accounts SET registered_at = '-infinity' WHERE account_id = 3")
        try f.bill(1, account: 1, at: "2025-11-05", amount: "600.00")
        try f.bill(2, account: 1, at: "2025-11-06", amount: "900.00")
        try f.db.execute("UPDATE billing.billed_spend SET spend_at = '-infinity' WHERE bill_id = 2")
        XCTAssertEqual(try runBinary(["run", "--as-of", "2025-12-10", "--db", f.conninfo]).code, 0)
        XCTAssertEqual(try f.count("""
            SELECT count(*) FROM recon.rejected_rows
            WHERE (source_table, source_key, problem) IN (('billed_spend', '2', 'null_spend_at'),
                                                          ('ad_accounts', '3', 'null_registered_at'))
            """), 2)
        XCTAssertEqual(try f.status("integration:101")?.tier, 1, "the -infinity bill counts for nothing")
        XCTAssertEqual(try f.count("""
            SELECT count(*) FROM recon.subject_status WHERE subject_key = 'integration:102'
              AND status = 'pending' AND waiting_for = 'cash'
            """), 1, "first cash at infinity: no cash yet")
        XCTAssertNil(try f.status("integration:103"), "an integration on a rejected account is no subject")
    }

    /// A single amount past 64-bit minor units is a rejected row; a sum past them stops the run
    /// with exit 65 naming the account (never a wrapped, silently wrong total).
    func testAmountsBeyondSixtyFourBitsAreRejectedAndOverflowingSumsExit65() throws {
        let f = try StoreFixture()
        try f.account(1); try f.integration(101, merchant: "m1", account: 1)
        try f.account(2); try f.integration(102, merchant: "m2", account: 2)
        try f.bill(1, account: 1, at: "2025-11-05", amount: "100000000000000000.00")  // 10^19 minor units
        try f.bill(2, account: 1, at: "2025-11-06", amount: "600.00")
        XCTAssertEqual(try runBinary(["run", "--as-of", "2025-12-10", "--db", f.conninfo]).code, 0)
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.rejected_rows WHERE source_key = '1' AND problem = 'overflow_amount'"), 1)
        XCTAssertEqual(try f.status("integration:101")?.tier, 1)

        try f.resetDecisions()
        try f.bill(3, account: 2, at: "2025-11-05", amount: "50000000000000000.00")
        try f.bill(4, account: 2, at: "2025-11-06", amount: "50000000000000000.00")
        let result = try runBinary(["run", "--as-of", "2025-12-10", "--db", f.conninfo])
        XCTAssertEqual(result.code, 65, result.err)
        XCTAssertTrue(result.err.contains("account 2: spend sums overflow"), result.err)
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.runs WHERE status = 'failed' AND error LIKE '%overflow%'"), 1)
        XCTAssertNil(try f.status("integration:102"), "no decision from a sum that overflowed")
    }

    /// 2,000 random rows of random text (quotes, commas, CR, LF, tabs, formula starters,
    /// non-ASCII) written by CSVWriter and read back by Python's csv module: every cell comes
    /// back as written, formula starters behind one apostrophe.
    func testCSVWriterRoundTripsRandomStringsThroughARealParser() throws {
        let seed = UInt64(20261121)
        var random = SeededRandom(seed: seed)
        let alphabet: [String] = ["a", "Z", "0", " ", ",", "\"", "'", "\r", "\n", "\r\n", "\t", "=", "+", "-", "@", ";",
                                  "é", "店", "✓", "🙂", "\\", "%"]
        var rows: [[String]] = []
        for _ in 0..<2000 {
            rows.append((0..<5).map { _ in
                (0..<Int(random.int(0...12))).map { _ in alphabet[Int(random.int(0..<Int64(alphabet.count)))] }.joined()
            })
        }
        let path = NSTemporaryDirectory() + "sr-csv-property-\(getpid()).csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try rows.map { CSVWriter.line($0.map { .text($0) }) }.joined().write(toFile: path, atomically: true, encoding: .utf8)
        let parsed = try parseCSV(path)
        XCTAssertEqual(parsed.count, rows.count, "seed \(seed): one record per row, whatever the cells hold")
        var formulas = 0
        for (index, (written, read)) in zip(rows, parsed).enumerated() {
            let expected = written.map { cell -> String in
                guard let first = cell.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) else { return cell }
                formulas += 1
                return "'" + cell
            }
            XCTAssertEqual(read, expected, "seed \(seed) row \(index)")
            for cell in read {
                XCTAssertFalse(["=", "+", "-", "@"].contains(cell.first.map(String.init) ?? ""), "a cell starts a formula: \(cell)")
            }
        }
        XCTAssertGreaterThan(formulas, 100)
        print("bad input figures: csv_rows=\(rows.count) csv_cells=\(rows.count * 5) formula_cells_neutralised=\(formulas) mismatches=0")
    }

    /// Each malformed command line: exit 64 and a message naming what is wrong, before any
    /// connection is made (the --db below points nowhere).
    func testMalformedCommandLinesExit64NamingTheProblem() throws {
        let f = try StoreFixture()
        let nowhere = "host=/nonexistent-socket-dir dbname=none connect_timeout=2"
        let cases: [(arguments: [String], says: String)] = [
            (["run", "--as-of", "2025-13-01", "--db", nowhere], "--as-of"),
            (["run", "--as-of", "yesterday", "--db", nowhere], "--as-of"),
            (["run", "--as-of", "2025-02-30", "--db", nowhere], "--as-of"),
            (["run", "--batch-size", "0", "--db", nowhere], "--batch-size must be positive"),
            (["run", "--log-format", "xml", "--db", nowhere], "--log-format"),
            (["run", "--log-level", "loud", "--db", nowhere], "--log-level"),
            (["run", "--frobnicate", "--db", nowhere], "--frobnicate"),
            (["rerun", "--from", "2025-12-10", "--to", "2025-12-01", "--db", nowhere], "--to must be after --from"),
            (["rerun", "--from", "2025-12-01", "--db", nowhere], "--to"),
            (["rerun", "--from", "2025-12-01", "--to", "2025-12-10", "--program", "no-such-program", "--db", f.conninfo],
             "unknown program no-such-program"),
            (["export", "--from", "2025-12-01", "--to", "2025-12-01", "--db", nowhere], "--to must be after --from"),
            (["export", "--from", "2025-12-01", "--to", "2025-12-10", "--status", "maybe", "--db", nowhere], "--status must be one of"),
            (["export", "--from", "2025-12-01", "--to", "2025-12-10", "--account", "twelve", "--db", nowhere], "--account"),
            (["export", "--from", "2025-12-01", "--to", "2025-12-10", "--merchant", "no-colon", "--db", nowhere], "--merchant"),
            (["export", "--from", "2025-12-01", "--to", "2025-12-10", "--program", "x' OR '1'='1", "--db", f.conninfo],
             "unknown program x' OR '1'='1"),
            (["explain", "--db", nowhere], "give exactly one of"),
            (["explain", "--integration", "1", "--account", "2", "--db", nowhere], "give exactly one of"),
            (["no-such-command"], "no-such-command"),
        ]
        for (arguments, says) in cases {
            let result = try runBinary(arguments)
            XCTAssertEqual(result.code, 64, "\(arguments): \(result.err)")
            XCTAssertTrue(result.err.contains(says), "\(arguments) should say \(says): \(result.err)")
        }
        print("bad input figures: malformed_command_lines=\(cases.count) exit=64")
    }
}
