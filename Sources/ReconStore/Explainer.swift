import Exact
import Logging
import PGClient
import ReconRules

/// `spend-recon explain`: one subject's decision with every spend row that counted, every row
/// that did not and why, rejected rows with their problem, and the tier ladder.
public struct Explainer {
    public enum Selector {
        case integration(Int64)
        case merchant(partner: String, merchantID: String)
        case account(Int64)
        case code(String)
    }

    /// One spend row as `explain` shows it.
    public struct RowLine: Codable, Sendable {
        public var table: String
        public var key: String
        public var at: String?
        public var amount: String?
        public var verdict: String
    }

    public struct TierLine: Codable, Sendable {
        public var tier: Int
        public var threshold: String
        public var credit: String
        public var reachedAt: String?
        public var missing: String?
    }

    public struct SubjectExplanation: Codable, Sendable {
        public var programID: String
        public var subject: String
        public var integrationID: Int64?
        public var promoCode: String?
        public var accountID: Int64
        public var country: String
        public var currency: String
        public var status: String
        public var reasons: [String]
        public var reasonsInWords: [String]
        public var explanation: String
        public var windowStart: String?
        public var windowEnd: String?
        public var cutoff: String?
        public var qualifyingSpend: String
        public var rows: [RowLine]
        public var tiers: [TierLine]
        /// The instant the decision is judged as of, when earlier than the one asked for: a final
        /// decision stands as it was when it became final.
        public var decidedAsOf: String?
        /// Sentences naming the dates, the earlier integration or code, the conflicting promotion,
        /// the market and currency behind the reasons (also at the end of `explanation`).
        public var details: [String]
        /// What reruns changed since: adjustments to a higher tier, discrepancies filed.
        public var adjustments: [String]
        public var discrepancies: [String]
        /// The grant's and each adjustment's credit: settled as of the instant asked for.
        public var settlements: [SettlementLine] = []
    }

    let connection: Connection
    let reader: Connection

    public init(connection: Connection, reader: Connection) {
        self.connection = connection
        self.reader = reader
    }

    public func explain(_ selector: Selector, asOf: Instant) throws -> [SubjectExplanation] {
        // Loaded as a rerun loads: with the same held grants and standing observations as a
        // night, so the explanation is the decision.
        let loader = NightLoader(connections: NightConnections(recon: [connection], billing: [reader]), asOf: asOf)
        let night = try loader.loadEverySubject(programID: nil)
        let (facts, observed) = (night.facts, night.observed ?? [])
        let picks = SubjectsByAccount(programs: night.programs, facts: facts, asOf: asOf, held: night.stored.final.held) { work in
            switch work {
            case let .partner(_, integration): return Self.matches(selector, integration: integration)
            case let .promo(_, code): return Self.matches(selector, code: code)
            }
        }
        guard !picks.isEmpty else { return [] }
        var rowsByAccount: [Int64: [SpendRow]] = [:]
        var rejectedByAccount: [Int64: [(Rejection, RawSpendRow)]] = [:]
        let accounts = picks.untakenAccountIDs
        try FactReader(connection: reader, asOf: asOf).streamSpend(accounts: facts.accounts, .wholeAccounts(accounts),
                                   reject: { rejection, raw in
                                       if let id = raw.accountID { rejectedByAccount[id, default: []].append((rejection, raw)) }
                                   }, body: { rowsByAccount[$0] = $1 })

        let held = night.stored.final.held
        let book = DiscrepancyBook(connection: connection)
        return try accounts.flatMap { accountID -> [SubjectExplanation] in
            guard let account = facts.accounts.account(accountID) else { return [] }
            let rows = (rowsByAccount[accountID] ?? []).sorted(by: SpendRow.chronological)
            let enrollments = facts.enrollments[accountID] ?? []
            return try picks[accountID].map { work in
                let decision = try work.evaluate(asOf: asOf, account: account, rows: rows, enrollments: enrollments,
                                                 standingObserved: { observed.contains(.init(work.programID, work.subjectKey)) })
                var explained = describe(decision, work: work, rows: rows, rejected: rejectedByAccount[accountID] ?? [])
                if decision.asOf < asOf { explained.decidedAsOf = decision.asOf.iso8601 }
                explained.details = Self.details(decision, DetailFacts(work: work, account: account, facts: facts,
                                                                       held: held[work.programID] ?? HeldGrants(),
                                                                       enrollments: enrollments))
                if !explained.details.isEmpty { explained.explanation += " " + explained.details.joined(separator: " ") }
                explained.adjustments = try adjustments(program: work.programID, subjectKey: work.subjectKey)
                explained.discrepancies = try book.list(programID: work.programID, subjectKey: work.subjectKey).map(\.line)
                explained.settlements = try settlements(program: work.programID, subjectKey: work.subjectKey, asOf: asOf)
                return explained
            }
        }
    }

