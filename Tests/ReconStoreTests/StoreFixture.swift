import Exact
import Foundation
import Logging
import PGClient
import PostgresSandbox
import ReconRules
import ReconStore
import XCTest

func quietLogger() -> Logger {
    var logger = Logger(label: "test")
    logger.logLevel = .warning
    return logger
}

func t(_ text: String) -> Instant { Instant(iso8601: text)! }

/// A database with the recon schema migrated and empty billing tables, copied from a template
/// made once per test process.
final class StoreFixture {
    let name: String
    let conninfo: String
    let db: Connection

    private static let templateLock = NSLock()
    nonisolated(unsafe) private static var template: String?

    init(_ label: String = #function) throws {
        let server = try DatabaseServer.forTests()
        let template = try Self.templateLock.withLock { () -> String in
            if let template = Self.template { return template }
            let made = try server.createDatabase(label: "template")
            let connection = try Connection(conninfo: made.conninfo, logger: quietLogger())
            let migrator = Migrator(connection: connection, logger: quietLogger())
            try migrator.migrate()
            try migrator.createBillingTables()
            Self.template = made.name
            return made.name
        }
        (name, conninfo) = try server.createDatabase(label: label, template: template)
        db = try Connection(conninfo: conninfo, logger: quietLogger())
    }

    // MARK: billing rows

    func account(_ id: Int64, country: String = "US", currency: String? = "USD", origin: String = "self_serve",
                 status: String = "approved", violation: Bool = false, flagged: Bool = false,
                 firstCash: String? = "2025-11-02") throws {
        try db.execute("""
            INSERT INTO billing.ad_accounts VALUES ($1, $2, $3, $4, $5, $6, $7, 'manual', '2025-01-01T00:00:00Z', $8)
            """, [id, country, currency, origin, status, violation, flagged, firstCash.map(t)])
    }

