import Foundation
import XCTest

/// SQL-injection text in data and on the command line stays data; no password reaches a log
/// line, an error, a run record, an export or a metrics file. (The least-privilege role and
/// failed-connection redaction: LeastPrivilegeTests; formula cells: BadInputTests, ExportTests.)
final class SecurityTests: XCTestCase {
    static let injection = "x'); DROP TABLE recon.runs; --"
    static let codeInjection = "' OR 1=1 --"

    func testInjectionTextInDataAndArgumentsStaysData() throws {
        let f = try StoreFixture()
        try f.account(1); try f.integration(101, merchant: Self.injection, account: 1)
        try f.account(2); try f.integration(102, merchant: "plain", account: 2)
        try f.account(3, country: "JP", currency: "JPY")
        try f.code(Self.codeInjection, recipient: 3, activatedBy: 3, activated: "2025-11-02")
        try f.code("JP-OTHER", recipient: 3, activatedBy: nil, activated: nil)
        try f.bill(1, account: 1, at: "2025-11-05", amount: "600.00")
        XCTAssertEqual(try runBinary(["run", "--as-of", "2025-12-10", "--db", f.conninfo]).code, 0)

        let merchant = try runBinary(["explain", "--merchant", "woocommerce:" + Self.injection, "--as-of", "2025-12-10", "--db", f.conninfo])
        XCTAssertEqual(merchant.code, 0, merchant.err)
        XCTAssertTrue(merchant.out.contains("woocommerce:" + Self.injection), merchant.out)
        XCTAssertFalse(merchant.out.contains("woocommerce:plain"), "the text matched itself, not every row")

        let code = try runBinary(["explain", "--code", Self.codeInjection, "--as-of", "2025-12-10", "--db", f.conninfo])
        XCTAssertEqual(code.code, 0, code.err)
        XCTAssertTrue(code.out.contains(Self.codeInjection), code.out)
        XCTAssertFalse(code.out.contains("JP-OTHER"), "one code, not all of them")
        let none = try runBinary(["explain", "--code", "nothing' OR '1'='1", "--as-of", "2025-12-10", "--db", f.conninfo])
        XCTAssertEqual(none.out.trimmingCharacters(in: .whitespacesAndNewlines), "no subject matches")

        let export = try runBinary(["export", "--from", "2025-11-01", "--to", "2026-02-01", "--merchant", "woocommerce:" + Self.injection,
                                    "--db", f.conninfo])
        XCTAssertEqual(export.code, 0, export.err)
        XCTAssertEqual(export.out.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count, 2, "header and that one subject")
        XCTAssertTrue(export.out.contains(Self.injection))

        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.runs"), 1, "recon.runs is still there")
        XCTAssertEqual(try f.count("SELECT count(*) FROM billing.partner_integrations"), 2)
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.subject_status WHERE merchant_id = $1", [Self.injection]), 1)
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.subject_status WHERE promo_code = $1", [Self.codeInjection]), 1)
    }

    /// The password rides in the conninfo of every command, at trace level, through a success and
    /// a failure that is recorded in recon.runs; it appears nowhere the job writes.
    func testNoPasswordInLogsErrorsRunRecordsExportsOrMetrics() throws {
        let f = try StoreFixture()
        try f.populate(subjects: 50)
        let password = "Pw-\(UUID().uuidString.prefix(8))-secret"
        let db = f.conninfo + " password=\(password)"
        let directory = NSTemporaryDirectory() + "sr-pw-check-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var outputs: [String] = []
        let commands: [[String]] = [
            ["run", "--as-of", "2025-12-10", "--log-level", "trace", "--metrics-file", directory + "/run.prom"],
            ["rerun", "--from", "2025-11-01", "--to", "2026-01-01", "--as-of", "2025-12-10", "--log-level", "trace",
             "--metrics-file", directory + "/rerun.prom"],
            ["export", "--from", "2025-11-01", "--to", "2026-01-01", "--output", directory + "/export.csv", "--log-level", "trace"],
            ["explain", "--integration", "1", "--as-of", "2025-12-10", "--log-level", "trace", "--json"],
            ["run", "--as-of", "2025-12-11", "--log-format", "json", "--log-level", "trace"],
        ]
        for command in commands {
            let result = try runBinary(command + ["--db", db])
            XCTAssertEqual(result.code, 0, "\(command): \(result.err)")
            outputs += [result.out, result.err]
        }
        // A failure with a run record: the statement timeout cancels the slow read (of a night
        // with every subject open again, so that it reads spend at all).
        outputs += try f.db.execute("SELECT row_to_json(r)::text FROM recon.runs r").rows.map { try $0.decode(0, as: String.self) }
        try f.resetDecisions()
        try f.slowDownSpendReads(seconds: 3)
        let failed = try runBinary(["run", "--as-of", "2025-12-12", "--log-level", "trace", "--metrics-file", directory + "/run.prom",
                                    "--db", db], environment: ["PGOPTIONS": "-c statement_timeout=500"])
        XCTAssertEqual(failed.code, 69, failed.err)
        outputs += [failed.out, failed.err]
        try f.restoreSpendReads()
        for file in ["run.prom", "rerun.prom", "export.csv"] {
            outputs.append(try String(contentsOfFile: directory + "/" + file, encoding: .utf8))
        }
        outputs += try f.db.execute("SELECT row_to_json(r)::text FROM recon.runs r").rows.map { try $0.decode(0, as: String.self) }
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.runs WHERE status = 'failed' AND error IS NOT NULL"), 1)
        for (index, text) in outputs.enumerated() {
            XCTAssertFalse(text.contains(password), "output \(index) holds the password")
            XCTAssertFalse(text.contains("secret"), "output \(index) holds part of the password")
        }
        XCTAssertGreaterThan(outputs.joined().count, 10_000, "trace logs, exports and records were actually produced")
        print("security figures: outputs_checked=\(outputs.count) password_found=0")
    }
}
