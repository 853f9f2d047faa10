import Exact
import Logging
import PGClient
import ReconRules

/// `spend-recon audit`: validates every visible row of `billing` as of an instant, the same
/// checks as the nightly run, and records the rows that break the input contract in
/// `recon.rejected_rows` (first sighting only); and checks that every subject stored `granted`
/// has its grant row. It decides nothing.
///
/// The nightly run reads only the rows its rules can look at (`SpendSpan`), so a bad row that
/// can change no decision (a row of an account without a subject, an unknown account, a row
/// far outside every window) is found here: a data-quality sweep for billing, run on its own
/// schedule (the README's runbook suggests weekly).
public struct Auditor {
    let connection: Connection
    let reader: Connection
    let logger: Logger
    /// Rejections per insert statement.
    var batchSize = 10_000
    /// Set by a signal: the audit stops between its reads and its batches of inserts.
    public var stop: StopRequest?

    public init(connection: Connection, reader: Connection, logger: Logger) {
        self.connection = connection
        self.reader = reader
        self.logger = logger
    }

    public func run(asOf: Instant) throws -> RunSummary {
        let lock = RunLock(connection: connection)
        try lock.acquire()
        defer { lock.release() }
        let recorder = RunRecorder(connection: connection)
        let runID = try recorder.start(kind: "audit", asOf: asOf)
        let started = MonotonicClock.microseconds()
        do {
            var summary = RunSummary(runID: runID, kind: "audit", asOf: asOf.iso8601, dryRun: false)
            let programs = try ProgramCatalog(connection: connection).load()
            let factReader = FactReader(connection: reader, asOf: asOf)
            var facts = try factReader.readSubjects(programs: programs)
            var seen = Set(facts.rejections)
            facts.integrations = []
            facts.codes = []
            try stop?.check()
            try factReader.streamSpend(accounts: facts.accounts, .everything,
                                       reject: { rejection, _ in seen.insert(rejection) }, body: { _, _ in try stop?.check() })
            try stop?.check()
            let writer = try DecisionWriter(connection: connection, runID: runID, asOf: asOf)
            let rejections = Array(seen)
            for start in stride(from: 0, to: rejections.count, by: batchSize) {
                try stop?.check()
                try writer.record(Array(rejections[start..<min(start + batchSize, rejections.count)]))
            }
            summary.rejectedRows = rejections.count
            summary.grantedWithoutGrant = try grantedWithoutGrant()
            if !summary.grantedWithoutGrant.isEmpty {
                logger.error("granted subjects without a grant row", metadata: [
                    "count": "\(summary.grantedWithoutGrant.count)",
                    "subjects": "\(summary.grantedWithoutGrant.prefix(20).joined(separator: ","))"])
            }
            summary.milliseconds = (MonotonicClock.microseconds() - started) / 1000
            try recorder.finish(runID, summary: summary)
            logger.info("audit finished", metadata: ["rejected_rows": "\(summary.rejectedRows)", "ms": "\(summary.milliseconds)"])
            return summary
        } catch {
            recorder.end(runID, after: error)
            throw error
        }
    }

    /// `program_id subject_key` of every subject stored `granted` whose grant row is missing.
    func grantedWithoutGrant() throws -> [String] {
        try connection.execute("""
            SELECT s.program_id || ' ' || s.subject_key FROM recon.subject_status s
            WHERE s.status = 'granted'
              AND NOT EXISTS (SELECT FROM recon.credit_grants g
                              WHERE g.program_id = s.program_id AND g.subject_key = s.subject_key)
            ORDER BY 1
            """).rows.map { try $0.decode(0, as: String.self) }
    }
}