    /// The adjustments reruns made to the subject's grant, one line each.
    func adjustments(program: String, subjectKey: String) throws -> [String] {
        try connection.execute("""
            SELECT a.adjustment_id, a.from_tier, a.to_tier, a.credit_delta::text, a.currency, a.run_id, a.created_at
            FROM recon.adjustments a WHERE a.program_id = $1 AND a.subject_key = $2 ORDER BY a.adjustment_id
            """, [program, subjectKey]).rows.map { row in
            "adjustment \(try row.decode(0, as: Int64.self)): tier \(try row.decode(1, as: Int.self)) -> \(try row.decode(2, as: Int.self)), "
                + "+\(try row.decode(3, as: String.self)) \(try row.decode(4, as: String.self)) by rerun \(try row.decode(5, as: Int64.self)) "
                + "at \(try row.decode(6, as: Instant.self).iso8601)"
        }
    }

    func describe(_ d: Decision, work: SubjectWork, rows: [SpendRow], rejected: [(Rejection, RawSpendRow)]) -> SubjectExplanation {
        let program = work.program
        // A final decision stands as of the instant it became final (`FinalDecision`), which may be
        // before the `asOf` asked for: rows are judged as of that instant, so they add up to the decision.
        let decidedAsOf = d.asOf
        let pastCutoff = d.window.map { decidedAsOf >= $0.cutoff } ?? false
        var lines: [RowLine] = []
        // The look-back before an integration's set-up (P4's recent spend), for one not created
        // through the integration.
        var lookBack: Range<Instant>?
        if case let .partner(_, integration) = work, !integration.accountCreatedViaIntegration, program.lookbackDays > 0 {
            lookBack = integration.setUpAt.adding(days: -program.lookbackDays)..<integration.setUpAt
        }
        // Rows near the window: from window_days before its start (or the look-back's start) to
        // its cutoff (all rows when there is no window).
        let from = [d.window?.start.adding(days: -program.windowDays), lookBack?.lowerBound].compactMap { $0 }.min()
        for row in rows where from.map({ row.at >= $0 }) ?? true && d.window.map({ row.at < $0.cutoff }) ?? true {
            var verdict = row.at > decidedAsOf
                ? "after the decision became final (\(decidedAsOf.iso8601)): changes nothing"
                : RowVerdict.classify(row, window: d.window, asOf: decidedAsOf).describe(d.currency, pastCutoff: pastCutoff)
            if let lookBack, lookBack.contains(row.at) {
                verdict = "in the \(program.lookbackDays) days before set-up: recent spend (P4)"
                    + (d.reasons.contains(.recentSpend) ? ", which makes the subject ineligible" : "") + "; " + verdict
            }
            lines.append(RowLine(table: row.source.rawValue, key: String(row.id), at: row.at.iso8601,
                                 amount: d.currency.format(row.amount), verdict: verdict))
        }
        for (rejection, raw) in rejected {
            lines.append(RowLine(table: rejection.table, key: rejection.key, at: raw.at?.iso8601, amount: raw.amount?.text,
                                 verdict: "rejected (\(rejection.problem)): breaks the input contract, counts for nothing"))
        }
        let ladder = program.ladder(country: d.country)
        let tiers = ladder.map { tier in
            TierLine(tier: tier.level, threshold: d.currency.format(tier.threshold), credit: d.currency.format(tier.credit),
                     reachedAt: d.tierReachedAt(level: tier.level)?.iso8601,
                     missing: tier.threshold > d.spend.qualifying ? d.currency.format(tier.threshold - d.spend.qualifying) : nil)
        }
        return SubjectExplanation(
            programID: d.subject.programID, subject: d.subject.name, integrationID: d.subject.integrationID,
            promoCode: d.subject.promoCode, accountID: d.subject.accountID, country: d.country, currency: d.currency.code,
            status: d.status.rawValue + (d.status == .granted ? " tier \(d.tier?.level ?? 0)" : ""),
            reasons: d.reasons.map(\.rawValue), reasonsInWords: d.reasons.map(\.plainWords),
            explanation: Explanation.sentence(Explanation.Facts(d)), windowStart: d.window?.start.iso8601,
            windowEnd: d.window?.end.iso8601, cutoff: d.window?.cutoff.iso8601,
            qualifyingSpend: d.currency.format(d.spend.qualifying), rows: lines, tiers: tiers, decidedAsOf: nil, details: [],
            adjustments: [], discrepancies: [])
    }

    static func matches(_ selector: Selector, integration: Integration) -> Bool {
        switch selector {
        case let .integration(id): return integration.id == id
        case let .merchant(partner, merchantID):
            return normalized(integration.partner) == normalized(partner) && normalized(integration.merchantID) == normalized(merchantID)
        case let .account(id): return integration.accountID == id
        case .code: return false
        }
    }

    static func matches(_ selector: Selector, code: PromoCode) -> Bool {
        switch selector {
        case let .code(text): return normalized(code.code) == normalized(text)
        case let .account(id): return code.recipientAccountID == id
        case .integration, .merchant: return false
        }
    }
}
