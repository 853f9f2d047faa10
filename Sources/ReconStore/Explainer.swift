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

        return try accounts.flatMap { accountID -> [SubjectExplanation] in
            guard let account = facts.accounts.account(accountID) else { return [] }
            let rows = (rowsByAccount[accountID] ?? []).sorted(by: SpendRow.chronological)
            return try picks[accountID].map { work in
                let decision = try work.evaluate(asOf: asOf, account: account, rows: rows,
                                                 enrollments: facts.enrollments[accountID] ?? [],
                                                 standingObserved: { observed.contains(.init(work.programID, work.subjectKey)) })
                return describe(decision, program: work.program, rows: rows, rejected: rejectedByAccount[accountID] ?? [])
            }
        }
    }

    func describe(_ d: Decision, program: Program, rows: [SpendRow], rejected: [(Rejection, RawSpendRow)]) -> SubjectExplanation {
        // A final decision stands as of the instant it became final (`FinalDecision`), which may be
        // before the `asOf` asked for: rows are judged as of that instant, so they add up to the decision.
        let decidedAsOf = d.asOf
        let pastCutoff = d.window.map { decidedAsOf >= $0.cutoff } ?? false
        var lines: [RowLine] = []
        // Rows near the window: from window_days before its start to its cutoff (all rows when there is no window).
        let from = d.window?.start.adding(days: -program.windowDays)
        for row in rows where from.map({ row.at >= $0 }) ?? true && d.window.map({ row.at < $0.cutoff }) ?? true {
            let verdict = row.at > decidedAsOf
                ? "after the decision became final (\(decidedAsOf.iso8601)): changes nothing"
                : RowVerdict.classify(row, window: d.window, asOf: decidedAsOf).describe(d.currency, pastCutoff: pastCutoff)
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
            qualifyingSpend: d.currency.format(d.spend.qualifying), rows: lines, tiers: tiers)
    }

    static func matches(_ selector: Selector, integration: Integration) -> Bool {
        switch selector {
        case let .integration(id): return integration.id == id
        case let .merchant(partner, merchantID): return integration.partner == partner && integration.merchantID == merchantID
        case let .account(id): return integration.accountID == id
        case .code: return false
        }
    }

    static func matches(_ selector: Selector, code: PromoCode) -> Bool {
        switch selector {
        case let .code(text): return code.code == text
        case let .account(id): return code.recipientAccountID == id
        case .integration, .merchant: return false
        }
    }
}