    func integration(_ id: Int64, merchant: String, account: Int64, store: String = "US", setUp: String = "2025-11-01",
                     campaign: String? = "2025-11-03", viaIntegration: Bool = false, partner: String = "woocommerce") throws {
        try db.execute("INSERT INTO billing.partner_integrations VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                       [id, partner, merchant, store, account, viaIntegration, t(setUp), campaign.map(t)])
    }

    func bill(_ id: Int64, account: Int64?, at: String?, amount: String?, tax: String? = "0", credit: String? = "0",
              paid: String? = "same", currency: String? = "USD") throws {
        let paidAt: Instant? = paid == "same" ? at.map(t) : paid.map(t)
        try db.execute("INSERT INTO billing.billed_spend VALUES ($1, $2, $3, $4, $5::numeric, $6::numeric, $7::numeric, $8)",
                       [id, account, currency, at.map(t), amount, tax, credit, paidAt])
    }

    func topup(_ id: Int64, account: Int64, at: String, amount: String, tax: String = "0", credit: String = "0",
               currency: String = "USD") throws {
        try db.execute("INSERT INTO billing.topup_consumption VALUES ($1, $2, $3, $4, $5::numeric, $6::numeric, $7::numeric)",
                       [id, account, currency, t(at), amount, tax, credit])
    }

    func code(_ code: String, recipient: Int64, received: String = "2025-11-01", activatedBy: Int64?, activated: String?,
              balance: String? = "5000", program: String = "promo-jp-10000") throws {
        try db.execute("INSERT INTO billing.promo_codes VALUES ($1, $2, $3, $4, $5, $6, $7::numeric)",
                       [code, program, recipient, t(received), activatedBy, activated.map(t), balance])
    }

    /// A row of `billing.credit_applications`, as the crediting system would report it.
    func applied(_ id: Int64, ref: String?, account: Int64?, amount: String?, at: String?, currency: String? = "USD",
                 reversed: String? = nil) throws {
        try db.execute("INSERT INTO billing.credit_applications VALUES ($1, $2, $3, $4, $5::numeric, $6, $7)",
                       [id, ref, account, currency, amount, at.map(t), reversed.map(t)])
    }

    func enroll(_ account: Int64, _ promotion: String, at: String) throws {
        try db.execute("INSERT INTO billing.promotion_enrollments VALUES ($1, $2, $3)", [account, promotion, t(at)])
    }

    /// Many partner subjects: every third reaches a tier, some reach the top, the rest fall short.
    func populate(subjects: Int) throws {
        try db.executeScript("""
            INSERT INTO billing.ad_accounts
            SELECT g, 'US', 'USD', 'self_serve', 'approved', false, false, 'manual', '2025-01-01Z', '2025-11-02Z'
            FROM generate_series(1, \(subjects)) g;
            INSERT INTO billing.partner_integrations
            SELECT g, 'woocommerce', 'm-' || g, 'US', g, false, '2025-11-01Z', '2025-11-03Z' FROM generate_series(1, \(subjects)) g;
            INSERT INTO billing.billed_spend
            SELECT g * 10 + k, g, 'USD', '2025-11-05Z'::timestamptz + k * interval '1 hour',
                   (g % 7) * 150 + k, 0, 0, '2025-11-06Z'
            FROM generate_series(1, \(subjects)) g, generate_series(1, 5) k;
            """)
    }

    /// Puts a view in front of `billing.billed_spend` that sleeps once per statement reading it:
    /// a deterministic slow read (SPEC: billing may be views), for lock and timeout tests.
    func slowDownSpendReads(seconds: Int) throws {
        try db.executeScript("""
            ALTER TABLE billing.billed_spend RENAME TO billed_spend_rows;
            CREATE VIEW billing.billed_spend AS
                SELECT b.* FROM billing.billed_spend_rows b, (SELECT pg_sleep(\(seconds))) AS pause;
            """)
    }

    func restoreSpendReads() throws {
        try db.executeScript("DROP VIEW billing.billed_spend; ALTER TABLE billing.billed_spend_rows RENAME TO billed_spend")
    }

    /// Empties every table the job writes, keeping programs and billing.
    func resetDecisions() throws {
        try db.executeScript("""
            TRUNCATE recon.runs, recon.subject_status, recon.ineligibility_reasons, recon.credit_grants,
                     recon.rejected_rows, recon.adjustments, recon.discrepancies, recon.credit_outbox,
                     recon.credit_settlements, recon.unmatched_applications, recon.seen_applications,
                     recon.settlement_mark, recon.settlement_totals
            """)
    }

    // MARK: running and reading back

    @discardableResult
    func run(asOf: String, batchSize: Int = 500) throws -> RunSummary {
        try reconciler(batchSize: batchSize).run(asOf: t(asOf))
    }

    struct Status: Equatable, CustomStringConvertible {
        var status: String
        var reasons: [String]
        var tier: Int?
        var credit: String?
        var final: Bool
        var description: String { "\(status) \(reasons) tier \(tier.map(String.init) ?? "-") final \(final)" }
    }

    func status(_ subjectKey: String, program: String = "woocommerce-us-uk") throws -> Status? {
        let rows = try db.execute("""
            SELECT s.status, coalesce((SELECT array_agg(reason ORDER BY reason) FROM recon.ineligibility_reasons r
                                       WHERE r.program_id = s.program_id AND r.subject_key = s.subject_key), '{}'),
                   s.tier, s.credit::text, s.final
            FROM recon.subject_status s WHERE s.program_id = $1 AND s.subject_key = $2
            """, [program, subjectKey]).rows
        return try rows.first.map {
            Status(status: try $0.decode(0), reasons: try $0.decode(1), tier: try $0.decodeIfPresent(2),
                   credit: try $0.decodeIfPresent(3), final: try $0.decode(4))
        }
    }

    func count(_ sql: String, _ parameters: [PostgresEncodable?] = []) throws -> Int {
        try db.execute(sql, parameters)[0].decode(0, as: Int.self)
    }

    /// Every decision table as sorted text, without run ids and write times, for "identical" checks.
    func snapshot() throws -> [String] {
        let queries = [
            "SELECT format('%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s', program_id, subject_key, status, final, tier, credit, qualifying_spend, window_start, window_end, reached_at, due_by, decided_at) FROM recon.subject_status",
            "SELECT format('%s|%s|%s', program_id, subject_key, reason) FROM recon.ineligibility_reasons",
            "SELECT format('%s|%s|%s|%s|%s|%s|%s', program_id, subject_key, account_id, tier, credit, reached_at, due_by) FROM recon.credit_grants",
            "SELECT format('%s|%s|%s', source_table, source_key, problem) FROM recon.rejected_rows",
            "SELECT format('%s|%s|%s|%s|%s|%s', kind, program_id, subject_key, account_id, amount, due_by) FROM recon.credit_outbox",
        ]
        var lines: [String] = []
        for (index, sql) in queries.enumerated() {
            lines += try db.execute(sql).rows.map { "\(index): " + (try $0.decode(0, as: String.self)) }.sorted()
        }
        return lines
    }
}

/// The built `spend-recon` binary, next to the test bundle.
func spendReconBinary() -> String {
    let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    return bundleDirectory.appendingPathComponent("spend-recon").path
}

/// Runs the binary to completion; returns exit code, stdout and stderr.
@discardableResult
func runBinary(_ arguments: [String], environment: [String: String] = [:]) throws -> (code: Int32, out: String, err: String) {
    let started = try startBinary(arguments, environment: environment)
    let code = try Subprocess.wait(started.pid)
    return (code, started.readOut(), started.readErr())
}

struct StartedBinary {
    let pid: pid_t
    let outPath: String
    let errPath: String
    func readOut() -> String { (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "" }
    func readErr() -> String { (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "" }
}

func startBinary(_ arguments: [String], environment: [String: String] = [:]) throws -> StartedBinary {
    var env = ProcessInfo.processInfo.environment
    env.merge(environment) { $1 }
    let base = NSTemporaryDirectory() + "sr-\(getpid())-\(UUID().uuidString)"
    let pid = try Subprocess.spawn(spendReconBinary(), arguments, stdout: base + ".out", stderr: base + ".err", environment: env)
    return StartedBinary(pid: pid, outPath: base + ".out", errPath: base + ".err")
}

/// Fails with at most a few differing lines of two snapshots, not the whole of both.
func assertSameSnapshot(_ a: [String], _ b: [String], _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    guard a != b else { return }
    let onlyA = Set(a).subtracting(b).sorted().prefix(5)
    let onlyB = Set(b).subtracting(a).sorted().prefix(5)
    XCTFail("snapshots differ (\(a.count) vs \(b.count) lines) \(message)\nonly in first: \(Array(onlyA))\nonly in second: \(Array(onlyB))",
            file: file, line: line)
}

extension XCTestCase {
    /// Parses CSV with Python's csv module (a real RFC 4180 reader) and returns rows of fields.
    func parseCSV(_ path: String) throws -> [[String]] {
        let script = NSTemporaryDirectory() + "sr-parse-\(getpid()).py"
        let json = NSTemporaryDirectory() + "sr-parse-\(getpid()).json"
        try """
            import csv, json, sys
            with open(sys.argv[1], newline='', encoding='utf-8') as f:
                rows = list(csv.reader(f, strict=True))
            with open(sys.argv[2], 'w', encoding='utf-8') as out:
                json.dump(rows, out)
            """.write(toFile: script, atomically: true, encoding: .utf8)
        let code = try Subprocess.run("/usr/bin/env", ["python3", script, path, json], log: nil)
        XCTAssertEqual(code, 0, "python3's csv module must parse the export")
        let data = try Data(contentsOf: URL(fileURLWithPath: json))
        return try JSONDecoder().decode([[String]].self, from: data)
    }
}
