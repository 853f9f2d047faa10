import Foundation
import PGClient
import ReconStore
import SampleData
import XCTest

/// `sql/roles.sql`: the job completes a night as a member of `spend_recon_job`, and that role
/// cannot write `billing` or change the schema. Passwords in the connection string never reach
/// the logs.
final class LeastPrivilegeTests: XCTestCase {
    static let password = "Pw-7c1d9e-not-for-logs"

    /// A fixture with the small sample and the two role files applied as the README says: the
    /// admin part as a superuser, the grants (twice: re-runnable) as a plain role that owns the
    /// schemas, with neither CREATEROLE nor superuser. Returns the conninfo (with a password in
    /// it) of a login role in `spend_recon_job`.
    func prepare(_ fixture: StoreFixture) throws -> String {
        try SampleLoader(connection: fixture.db).load(SampleGenerator(profile: OperationsTests.smallSample))
        try fixture.db.executeScript(try XCTUnwrap(SQLFiles.named("roles-admin.sql")))
        let suffix = UInt32.random(in: 0...UInt32.max)
        let owner = try fixture.db.quoteIdentifier("sr_owner_\(suffix)")
        let login = "sr_nightly_\(suffix)"
        // Role names cannot be bound parameters: quoted by the server's own quote_ident.
        let quoted = try fixture.db.quoteIdentifier(login)
        try fixture.db.executeScript("""
            CREATE ROLE \(owner) LOGIN NOSUPERUSER NOCREATEROLE;
            ALTER SCHEMA recon OWNER TO \(owner);
            ALTER SCHEMA billing OWNER TO \(owner);
            DO $$
            DECLARE r record;
            BEGIN
                FOR r IN SELECT n.nspname, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                         WHERE n.nspname IN ('recon', 'billing') AND c.relkind IN ('r', 'v', 'p')
                LOOP
                    EXECUTE format('ALTER TABLE %I.%I OWNER TO %I', r.nspname, r.relname, 'sr_owner_\(suffix)');
                END LOOP;
            END
            $$;
            CREATE ROLE \(quoted) LOGIN IN ROLE spend_recon_job;
            """)
        addTeardownBlock {
            try? fixture.db.executeScript("DROP OWNED BY \(quoted); DROP ROLE \(quoted); DROP OWNED BY \(owner); DROP ROLE \(owner)")
        }
        let asOwner = try Connection(conninfo: try Conninfo.replacing(["user": "sr_owner_\(suffix)"], in: fixture.conninfo),
                                     logger: quietLogger())
        let roles = try XCTUnwrap(SQLFiles.named("roles.sql"))
        try asOwner.executeScript(roles)
        try asOwner.executeScript(roles)
        return try Conninfo.replacing(["user": login, "password": Self.password], in: fixture.conninfo)
    }

    func testTheJobCompletesANightUnderTheLeastPrivilegeRole() throws {
        let fixture = try StoreFixture()
        let conninfo = try prepare(fixture)
        let run = try runBinary(["run", "--db", conninfo, "--as-of", OperationsTests.asOf, "--log-level", "trace"])
        XCTAssertEqual(run.code, 0, run.err)
        XCTAssertGreaterThan(try fixture.count("SELECT count(*) FROM recon.credit_grants"), 0)
        XCTAssertEqual(try fixture.count("SELECT count(*) FROM recon.runs WHERE status = 'succeeded'"), 1)
        XCTAssertFalse(run.out.contains(Self.password) || run.err.contains(Self.password), "a password reached the output")
        // The rest of the toolbox works under it too.
        XCTAssertEqual(try runBinary(["rerun", "--db", conninfo, "--from", "2025-01-01", "--to", "2026-02-01",
                                      "--as-of", OperationsTests.asOf]).code, 0)
        XCTAssertEqual(try runBinary(["export", "--db", conninfo, "--from", "2025-01-01", "--to", "2026-02-01"]).code, 0)
        let simulate = try runBinary(["simulate", "--db", conninfo, "--program", "woocommerce-us-uk", "--window-days", "45",
                                      "--as-of", OperationsTests.asOf])
        XCTAssertEqual(simulate.code, 0, simulate.err)
        XCTAssertEqual(try runBinary(["outbox", "--db", conninfo]).code, 0)
        XCTAssertEqual(try runBinary(["liability", "--db", conninfo]).code, 0)
        let report = try runBinary(["report", "--db", conninfo])
        XCTAssertEqual(report.code, 0, report.err)
        XCTAssertTrue(report.out.hasPrefix("<!DOCTYPE html>"))
        XCTAssertGreaterThan(try fixture.count("SELECT count(*) FROM recon.credit_settlements"), 0)
    }

