import Logging
import PGClient

/// Applies the pending `sql/NNN_*.sql` migrations in one transaction and records their versions.
public struct Migrator {
    let connection: Connection
    let logger: Logger

    public init(connection: Connection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Returns the versions it applied (empty when the database was already current). `through`
    /// stops at an older version: for tests of a migration's effect on existing rows.
    @discardableResult
    public func migrate(through target: Int = SQLFiles.latestVersion) throws -> [Int] {
        try connection.transaction {
            try connection.executeScript("""
                SET LOCAL client_min_messages = warning;
                CREATE SCHEMA IF NOT EXISTS recon;
                CREATE TABLE IF NOT EXISTS recon.schema_migrations (
                    version    integer PRIMARY KEY,
                    name       text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                );
                LOCK TABLE recon.schema_migrations IN EXCLUSIVE MODE;
                """)
            let recorded = try currentVersion()
            guard recorded <= SQLFiles.latestVersion else { throw Self.newer(recorded) }
            var applied: [Int] = []
            for migration in SQLFiles.migrations where migration.version > recorded && migration.version <= target {
                logger.info("applying migration", metadata: ["version": "\(migration.version)", "file": "\(migration.name)"])
                try connection.executeScript(migration.sql)
                try connection.execute("INSERT INTO recon.schema_migrations (version, name) VALUES ($1, $2)",
                                       [migration.version, migration.name])
                applied.append(migration.version)
            }
            return applied
        }
    }

    /// Every command but `migrate` starts here: a database without the `recon` schema, or at
    /// another schema version than this binary's, is refused (`ConfigurationError`, exit 78)
    /// before anything is read or written.
    public func requireCurrent() throws {
        let exists = try connection.execute("SELECT to_regclass('recon.schema_migrations') IS NOT NULL")[0].decode(0, as: Bool.self)
        guard exists else {
            throw ConfigurationError(problem: "the recon schema is missing (no recon.schema_migrations)", fix: ConfigurationError.migrate)
        }
        let recorded = try currentVersion()
        if recorded > SQLFiles.latestVersion { throw Self.newer(recorded) }
        guard recorded == SQLFiles.latestVersion else {
            throw ConfigurationError(problem: "the recon schema is at version \(recorded), this binary needs \(SQLFiles.latestVersion)",
                                     fix: ConfigurationError.migrate)
        }
    }

    static func newer(_ recorded: Int) -> ConfigurationError {
        ConfigurationError(problem: "the recon schema is at version \(recorded), newer than this binary knows (\(SQLFiles.latestVersion))",
                           fix: "upgrade spend-recon to the release that migrated it")
    }

    public func currentVersion() throws -> Int {
        try connection.execute("SELECT coalesce(max(version), 0) FROM recon.schema_migrations")[0].decode(0, as: Int.self)
    }

    /// Creates the test/demo `billing` tables of SPEC section 2 (a deployment brings its own).
    public func createBillingTables() throws {
        guard let sql = SQLFiles.named("billing_tables.sql") else { return }
        try connection.executeScript(sql)
    }
}
