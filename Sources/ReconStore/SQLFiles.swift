/// The project's SQL files, embedded at build time from `sql/` by the EmbedSQL plugin.
public enum SQLFiles {
    /// A numbered migration: `sql/NNN_name.sql`.
    public struct Migration: Sendable {
        public let version: Int
        public let name: String
        public let sql: String
    }

    /// Every `NNN_*.sql` file in version order.
    public static let migrations: [Migration] = EmbeddedSQL.files.compactMap { file in
        let prefix = file.name.prefix { $0.isNumber }
        guard prefix.count == 3, let version = Int(prefix) else { return nil }
        return Migration(version: version, name: file.name, sql: file.text)
    }.sorted { $0.version < $1.version }

    /// Another file by name, e.g. `billing_tables.sql` or `roles.sql`.
    public static func named(_ name: String) -> String? {
        EmbeddedSQL.files.first { $0.name == name }?.text
    }

    public static var latestVersion: Int { migrations.last?.version ?? 0 }
}
