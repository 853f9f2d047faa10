import Exact
import Logging
import PGClient
import ReconRules

/// `spend-recon rerun`: re-evaluates the subjects whose window ends, or whose decision fell, in
/// `[from, to)`, final or not, and reconciles them with what was decided before.
///
/// Same outcome (status, tier, reasons) → nothing written. A granted subject that now reaches a
/// higher tier → an adjustment with the credit delta (the original grant stays). A granted
/// subject that now reaches a lower tier or none, or is now ineligible → a discrepancy for a
/// human, and nothing else changes: no clawback. A subject without a grant simply takes its new
/// decision (a late payment can turn `threshold_not_reached` into a grant).
public struct Rerunner {
    let connections: NightConnections
    let logger: Logger
    var connection: Connection { connections.control }
    /// Called after each subject is evaluated with (done, total), for a progress display.
    public var progress: ((_ done: Int, _ total: Int) -> Void)?
    /// Set by a signal: the rerun stops before the next account or before it writes.
    public var stop: StopRequest?

    /// `connection` holds the lock, reads what is stored and writes; `reader` reads `billing`.
    public init(connection: Connection, reader: Connection, logger: Logger) {
        connections = NightConnections(recon: [connection], billing: [reader])
        self.logger = logger
    }

    /// What was decided before, for one subject.
    struct Stored {
        var status: String
        var tier: Int?
        var credit: String?
        var reasons: [String]
        var grantID: Int64?
        /// The discrepancies already filed for it, as `found_status|found_tier|found_reasons`:
        /// the same finding is not filed, nor counted, twice.
        var filed: Set<String> = []
    }

    public func rerun(from: Instant, to: Instant, asOf: Instant, programID: String? = nil, dryRun: Bool = false) throws -> RerunSummary {
        let lock = RunLock(connection: connection)
        let recorder = RunRecorder(connection: connection)
        if !dryRun {
            try lock.acquire()
        }
        defer { if !dryRun { lock.release() } }
        if !dryRun {
            try AsOfRefused.check(asOf, kind: "rerun", connection: connection)
            try recorder.abandonStale()
        }
        let runID = dryRun ? nil : try recorder.start(kind: "rerun", asOf: asOf, from: from, to: to, programID: programID)
        var logger = self.logger
        logger[metadataKey: "run_id"] = "\(runID.map(String.init) ?? "dry-run")"
        do {
            let summary = try reconcile(from: from, to: to, asOf: asOf, programID: programID, runID: runID, logger: logger)
            if let runID {
                var counts = RunSummary(runID: runID, kind: "rerun", asOf: asOf.iso8601, dryRun: false)
                counts.evaluated = summary.evaluated
                counts.statuses = summary.statuses
                counts.rejectedRows = summary.rejectedRows
                counts.written = summary.written
                try recorder.finish(runID, summary: counts)
            }
            return summary
        } catch {
            if let runID { recorder.end(runID, after: error) }
            throw error
        }
    }

