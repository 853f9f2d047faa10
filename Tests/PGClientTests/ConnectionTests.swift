import Exact
import Foundation
import PGClient
import PostgresSandbox
import Logging
import XCTest

final class ConnectionTests: XCTestCase {
    func testInjectionStringAsParameterStaysData() throws {
        let db = try connect(try freshDatabase().conninfo)
        try db.execute("CREATE TABLE x (v text)")
        let hostile = "'); drop table x; --"
        try db.execute("INSERT INTO x (v) VALUES ($1)", [hostile])
        XCTAssertEqual(try db.execute("SELECT v FROM x")[0].decode(0, as: String.self), hostile)
        XCTAssertEqual(try db.execute("SELECT count(*) FROM x WHERE v = $1", [hostile])[0].decode(0, as: Int.self), 1)
    }

    func testUniqueViolationCarriesSQLStateAndConstraint() throws {
        let db = try connect(try freshDatabase().conninfo)
        try db.execute("CREATE TABLE grants (subject text CONSTRAINT grants_subject_key UNIQUE)")
        try db.execute("INSERT INTO grants VALUES ($1)", ["woocommerce:m1"])
        XCTAssertThrowsError(try db.execute("INSERT INTO grants VALUES ($1)", ["woocommerce:m1"])) { error in
            let pgError = error as? PostgresError
            XCTAssertEqual(pgError?.sqlState, PostgresError.uniqueViolation)
            XCTAssertEqual(pgError?.constraintName, "grants_subject_key")
            XCTAssertEqual(pgError?.tableName, "grants")
            XCTAssertNotNil(pgError?.detail)
            // The safe description names the constraint but not the duplicated value.
            XCTAssertFalse(String(describing: pgError!).contains("m1"))
            XCTAssertTrue(String(reflecting: pgError!).contains("m1"), "debug description keeps the detail")
        }
    }

    func testTransactionRollsBackOnError() throws {
        let db = try connect(try freshDatabase().conninfo)
        try db.execute("CREATE TABLE t (v int PRIMARY KEY)")
        XCTAssertThrowsError(try db.transaction {
            try db.execute("INSERT INTO t VALUES (1)")
            try db.execute("INSERT INTO t VALUES (1)")
        })
        XCTAssertEqual(try db.execute("SELECT count(*) FROM t")[0].decode(0, as: Int.self), 0)
    }

    func testTerminatedSessionGivesConnectionErrorNotAHang() throws {
        let database = try freshDatabase()
        let victim = try connect(database.conninfo)
        let conninfo = database.conninfo
        let pid = victim.backendPID
        let terminator = Thread {
            Thread.sleep(forTimeInterval: 0.5)
            _ = try? connect(conninfo).execute("SELECT pg_terminate_backend($1)", [Int(pid)])
        }
        terminator.start()
        XCTAssertThrowsError(try victim.execute("SELECT pg_sleep(30)")) { error in
            let pgError = error as? PostgresError
            XCTAssertTrue(pgError?.isConnectionProblem == true, "\(String(describing: pgError))")
        }
        XCTAssertFalse(victim.isHealthy)
        XCTAssertThrowsError(try victim.execute("SELECT 1"))
    }

    func testStatementTimeoutIsHonoured() throws {
        let db = try connect(try freshDatabase().conninfo)
        try db.setStatementTimeout(milliseconds: 200)
        XCTAssertThrowsError(try db.execute("SELECT pg_sleep(5)")) { error in
            XCTAssertEqual((error as? PostgresError)?.sqlState, PostgresError.queryCanceled)
        }
        XCTAssertTrue(db.isHealthy)
    }

