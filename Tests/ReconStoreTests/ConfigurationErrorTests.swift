import Foundation
import PGClient
import PostgresSandbox
@testable import ReconStore
import SampleData
import XCTest

/// SPEC section 7's exit 78: a database set up otherwise than the job needs is a configuration
/// error that names the object and the fix, not an internal error with a bare SQLSTATE; a
/// malformed conninfo is a usage error (64).
final class ConfigurationErrorTests: XCTestCase {
    private func assertConfiguration(_ arguments: [String], mentions: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try runBinary(arguments)
        XCTAssertEqual(result.code, 78, result.err, file: file, line: line)
        for text in mentions {
            XCTAssertTrue(result.err.contains(text), "\(arguments[0]): no \"\(text)\" in \(result.err)", file: file, line: line)
        }
    }

    func testEveryCommandRefusesADatabaseThatWasNeverMigrated() throws {
        let database = try DatabaseServer.forTests().createDatabase(label: "unmigrated")
        let db = ["--db", database.conninfo]
        for command in [["run"], ["run", "--dry-run"], ["rerun", "--from", "2025-01-01", "--to", "2025-02-01"],
                        ["export", "--from", "2025-01-01", "--to", "2025-02-01"], ["explain", "--account", "1"], ["audit"],
                        ["simulate", "--program", "woocommerce-us-uk", "--window-days", "40"]] {
            try assertConfiguration(command + db, mentions: ["recon schema is missing", "spend-recon migrate"])
        }
    }

    func testAnOlderOrNewerSchemaIsRefusedBeforeAnythingIsRead() throws {
        let f = try StoreFixture()
        try f.db.execute("DELETE FROM recon.schema_migrations WHERE version = $1", [SQLFiles.latestVersion])
        try assertConfiguration(["run", "--db", f.conninfo], mentions: ["version \(SQLFiles.latestVersion - 1)", "spend-recon migrate"])
        try f.db.execute("INSERT INTO recon.schema_migrations (version, name) VALUES ($1, 'now'), ($2, 'from the future')",
                         [SQLFiles.latestVersion, SQLFiles.latestVersion + 1])
        try assertConfiguration(["export", "--db", f.conninfo, "--from", "2025-01-01", "--to", "2025-02-01"],
                                mentions: ["newer than this binary", "upgrade spend-recon"])
        try assertConfiguration(["migrate", "--db", f.conninfo], mentions: ["newer than this binary"])
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.runs"), 0)
    }

    func testAMissingBillingColumnOrTableNamesItAndTheFix() throws {
        let f = try StoreFixture()
        try f.account(1)
        try f.db.execute("ALTER TABLE billing.billed_spend DROP COLUMN tax_amount CASCADE")
        try assertConfiguration(["run", "--db", f.conninfo, "--as-of", "2025-12-11"], mentions: ["tax_amount", "SPEC section 2"])
        try f.db.execute("DROP TABLE billing.promotion_enrollments")
        try assertConfiguration(["run", "--db", f.conninfo, "--as-of", "2025-12-11", "--dry-run"],
                                mentions: ["promotion_enrollments", "billing_tables.sql"])
        XCTAssertEqual(try f.count("SELECT count(*) FROM recon.runs WHERE status = 'running'"), 0, "no run left running")
    }

    func testAMissingPrivilegeNamesRolesSQL() throws {
        let f = try StoreFixture()
        let login = "sr_noprivs_\(UInt32.random(in: 0...UInt32.max))"
        let quoted = try f.db.quoteIdentifier(login)
        try f.db.executeScript("CREATE ROLE \(quoted) LOGIN; GRANT USAGE ON SCHEMA recon TO \(quoted); "
                               + "GRANT SELECT ON recon.schema_migrations TO \(quoted)")
        addTeardownBlock { try? f.db.executeScript("DROP OWNED BY \(quoted); DROP ROLE \(quoted)") }
        let conninfo = try Conninfo.replacing(["user": login], in: f.conninfo)
        try assertConfiguration(["run", "--db", conninfo, "--as-of", "2025-12-11"], mentions: ["permission denied", "sql/roles.sql"])
    }

    func testAMalformedConninfoIsAUsageError() throws {
        for conninfo in ["host=localhost port", "postgresql://user@host:notaport/db", "host='unterminated"] {
            let result = try runBinary(["run", "--db", conninfo])
            XCTAssertEqual(result.code, 64, "\(conninfo): \(result.err)")
            XCTAssertTrue(result.err.contains("conninfo"), result.err)
        }
        let secret = try runBinary(["run", "--db", "password=Hunter2-secret host"])
        XCTAssertEqual(secret.code, 64, secret.err)
        XCTAssertFalse(secret.err.contains("Hunter2-secret"), secret.err)
    }
}