    func reconcile(from: Instant, to: Instant, asOf: Instant, programID: String?, runID: Int64?, logger: Logger) throws -> RerunSummary {
        var summary = RerunSummary(runID: runID, asOf: asOf.iso8601, from: from.iso8601, to: to.iso8601, programID: programID,
                                   dryRun: runID == nil)
        func inRange(_ instant: Instant?) -> Bool { instant.map { from <= $0 && $0 < to } ?? false }
        let storedInRange = try keysInRange(from: from, to: to, programID: programID)
        let night = try NightLoader(connections: connections, asOf: asOf).loadEverySubject(programID: programID)
        var pass = night.pass(asOf: asOf)
        pass.checkpoint = { [stop] in try stop?.check() }
        pass.progress = progress
        logger.info("evaluating", metadata: ["subjects": "\(pass.total)", "accounts": "\(pass.accountCount)"])
        var found = Candidates { decision in
            inRange(decision.window?.end) || inRange(decision.decidedAt)
                || storedInRange.contains(SubjectID(decision.subject.programID, decision.subject.key))
        }
        let counts = try SpendStream(readers: connections.readers(asOf: asOf)).feed(&pass, into: &found)
        let (candidates, rejections) = (found.decisions, found.rejections)
        summary.rejectedRows = counts.rejectedRows
        summary.evaluated = candidates.count
        let stored = try loadStored(candidates)

        var updates: [Decision] = []
        var adjustments: [(Decision, Stored, Int64)] = []
        var discrepancies: [(Decision, Stored)] = []
        var creditDelta: [Currency: Int64] = [:]
        for decision in candidates {
            summary.statuses[decision.status.rawValue, default: 0] += 1
            let key = SubjectID(decision.subject.programID, decision.subject.key)
            let newTier = decision.status == .granted ? decision.tier : nil
            let newReasons = decision.reasons.map(\.rawValue).sorted()
            guard let before = stored[key] else {
                updates.append(decision)
                summary.differences.append(.init(decision, before: "not evaluated", delta: nil, action: "update"))
                continue
            }
            if before.status == decision.status.rawValue, before.tier == newTier?.level, before.reasons == newReasons {
                // A grant that an earlier rival, loaded after it, would now outrank: the grant
                // stays, and a human looks at it once (`Decision.rankedBehind`).
                if before.grantID != nil, !decision.rankedBehind.isEmpty,
                   !before.filed.contains(Self.finding(decision, reasons: decision.rankedBehind)) {
                    discrepancies.append((decision, before))
                    summary.differences.append(.init(decision, before: before.describe, delta: nil, action: "discrepancy"))
                    continue
                }
                summary.unchanged += 1
                continue
            }
            if let grantID = before.grantID {
                let beforeCredit = before.credit.flatMap { try? ExactDecimal(parsing: $0).minorUnits(exponent: decision.currency.exponent) } ?? 0
                if let newTier, newTier.level > (before.tier ?? 0) {
                    let delta = newTier.credit - beforeCredit
                    creditDelta[decision.currency, default: 0] += delta
                    adjustments.append((decision, before, grantID))
                    summary.differences.append(.init(decision, before: before.describe, delta: decision.currency.format(delta), action: "adjustment"))
                    // The higher tier is the holder's; an earlier rival is still filed for review.
                    if !decision.rankedBehind.isEmpty, !before.filed.contains(Self.finding(decision, reasons: decision.rankedBehind)) {
                        discrepancies.append((decision, before))
                        summary.differences.append(.init(decision, before: before.describe, delta: nil, action: "discrepancy"))
                    }
                } else if before.filed.contains(Self.finding(decision, reasons: decision.reasons)) {
                    summary.unchanged += 1
                } else {
                    discrepancies.append((decision, before))
                    summary.differences.append(.init(decision, before: before.describe, delta: nil, action: "discrepancy"))
                }
            } else {
                updates.append(decision)
                summary.differences.append(.init(decision, before: before.describe, delta: nil, action: "update"))
            }
        }
        summary.adjustments = adjustments.count
        summary.discrepancies = discrepancies.count
        summary.updated = updates.count
        summary.creditDelta = Dictionary(uniqueKeysWithValues: creditDelta.map { ($0.key.code, $0.key.format($0.value)) })
        let alreadyOpen = try DiscrepancyBook(connection: connection).openCount()
        summary.openDiscrepancies = alreadyOpen + discrepancies.count

        guard let runID else {
            summary.settlement = try settle(asOf: asOf, runID: nil)
            return summary
        }
        try stop?.check()
        let writer = try DecisionWriter(connection: connection, runID: runID, asOf: asOf)
        var reviewRows = 0
        let subjectRows = try writer.write(WriteBatch(decisions: updates + adjustments.map(\.0), rejections: rejections)) {
            var adjustmentIDs: [Int64] = []
            for (decision, before, grantID) in adjustments {
                let tier = decision.tier!
                let inserted = try connection.execute("""
                    INSERT INTO recon.adjustments (program_id, subject_key, grant_id, from_tier, to_tier, currency,
                        credit_delta, qualifying_spend, reached_at, run_id)
                    VALUES ($1, $2, $3, $4, $5, $6, $7::numeric - $8::numeric, $9, $10, $11)
                    ON CONFLICT DO NOTHING
                    RETURNING adjustment_id
                    """, [decision.subject.programID, decision.subject.key, grantID, before.tier ?? 0, tier.level,
                          decision.currency.code, decision.currency.format(tier.credit), before.credit ?? "0",
                          decision.currency.format(decision.spend.qualifying), decision.reachedAt, runID])
                reviewRows += inserted.rowCount
                adjustmentIDs += try inserted.rows.map { try $0.decode(0, as: Int64.self) }
            }
            for (decision, before) in discrepancies {
                reviewRows += try connection.execute("""
                    INSERT INTO recon.discrepancies (program_id, subject_key, grant_id, granted_tier, found_status,
                        found_tier, found_reasons, run_id)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                    ON CONFLICT DO NOTHING
                    """, [decision.subject.programID, decision.subject.key, before.grantID, before.tier,
                          decision.status.rawValue, decision.status == .granted ? decision.tier?.level : nil,
                          Self.foundReasons(decision), runID]).affectedRows
            }
            return adjustmentIDs
        }
        summary.written = subjectRows.rows + reviewRows
        summary.settlement = try settle(asOf: asOf, runID: runID)
        return summary
    }

    /// The settlement stage, after the rerun's writes (its adjustments are entries too).
    private func settle(asOf: Instant, runID: Int64?) throws -> SettlementSummary {
        try stop?.check()
        return try Settler(reader: connections.billing[0], writer: connection, runID: runID, asOf: asOf, everyEntry: true,
                           stop: stop).settle()
    }

    /// What a discrepancy records as found: the decision's reasons, or for a grant that an
    /// earlier rival now outranks, the reasons the ranking alone would give it.
    static func foundReasons(_ decision: Decision) -> String {
        (decision.status == .granted ? decision.rankedBehind : decision.reasons).map(\.rawValue).joined(separator: ";")
    }

