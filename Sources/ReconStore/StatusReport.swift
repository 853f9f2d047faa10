import Exact
import Logging
import PGClient

/// `spend-recon status`: what an operator checks first, read from `recon` in a few statements:
/// the schema version, the last runs with status and duration, runs that did not finish
/// (abandoned or cancelled), open discrepancies, and rejected rows by problem, new (first seen
/// by the last run) against known.
public struct StatusReport: Codable, Sendable {
    public struct RunLine: Codable, Sendable {
        public var runID: Int64
        public var kind: String
        public var status: String
        public var asOf: String
        public var startedAt: String
        /// Wall time; nil while running.
        public var seconds: String?
        public var evaluated: Int
        public var written: Int
        public var error: String?
    }

    public struct ProblemLine: Codable, Sendable {
        public var table: String
        public var problem: String
        /// First seen by the most recent run of any kind.
        public var new: Int
        public var known: Int
    }

    public var schemaVersion: Int
    public var binarySchemaVersion: Int
    public var runs: [RunLine]
    /// Runs abandoned or cancelled in the last 30 days, newest first.
    public var unfinished: [RunLine]
    public var openDiscrepancies: Int
    public var rejectedRows: [ProblemLine]

    /// Reads it; `runs` is how many of the latest runs to list.
    public static func read(_ connection: Connection, runs: Int) throws -> StatusReport {
        let version = try Migrator(connection: connection, logger: .init(label: "status")).currentVersion()
        let columns = """
            run_id, kind, status, as_of, started_at,
            to_char(extract(epoch FROM finished_at - started_at), 'FM999999990.00'), evaluated, written, error
            """
        func lines(_ sql: String, _ parameters: [PostgresEncodable?]) throws -> [RunLine] {
            try connection.execute(sql, parameters).rows.map { row in
                RunLine(runID: try row.decode(0), kind: try row.decode(1), status: try row.decode(2),
                        asOf: try row.decode(3, as: Instant.self).iso8601, startedAt: try row.decode(4, as: Instant.self).iso8601,
                        seconds: try row.decodeIfPresent(5), evaluated: try row.decode(6), written: try row.decode(7),
                        error: try row.decodeIfPresent(8))
            }
        }
        let latest = try lines("SELECT \(columns) FROM recon.runs ORDER BY run_id DESC LIMIT $1", [runs])
        let unfinished = try lines("""
            SELECT \(columns) FROM recon.runs
            WHERE status IN ('abandoned', 'cancelled') AND started_at > now() - interval '30 days'
            ORDER BY run_id DESC
            """, [])
        let open = try DiscrepancyBook(connection: connection).openCount()
        let problems = try connection.execute("""
            WITH latest AS (SELECT max(run_id) AS run_id FROM recon.runs)
            SELECT r.source_table, r.problem,
                   count(*) FILTER (WHERE r.first_run_id = l.run_id)::int8,
                   count(*) FILTER (WHERE r.first_run_id IS DISTINCT FROM l.run_id)::int8
            FROM recon.rejected_rows r CROSS JOIN latest l GROUP BY 1, 2 ORDER BY 1, 2
            """).rows.map { row in
            ProblemLine(table: try row.decode(0), problem: try row.decode(1), new: try row.decode(2, as: Int.self),
                        known: try row.decode(3, as: Int.self))
        }
        return StatusReport(schemaVersion: version, binarySchemaVersion: SQLFiles.latestVersion, runs: latest,
                            unfinished: unfinished, openDiscrepancies: open, rejectedRows: problems)
    }
}