    func testTheRoleCannotWriteBillingOrChangeTheSchemaOrThePrograms() throws {
        let fixture = try StoreFixture()
        let job = try Connection(conninfo: try prepare(fixture), logger: quietLogger())
        let refused: [(String, String)] = [
            ("INSERT INTO billing.billed_spend (bill_id, account_id, currency, amount) VALUES (1, 1, 'USD', 1)", "insert billing"),
            ("UPDATE billing.ad_accounts SET status = 'approved'", "update billing"),
            ("DELETE FROM billing.topup_consumption", "delete billing"),
            ("TRUNCATE billing.promo_codes", "truncate billing"),
            ("CREATE TABLE billing.sneaky (x int)", "create in billing"),
            ("CREATE TABLE recon.sneaky (x int)", "create in recon"),
            ("UPDATE recon.programs SET window_days = 365", "edit a program"),
            ("DELETE FROM recon.schema_migrations", "forget migrations"),
            ("DROP TABLE recon.credit_grants", "drop grants"),
            ("DELETE FROM recon.credit_grants", "delete grants"),
            ("UPDATE recon.credit_grants SET credit = credit * 2", "change a grant"),
            ("DELETE FROM recon.adjustments", "delete adjustments"),
            ("DELETE FROM recon.discrepancies", "delete discrepancies"),
            ("DELETE FROM recon.runs", "delete runs"),
            ("TRUNCATE recon.subject_status", "truncate decisions"),
            ("INSERT INTO billing.credit_applications (application_id) VALUES (1)", "write credit applications"),
            ("UPDATE billing.credit_applications SET amount = 0", "change credit applications"),
            ("UPDATE recon.credit_outbox SET amount = amount * 2", "change a handed-over credit"),
            ("DELETE FROM recon.credit_outbox", "delete the outbox"),
            ("DELETE FROM recon.unmatched_applications", "forget unmatched applications"),
        ]
        for (sql, what) in refused {
            XCTAssertThrowsError(try job.execute(sql), what) { error in
                XCTAssertEqual((error as? PostgresError)?.sqlState, "42501", "\(what): \(error)")
            }
        }
        XCTAssertGreaterThan(try job.execute("SELECT count(*) FROM billing.billed_spend")[0].decode(0, as: Int.self), 0)
        XCTAssertEqual(try job.execute("SELECT count(*) FROM billing.credit_applications")[0].decode(0, as: Int.self), 0)
    }

    func testNoLogLineOfAFailedConnectionHoldsThePassword() throws {
        let forms = [
            "host=/nonexistent-spend-recon port=1 user=nightly password=\(Self.password) dbname=ads",
            "postgresql://nightly:\(Self.password)@localhost:1/ads?connect_timeout=2",
            "host=/nonexistent-spend-recon password='\(Self.password)' port=oops",
        ]
        for conninfo in forms {
            for format in ["logfmt", "json"] {
                let run = try runBinary(["run", "--db", conninfo, "--log-level", "trace", "--log-format", format])
                XCTAssertTrue([69, 64].contains(run.code), "\(run.code): \(run.err)")
                XCTAssertFalse(run.err.isEmpty)
                XCTAssertFalse(run.out.contains(Self.password) || run.err.contains(Self.password), run.err)
            }
        }
    }
}