    /// A discrepancy's identity (`discrepancies_once`): status, tier and reasons found.
    static func finding(_ decision: Decision, reasons: [Reason]) -> String {
        let tier = decision.status == .granted ? decision.tier?.level ?? 0 : 0
        return "\(decision.status.rawValue)|\(tier)|\(reasons.map(\.rawValue).joined(separator: ";"))"
    }

    func keysInRange(from: Instant, to: Instant, programID: String?) throws -> Set<SubjectID> {
        var keys = Set<SubjectID>()
        try connection.stream("""
            SELECT program_id, subject_key FROM recon.subject_status
            WHERE ((window_end >= $1 AND window_end < $2) OR (decided_at >= $1 AND decided_at < $2))
              AND ($3::text IS NULL OR program_id = $3)
            """, [from, to, programID]) { row in
            keys.insert(SubjectID(try row.decode(0), try row.decode(1)))
        }
        return keys
    }

    func loadStored(_ decisions: [Decision]) throws -> [SubjectID: Stored] {
        var stored: [SubjectID: Stored] = [:]
        guard !decisions.isEmpty else { return stored }
        try connection.stream("""
            SELECT s.program_id, s.subject_key, s.status, s.tier, s.credit::text,
                   coalesce((SELECT array_agg(r.reason ORDER BY r.reason) FROM recon.ineligibility_reasons r
                             WHERE r.program_id = s.program_id AND r.subject_key = s.subject_key), '{}'),
                   g.grant_id,
                   coalesce((SELECT array_agg(d.found_status || '|' || coalesce(d.found_tier, 0) || '|' || d.found_reasons)
                             FROM recon.discrepancies d
                             WHERE d.program_id = s.program_id AND d.subject_key = s.subject_key), '{}')
            FROM recon.subject_status s
            JOIN unnest($1::text[], $2::text[]) AS k(program_id, subject_key)
              ON k.program_id = s.program_id AND k.subject_key = s.subject_key
            LEFT JOIN recon.credit_grants g ON g.program_id = s.program_id AND g.subject_key = s.subject_key
            """, [decisions.map(\.subject.programID), decisions.map(\.subject.key)]) { row in
            stored[SubjectID(try row.decode(0), try row.decode(1))] = Stored(
                status: try row.decode(2), tier: try row.decodeIfPresent(3), credit: try row.decodeIfPresent(4),
                reasons: try row.decode(5), grantID: try row.decodeIfPresent(6), filed: Set(try row.decode(7, as: [String].self)))
        }
        return stored
    }
}

/// A rerun's pass keeps the decisions in its range and every rejection.
private struct Candidates: DecisionSink {
    let isCandidate: (Decision) -> Bool
    var decisions: [Decision] = []
    var rejections: [Rejection] = []

    init(_ isCandidate: @escaping (Decision) -> Bool) {
        self.isCandidate = isCandidate
    }

    mutating func decided(_ decision: consuming Decision) throws {
        let decision = decision
        if isCandidate(decision) { decisions.append(decision) }
    }

    mutating func rejected(_ rejection: Rejection) throws {
        rejections.append(rejection)
    }
}

extension Rerunner.Stored {
    var describe: String {
        var text = status
        if let tier { text += " tier \(tier)" }
        if !reasons.isEmpty { text += " (\(reasons.joined(separator: ";")))" }
        return text
    }
}

/// What a rerun found and did.
public struct RerunSummary: Codable, Sendable {
    public struct Difference: Codable, Sendable {
        public var programID: String
        public var subject: String
        public var subjectKey: String
        public var before: String
        public var after: String
        /// Credit delta of an adjustment, in major units.
        public var delta: String?
        /// `update`, `adjustment` or `discrepancy`.
        public var action: String

        init(_ decision: Decision, before: String, delta: String?, action: String) {
            programID = decision.subject.programID
            subject = decision.subject.name
            subjectKey = decision.subject.key
            self.before = before
            var after = decision.status.rawValue
            if decision.status == .granted, let tier = decision.tier { after += " tier \(tier.level)" }
            if !decision.reasons.isEmpty { after += " (\(decision.reasons.map(\.rawValue).joined(separator: ";")))" }
            if decision.status == .granted, !decision.rankedBehind.isEmpty {
                after += " (held; ranked behind: \(decision.rankedBehind.map(\.rawValue).joined(separator: ";")))"
            }
            self.after = after
            self.delta = delta
            self.action = action
        }
    }

    public var runID: Int64?
    public var asOf: String
    public var from: String
    public var to: String
    public var programID: String?
    public var dryRun: Bool
    public var evaluated = 0
    public var statuses: [String: Int] = [:]
    public var unchanged = 0
    public var updated = 0
    public var adjustments = 0
    public var discrepancies = 0
    /// The credit the adjustments add, per currency, in major units.
    public var creditDelta: [String: String] = [:]
    /// Discrepancies unresolved once this rerun is written (filed before or by it).
    public var openDiscrepancies = 0
    public var rejectedRows = 0
    public var written = 0
    public var differences: [Difference] = []
    /// The settlement stage: every outbox entry as of `asOf`.
    public var settlement: SettlementSummary?
}
