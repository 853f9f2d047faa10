import Foundation
import Logging
import PGClient

/// A server to create databases on: a throwaway one, or the one `SPEND_RECON_TEST_DB` names.
/// Its one mutable field (`counter`) is used only under `lock`: hence `@unchecked Sendable`.
public final class DatabaseServer: @unchecked Sendable {
    /// Superuser (or CREATEDB) connection settings for the server's maintenance database.
    public let adminConninfo: String
    public let throwaway: ThrowawayPostgres?
    private let logger: Logger
    private let lock = NSLock()
    private var counter = 0

    public init(adminConninfo: String, throwaway: ThrowawayPostgres?, logger: Logger) {
        self.adminConninfo = adminConninfo
        self.throwaway = throwaway
        self.logger = logger
    }

    /// The test suite's server, started once per process: `SPEND_RECON_TEST_DB` if set, else a
    /// throwaway server stopped at exit.
    public static func forTests() throws -> DatabaseServer {
        try testServerLock.withLock {
            if let existing = testServer { return existing }
            var logger = Logger(label: "spend-recon.test-server")
            logger.logLevel = .warning
            let server: DatabaseServer
            if let conninfo = ProcessInfo.processInfo.environment["SPEND_RECON_TEST_DB"], !conninfo.isEmpty {
                server = DatabaseServer(adminConninfo: conninfo, throwaway: nil, logger: logger)
            } else {
                let throwaway = try ThrowawayPostgres(logger: logger)
                server = DatabaseServer(adminConninfo: throwaway.conninfo(), throwaway: throwaway, logger: logger)
            }
            testServer = server
            return server
        }
    }

    /// Creates an empty database (optionally a copy of `template`) and returns its conninfo.
    /// Names are generated here (`sr_<pid>_<n>_<label>`), never taken from outside.
    public func createDatabase(label: String, template: String? = nil) throws -> (name: String, conninfo: String) {
        let safeLabel = String(label.lowercased().unicodeScalars.filter { ("a"..."z").contains($0) || ("0"..."9").contains($0) }.prefix(30).map(Character.init))
        let name = lock.withLock { () -> String in
            counter += 1
            return "sr_\(getpid())_\(counter)_\(safeLabel)"
        }
        let admin = try Connection(conninfo: adminConninfo, logger: logger)
        var sql = "CREATE DATABASE \(try admin.quoteIdentifier(name))"
        if let template { sql += " TEMPLATE \(try admin.quoteIdentifier(template))" }
        try admin.execute(sql)
        return (name, try Conninfo.replacing(["dbname": name], in: adminConninfo))
    }

    public func dropDatabase(_ name: String) throws {
        let admin = try Connection(conninfo: adminConninfo, logger: logger)
        try admin.execute("DROP DATABASE IF EXISTS \(try admin.quoteIdentifier(name)) WITH (FORCE)")
    }
}

private let testServerLock = NSLock()
/// Read and written only under `testServerLock`.
nonisolated(unsafe) private var testServer: DatabaseServer?
