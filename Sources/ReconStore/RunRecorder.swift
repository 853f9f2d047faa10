import Exact
import Foundation
import PGClient

/// `recon.runs`: one row per run, written outside the decision transactions so that a failed
/// or killed run still leaves its record.
public struct RunRecorder {
    let connection: Connection

    public init(connection: Connection) { self.connection = connection }

    /// Runs left `running` by a process that died: only called while holding the run lock, so
    /// none of them can still be alive.
    @discardableResult
    public func abandonStale() throws -> Int {
        try connection.execute("""
            UPDATE recon.runs SET status = 'abandoned', finished_at = clock_timestamp(),
                   error = 'the process ended without finishing the run'
            WHERE status = 'running'
            """).affectedRows
    }

    public func start(kind: String, asOf: Instant, from: Instant? = nil, to: Instant? = nil, programID: String? = nil) throws -> Int64 {
        try connection.execute("""
            INSERT INTO recon.runs (kind, as_of, range_from, range_to, program_id, status, host, pid, backend_pid)
            VALUES ($1, $2, $3, $4, $5, 'running', $6, $7, $8) RETURNING run_id
            """, [kind, asOf, from, to, programID, ProcessInfo.processInfo.hostName, Int(getpid()), Int(connection.backendPID)])[0]
            .decode(0, as: Int64.self)
    }

    public func finish(_ runID: Int64, summary: RunSummary) throws {
        try connection.execute("""
            UPDATE recon.runs SET status = 'succeeded', finished_at = clock_timestamp(), evaluated = $2, granted = $3,
                   pending = $4, not_reached = $5, ineligible = $6, rejected_rows = $7, written = $8
            WHERE run_id = $1
            """, [runID, summary.evaluated, summary.count(.granted), summary.count(.pending),
                  summary.count(.thresholdNotReached), summary.count(.ineligible), summary.rejectedRows, summary.written])
    }

    /// Marks the run `cancelled`: stopped on request (`StopRequest`) at a batch boundary.
    public func cancel(_ runID: Int64, _ cancelled: RunCancelled) {
        do {
            try connection.execute("""
                UPDATE recon.runs SET status = 'cancelled', finished_at = clock_timestamp(), error = $2 WHERE run_id = $1
                """, [runID, cancelled.description])
        } catch {
            connection.logger.warning("could not record the run as cancelled", metadata: ["run_id": "\(runID)"])
        }
    }

    /// Ends the run's record after `error`: `cancelled` for a requested stop, else `failed`.
    public func end(_ runID: Int64, after error: Error) {
        if let cancelled = error as? RunCancelled { cancel(runID, cancelled) } else { fail(runID, error: error) }
    }

    /// Marks the run failed with a description that carries no row data and no password. When
    /// the server ended the session (terminated backend, restart), it reconnects once to say so;
    /// if even that fails, the next run marks the record abandoned.
    public func fail(_ runID: Int64, error: Error) {
        let mark = {
            _ = try self.connection.execute("""
                UPDATE recon.runs SET status = 'failed', finished_at = clock_timestamp(), error = $2 WHERE run_id = $1
                """, [runID, String(describing: error)])
        }
        do {
            try mark()
        } catch {
            guard !connection.isHealthy || (error as? PostgresError)?.isConnectionProblem == true else { return }
            do {
                try connection.reset()
                try mark()
            } catch {
                connection.logger.warning("could not record the run as failed", metadata: ["run_id": "\(runID)"])
            }
        }
    }
}