    func testAdvisoryTryLockIsExclusiveAcrossSessions() throws {
        let database = try freshDatabase()
        let first = try connect(database.conninfo)
        let second = try connect(database.conninfo)
        XCTAssertTrue(try first.tryAdvisoryLock(42))
        XCTAssertFalse(try second.tryAdvisoryLock(42))
        let holders = try second.advisoryLockHolders(42)
        XCTAssertEqual(holders.map(\.pid), [Int64(first.backendPID)])
        try first.advisoryUnlock(42)
        XCTAssertTrue(try second.tryAdvisoryLock(42))
    }

    func testUnreachableServerIsAConnectionErrorWithoutThePassword() throws {
        let secret = "S3cret-unreachable-pw"
        XCTAssertThrowsError(try connect("host=/nonexistent/socket/dir port=5999 user=x password=\(secret) connect_timeout=2")) { error in
            let pgError = error as? PostgresError
            XCTAssertEqual(pgError?.kind, .connection)
            XCTAssertTrue(pgError?.isConnectionProblem == true)
            XCTAssertFalse(String(reflecting: pgError!).contains(secret))
        }
        XCTAssertThrowsError(try connect("postgresql://x:\(secret)@/db?host=/nonexistent&connect_timeout=2")) { error in
            XCTAssertFalse(String(reflecting: error).contains(secret))
        }
    }

    func testWrongPasswordErrorDoesNotContainIt() throws {
        let server = try DatabaseServer.forTests()
        guard let throwaway = server.throwaway else {
            throw XCTSkip("needs the throwaway server to require a password; SPEND_RECON_TEST_DB is set")
        }
        let admin = try connect(server.adminConninfo)
        let role = "sr_pw_check_\(getpid())"
        try admin.execute("SELECT set_config('password_encryption', 'scram-sha-256', false)")
        try admin.executeScript("CREATE ROLE \(try admin.quoteIdentifier(role)) LOGIN PASSWORD 'right-password'")
        // Require a password for this one role, ahead of the trust lines.
        let hba = throwaway.dataDirectory + "/pg_hba.conf"
        let original = try String(contentsOfFile: hba, encoding: .utf8)
        try ("local all \(role) scram-sha-256\n" + original).write(toFile: hba, atomically: false, encoding: .utf8)
        try admin.execute("SELECT pg_reload_conf()")
        Thread.sleep(forTimeInterval: 0.3)
        let wrong = "Wr0ng-pa55word-xyz"
        let conninfo = try Conninfo.replacing(["user": role, "password": wrong], in: server.adminConninfo)
        XCTAssertThrowsError(try connect(conninfo)) { error in
            let pgError = error as? PostgresError
            XCTAssertEqual(pgError?.kind, .connection)
            XCTAssertTrue(pgError?.message.contains("password authentication failed") == true, pgError?.message ?? "")
            XCTAssertFalse(String(reflecting: error).contains(wrong))
            XCTAssertFalse(String(describing: error).contains(wrong))
        }
    }

    func testNoticesGoToTheLogger() throws {
        let captured = CapturedLog()
        var logger = Logger(label: "notices") { _ in captured }
        logger.logLevel = .debug
        let db = try Connection(conninfo: try freshDatabase().conninfo, logger: logger)
        try db.executeScript("DO $$ BEGIN RAISE WARNING 'disk nearly full'; END $$")
        let warning = captured.entries.first { $0.message == "postgres notice" }
        XCTAssertEqual(warning?.level, .warning)
        XCTAssertEqual(warning?.metadata["notice"], "disk nearly full")
        XCTAssertEqual(warning?.metadata["sqlstate"], "01000")
    }
}

/// A log handler that keeps what it is given, for assertions.
final class CapturedLog: LogHandler, @unchecked Sendable {
    struct Entry {
        let level: Logger.Level
        let message: String
        let metadata: [String: String]
    }

    private let lock = NSLock()
    private var stored: [Entry] = []
    var entries: [Entry] { lock.withLock { stored } }
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let flat = (event.metadata ?? [:]).mapValues { "\($0)" }
        lock.withLock { stored.append(Entry(level: event.level, message: "\(event.message)", metadata: flat)) }
    }
}
