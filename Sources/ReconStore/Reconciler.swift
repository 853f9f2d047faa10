import Exact
import Logging
import PGClient
import ReconRules

/// The nightly run: evaluates every subject that is not final as of `asOf` and writes the
/// decisions. One run at a time (advisory lock); every run is recorded in `recon.runs`.
///
/// It needs two connections: spend rows stream on `reader` while decision batches commit on
/// `connection` (which also holds the run lock) from a writer thread (`BackgroundWriter`), so
/// the database commits one batch while the next is read and evaluated; a statement sent on a
/// streaming connection would make libpq drop the rest of the stream.
///
/// With a `secondReader`, the spend read is dealt out over both readers and read at once
/// (`SplitSpendRead`): one `COPY` uses one server core, and a 2-core machine has two.
public struct Reconciler {
    let connection: Connection
    let reader: Connection
    let secondReader: Connection?
    let logger: Logger
    /// A second connection for decision batches, written at once with `connection`'s
    /// (`BackgroundWriter`).
    public var secondWriter: Connection?
    /// Subjects per write transaction, for subjects with a stored row; new subjects go
    /// `newSubjectBatchFactor` times as many to a transaction.
    public var batchSize = 2000
    /// New subjects (all of a first night's) are copied straight in, three `COPY`s a batch, and
    /// each `COPY` has a fixed cost on the server, so they go five times as many to a batch, for
    /// a little more memory held in the batches waiting to be written.
    public var newSubjectBatchFactor = 5
    /// Reads every row of the subjects' accounts instead of their spans only: for the test that
    /// shows the two give the same decisions.
    var readsWholeAccounts = false
    /// Reads every subject's facts on a later night too, not only the unsettled ones': for the
    /// test that shows the two give the same decisions.
    var readsEverySubject = false
    /// Called after each subject is evaluated with (done, total), for a progress display.
    public var progress: ((_ done: Int, _ total: Int) -> Void)?
    /// Set by a signal: the run stops before the next account, so at a batch boundary.
    public var stop: StopRequest?

    public init(connection: Connection, reader: Connection, secondReader: Connection? = nil, logger: Logger) {
        self.connection = connection
        self.reader = reader
        self.secondReader = secondReader
        self.logger = logger
    }

