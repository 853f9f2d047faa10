import Logging
import PGClient

/// Applies the pending `sql/NNN_*.sql` migrations in one transaction and records their versions.
public struct Migrator {
    public enum Failure: Error, CustomStringConvertible {
        /// The database was migrated by a newer spend-recon than this one.
        case databaseIsNewer(recorded: Int, known: Int)

        public var description: String {
            switch self {
            case let .databaseIsNewer(recorded, known):
                return "the database is at schema version \(recorded), newer than this binary knows (\(known)); upgrade spend-recon"
            }
        }
    }

    let connection: Connection
    let logger: Logger

    public init(connection: Connection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Returns the versions it applied (empty when the database was already current).
    @discardableResult
    public func migrate() throws -> [Int] {
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
            guard recorded <= SQLFiles.latestVersion else {
                throw Failure.databaseIsNewer(recorded: recorded, known: SQLFiles.latestVersion)
            }
            var applied: [Int] = []
            for migration in SQLFiles.migrations where migration.version > recorded {
                logger.info("applying migration", metadata: ["version": "\(migration.version)", "file": "\(migration.name)"])
                try connection.executeScript(migration.sql)
                try connection.execute("INSERT INTO recon.schema_migrations (version, name) VALUES ($1, $2)",
                                       [migration.version, migration.name])
                applied.append(migration.version)
            }
            return applied
        }
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
