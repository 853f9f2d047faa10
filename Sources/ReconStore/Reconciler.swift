import Exact
import Logging
import PGClient
import ReconRules

/// The nightly run: evaluates every subject that is not final as of `asOf` and writes the
/// decisions. One run at a time (advisory lock); every run is recorded in `recon.runs`.
///
/// A night is a pipeline, each stage with one owner: load (`NightLoader`: programs, stored
/// subjects, facts) → plan (`LoadedNight.pass`: the subjects by account and the spans to read)
/// → stream (`SpendStream`: spend rows in account order) → evaluate (`EvaluationPass`, pure)
/// → write (`NightWriter` into `BackgroundWriter`: batches committed on the recon connections
/// while the next accounts are read, each grant's outbox entry with it) → settle (`Settler`:
/// the outbox entries whose applications or due date changed, against what the crediting
/// system applied). docs/ARCHITECTURE.md follows a night through them.
public struct Reconciler {
    let connections: NightConnections
    let logger: Logger
    /// Subjects per write transaction, for subjects with a stored row; new subjects go
    /// `newSubjectBatchFactor` times as many to a transaction (`NightWriter`).
    public var batchSize = 2000
    public var newSubjectBatchFactor = 5
    /// Called after each subject is evaluated with (done, total), for a progress display.
    public var progress: ((_ done: Int, _ total: Int) -> Void)?
    /// Set by a signal: the run stops before the next account, so at a batch boundary.
    public var stop: StopRequest?

    public init(connections: NightConnections, logger: Logger) {
        self.connections = connections
        self.logger = logger
    }

    public func run(asOf: Instant, dryRun: Bool = false) throws -> RunSummary {
        let control = connections.control
        let lock = RunLock(connection: control)
        let recorder = RunRecorder(connection: control)
        if !dryRun {
            try lock.acquire()
        }
        defer { if !dryRun { lock.release() } }
        if !dryRun {
            try AsOfRefused.check(asOf, kind: "run", connection: control)
            let abandoned = try recorder.abandonStale()
            if abandoned > 0 { logger.warning("marked runs abandoned", metadata: ["count": "\(abandoned)"]) }
        }
        let runID = dryRun ? nil : try recorder.start(kind: "run", asOf: asOf)
        var runLogger = logger
        runLogger[metadataKey: "run_id"] = "\(runID.map(String.init) ?? "dry-run")"
        do {
            let summary = try evaluate(asOf: asOf, runID: runID, logger: runLogger)
            if let runID { try recorder.finish(runID, summary: summary) }
            runLogger.info("run finished", metadata: ["evaluated": "\(summary.evaluated)", "written": "\(summary.written)",
                                                      "unchanged": "\(summary.unchanged)",
                                                      "rejected_rows": "\(summary.rejectedRows)", "ms": "\(summary.milliseconds)",
                                                      "write_ms": "\(summary.writeMilliseconds)"])
            return summary
        } catch {
            if let runID { recorder.end(runID, after: error) }
            throw error
        }
    }

    /// Load → plan → stream → evaluate → write, as of `asOf`; `runID` nil is a dry run.
    func evaluate(asOf: Instant, runID: Int64?, logger: Logger) throws -> RunSummary {
        let started = MonotonicClock.microseconds()
        let night = try NightLoader(connections: connections, asOf: asOf).loadNight()
        try stop?.check()
        var summary = RunSummary(runID: runID, kind: "run", asOf: asOf.iso8601, dryRun: runID == nil)
        summary.skippedFinal = night.finalSkipped
        let stored = night.stored
        var pass = night.pass(asOf: asOf)
        pass.checkpoint = { [stop] in try stop?.check() }
        pass.progress = progress
        logger.info("evaluating", metadata: ["subjects": "\(pass.total)", "accounts": "\(pass.accountCount)",
                                             "final_skipped": "\(summary.skippedFinal)"])
        let background = try runID.map { runID in
            BackgroundWriter(writers: try connections.recon.map { try DecisionWriter(connection: $0, runID: runID, asOf: asOf) })
        }
        defer { background?.abandon() }
        var writer = NightWriter(writer: background, stored: stored, summary: summary,
                                 batchSize: batchSize, newSubjectFactor: newSubjectBatchFactor)
        let counts = try SpendStream(readers: connections.readers(asOf: asOf)).feed(&pass, into: &writer)
        summary = try writer.finish()
        summary.rejectedRows = counts.rejectedRows
        try stop?.check()
        let settlement = try Settler(reader: connections.billing[0], writer: connections.control, runID: runID, asOf: asOf,
                                     stop: stop).settle()
        summary.settlement = settlement
        summary.rejectedRows += settlement.rejectedApplications
        summary.milliseconds = (MonotonicClock.microseconds() - started) / 1000
        return summary
    }

    /// The spans the run as of `asOf` would read, and how many accounts are known: for
    /// `spend-recon-bench --plans`.
    public func plannedSpans(asOf: Instant) throws -> (spans: [AccountSpan], knownAccounts: Int) {
        let night = try NightLoader(connections: connections, asOf: asOf).loadNight()
        let known = night.facts.knownAccounts ?? night.facts.accounts.count
        return (night.pass(asOf: asOf).spans, known)
    }
}