    public func run(asOf: Instant, dryRun: Bool = false) throws -> RunSummary {
        let lock = RunLock(connection: connection)
        let recorder = RunRecorder(connection: connection)
        if !dryRun {
            try lock.acquire()
        }
        defer { if !dryRun { lock.release() } }
        if !dryRun {
            try AsOfRefused.check(asOf, kind: "run", connection: connection)
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

    func evaluate(asOf: Instant, runID: Int64?, logger: Logger) throws -> RunSummary {
        let started = MonotonicClock.microseconds()
        var summary = RunSummary(runID: runID, kind: "run", asOf: asOf.iso8601, dryRun: runID == nil)
        let programs = try ProgramCatalog(connection: connection).load(only: nil)
        let (stored, facts) = try readFacts(asOf: asOf, programs: programs)
        try stop?.check()
        summary.skippedFinal = stored.count
        let writer = try runID.map { runID in
            BackgroundWriter(writers: try ([connection] + [secondWriter].compactMap { $0 }).map {
                try DecisionWriter(connection: $0, runID: runID)
            })
        }
        defer { writer?.abandon() }
        var batch: [Decision] = []
        var newSubjects: [Decision] = []
        var rejections: [Rejection] = []
        var credit: [Currency: Int64] = [:]
        var digestInput = DecisionDigest.Input()
        func flush() throws {
            guard let writer, !batch.isEmpty || !newSubjects.isEmpty || !rejections.isEmpty
            else { return }
            try writer.submit(batch, newSubjects: newSubjects, rejections: rejections)
            batch.removeAll(keepingCapacity: true)
            newSubjects.removeAll(keepingCapacity: true)
            rejections.removeAll()
        }
        let pass = try forEachDecision(asOf: asOf, programs: programs, facts: facts, held: stored, skipsFinal: true, logger: logger,
                                       standingObserved: { stored.open.row(program: $0.programID, key: .init($0))?.standingObserved ?? false },
                                       rejected: { rejections.append($0) }) { decision in
            summary.evaluated += 1
            summary.statuses[decision.status.rawValue, default: 0] += 1
            if decision.status == .granted, let tier = decision.tier {
                credit[tier.currency, default: 0] += tier.credit
            }
            switch stored.standing(of: decision.subject) {
            case .absent:
                newSubjects.append(decision)
            case let .open(row):
                // An open subject still pending exactly as stored (a pending decision has no
                // reasons, and the columns digested include its status) is left as it is:
                // rewriting it would only move `as_of` (docs/DECISIONS.md).
                if let digest = row.digest, decision.status == .pending, decision.reasons.isEmpty,
                   DecisionDigest(of: decision, using: &digestInput) == digest {
                    summary.unchanged += 1
                    return
                }
                batch.append(decision)
            case .final:
                // Never evaluated (final subjects are skipped); written, it would meet the
                // stored row rather than be inserted beside it.
                batch.append(decision)
            }
            if batch.count + newSubjects.count / max(newSubjectBatchFactor, 1) >= batchSize {
                try flush()
            }
        }
        try flush()
        if let writer {
            let (written, writeMicros) = try writer.finish()
            summary.written = written
            summary.writeMilliseconds = writeMicros / 1000
        }
        summary.rejectedRows = pass.rejectedRows
        summary.milliseconds = (MonotonicClock.microseconds() - started) / 1000
        summary.creditGranted = Dictionary(uniqueKeysWithValues: credit.map { ($0.key.code, $0.key.format($0.value)) })
        return summary
    }

    /// The stored keys (over `connection`) and the facts (over `reader`), read at once: on a
    /// later night these are most of the time before the first spend row (docs/PERFORMANCE.md).
    /// Once some subject is final (every night after the first), only the facts the unsettled
    /// subjects need are read (`FactReader+Unsettled`), in two steps around the stored keys.
    func readFacts(asOf: Instant, programs: [Program]) throws -> (StoredSubjects, Facts) {
        let factReader = FactReader(connection: reader, asOf: asOf)
        guard !readsEverySubject, try hasFinalSubjects() else {
            return try concurrently({ try self.loadStoredSubjects() }, {
                guard let secondReader else { return try factReader.readSubjects(programs: programs) }
                return try factReader.readSubjects(programs: programs,
                                                   accountsFrom: FactReader(connection: secondReader, asOf: asOf))
            })
        }
        guard let secondWriter, let secondReader else {
            let (stored, rows) = try concurrently({ try self.loadStoredSubjects() },
                                                  { try factReader.readSubjectRows(programs: programs) })
            let facts = try factReader.readUnsettledFacts(programs: programs, rows: rows) {
                stored.isFinal(program: $0, integrationID: $1)
            }
            return (stored, facts)
        }
        // Three branches: the open subjects, then their accounts read ahead (`AccountsReadAhead`);
        // the final keys; the integrations and codes, then (once the final keys are in) the
        // integrations the unsettled subjects need, found while the accounts are still coming.
        let ((open, readAhead), (final, rows, needed)) = try concurrently({
            let (open, accountIDs) = try StoredSubjects.loadOpenSubjects(secondWriter)
            return (open, try AccountsReadAhead(reading: accountIDs.sortedDistinct(),
                                                over: FactReader(connection: secondReader, asOf: asOf)))
        }, {
            let (final, rows) = try concurrently({ try StoredSubjects.loadFinalSubjects(self.connection) },
                                                 { try factReader.readSubjectRows(programs: programs) })
            let needed = FactReader.neededIntegrations(rows.integrations, programs: programs) {
                final.contains(program: $0, key: .integration($1))
            }
            return (final, rows, needed)
        })
        let facts = try factReader.readUnsettledFacts(programs: programs, rows: rows, needed: needed, readAhead: readAhead)
        return (StoredSubjects(final: final, open: open), facts)
    }

    /// Whether any stored subject is final: false on the first night, which reads every fact.
    func hasFinalSubjects() throws -> Bool {
        let result = try connection.execute("SELECT EXISTS (SELECT 1 FROM recon.subject_status WHERE final)")
        return try result.rows.first?.decode(0, as: Bool.self) ?? false
    }

    /// One evaluation pass as of `asOf`: every subject of every program (or of `programID`) not
    /// in `skipping`, handed to `body` account by account as its spend rows stream past. Each
    /// distinct rejected input row goes to `rejected` once.
    func forEachDecision(asOf: Instant, programID: String? = nil, logger: Logger,
                         rejected: (Rejection) throws -> Void, _ body: (consuming Decision) throws -> Void) throws -> (subjects: Int, rejectedRows: Int) {
        let programs = try ProgramCatalog(connection: connection).load(only: programID)
        let facts = try FactReader(connection: reader, asOf: asOf).readSubjects(programs: programs)
        var held = StoredSubjects()
        held.final.held = try StoredSubjects.loadHeldGrants(connection)
        let observed = try StoredSubjects.loadStandingObserved(connection)
        return try forEachDecision(asOf: asOf, programs: programs, facts: facts, held: held, logger: logger,
                                   standingObserved: { observed.contains(SubjectID($0.programID, $0.subjectKey)) },
                                   rejected: rejected, body)
    }

    /// The same pass over `facts` already read for `programs`.
    /// `held`: its final keys are skipped and its grants are held (`HeldGrants`);
    /// `standingObserved`: whether an earlier night saw the subject in good standing.
    func forEachDecision(asOf: Instant, programs: [Program], facts: consuming Facts, held stored: StoredSubjects = StoredSubjects(),
                         skipsFinal: Bool = false, logger: Logger, standingObserved: @escaping (SubjectWork) -> Bool = { _ in false },
                         rejected: (Rejection) throws -> Void,
                         _ body: (consuming Decision) throws -> Void) throws -> (subjects: Int, rejectedRows: Int) {
        var facts = facts
        let factReader = FactReader(connection: reader, asOf: asOf)
        var work = SubjectWork.byAccount(programs: programs, facts: facts, asOf: asOf, held: stored.final.held) {
            !skipsFinal || !stored.isFinal($0)
        }
        // The subjects hold what they need now; keep memory to one copy of each.
        facts.integrations = []
        facts.codes = []
        let total = work.remaining
        logger.info("evaluating", metadata: ["subjects": "\(total)", "accounts": "\(work.accountCount)",
                                             "final_skipped": "\(stored.count)"])
        var seen = Set<Rejection>()
        func reject(_ rejection: Rejection) throws {
            if seen.insert(rejection).inserted { try rejected(rejection) }
        }
        for rejection in facts.rejections { try reject(rejection) }
        facts.rejections = []

        var done = 0
        func evaluateAccount(_ accountID: Int64, rows: [SpendRow]) throws {
            // A stop request ends the pass here: the batch being built is dropped, whole.
            try stop?.check()
            guard let subjects = work.take(accountID), let account = facts.accounts.account(accountID) else { return }
            let enrollments = facts.enrollments[accountID] ?? []
            // In time order once per account: every evaluation (a final decision takes several)
            // then sums rows that are already in order, which the ledger's sort only verifies.
            let rows = SpendRow.inChronologicalOrder(rows)
            for subject in subjects {
                try body(try subject.evaluate(asOf: asOf, account: account, rows: rows, enrollments: enrollments,
                                              standingObserved: { standingObserved(subject) }))
                done += 1
                progress?(done, total)
            }
        }
        // Accounts arrive in ascending order. One with no row inside its span (or no span at all)
        // never arrives: it is evaluated with no spend as soon as the stream has passed it, so
        // that decisions (and the writer's batches) flow at an even pace rather than piling up
        // after the last row.
        let accountIDs = work.accountIDs
        var passed = 0
        var lastStreamed: Int64?
        func evaluateRowless(below bound: Int64?) throws {
            while passed < accountIDs.count, bound.map({ accountIDs[passed] < $0 }) ?? true {
                try evaluateAccount(accountIDs[passed], rows: [])
                passed += 1
            }
        }
        func evaluateStreamed(_ accountID: Int64, rows: [SpendRow]) throws {
            // A second piece of an account would find its subjects taken and be lost: never.
            if let lastStreamed, accountID <= lastStreamed {
                throw SpendOrderError(accountID: accountID, after: lastStreamed)
            }
            lastStreamed = accountID
            try evaluateRowless(below: accountID)
            try evaluateAccount(accountID, rows: rows)
        }
        let spans = work.spans(asOf: asOf, accounts: facts.accounts)
        logger.debug("reading spend", metadata: ["accounts_read": "\(spans.count)", "accounts": "\(work.accountCount)"])
        if let secondReader, !readsWholeAccounts, spans.count > 1 {
            var split = SplitSpendRead(readers: [factReader, FactReader(connection: secondReader, asOf: asOf)],
                                       accounts: facts.accounts)
            split.knownAccounts = facts.knownAccounts
            try split.stream(spans, reject: reject, body: evaluateStreamed)
        } else {
            let selection = readsWholeAccounts ? SpendSelection.wholeAccounts(work.untakenAccountIDs) : .spans(spans)
            try factReader.streamSpend(accounts: facts.accounts, knownAccounts: facts.knownAccounts, selection,
                                       reject: { rejection, _ in try reject(rejection) }, body: evaluateStreamed)
        }
        try evaluateRowless(below: nil)
        return (total, seen.count)
    }

    /// The spans the run as of `asOf` would read, and how many accounts are known: for
    /// `spend-recon bench --plans`.
    public func plannedSpans(asOf: Instant) throws -> (spans: [AccountSpan], knownAccounts: Int) {
        let programs = try ProgramCatalog(connection: connection).load(only: nil)
        let facts = try FactReader(connection: reader, asOf: asOf).readSubjects(programs: programs)
        let stored = try loadStoredSubjects()
        let work = SubjectWork.byAccount(programs: programs, facts: facts, asOf: asOf, held: stored.final.held) {
            !stored.isFinal($0)
        }
        return (work.spans(asOf: asOf, accounts: facts.accounts), facts.accounts.count)
    }

    /// A subject within its program: the key of `recon.subject_status`.
    struct SubjectID: Hashable {
        let program: String
        let subject: String
        init(_ program: String, _ subject: String) {
            self.program = program
            self.subject = subject
        }
    }

    /// The stored subjects: the final ones' keys on `connection` and, at the same time on the
    /// second write connection when there is one, the open ones' decisions.
    func loadStoredSubjects() throws -> StoredSubjects {
        guard let secondWriter else {
            return StoredSubjects(final: try StoredSubjects.loadFinalSubjects(connection), open: try StoredSubjects.loadOpenSubjects(connection).open)
        }
        let (final, (open, _)) = try concurrently({ try StoredSubjects.loadFinalSubjects(self.connection) },
                                                  { try StoredSubjects.loadOpenSubjects(secondWriter) })
        return StoredSubjects(final: final, open: open)
    }

}
