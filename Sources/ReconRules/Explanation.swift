import Exact

/// One plain sentence a support agent can paste into a ticket reply ("why didn't I get my credit?").
public enum Explanation {
    /// What the sentence is built from; amounts already formatted in major units.
    public struct Facts: Sendable {
        public var status: Status
        public var reasons: [Reason]
        public var waitingFor: Waiting?
        public var currency: String
        public var tier: Int?
        public var credit: String?
        public var qualifying: String
        public var nextTier: Int?
        public var nextThreshold: String?
        public var missingToNext: String?
        public var windowEnd: Instant?
        public var reachedAt: Instant?
        public var dueBy: Instant?
        public var expiresAt: Instant?
        /// The grant's settlement, when the crediting system has been checked (SPEC section 8).
        public var settlement: SettlementFacts?

        public init(status: Status, reasons: [Reason], waitingFor: Waiting?, currency: String, tier: Int?, credit: String?,
                    qualifying: String, nextTier: Int?, nextThreshold: String?, missingToNext: String?, windowEnd: Instant?,
                    reachedAt: Instant?, dueBy: Instant?, expiresAt: Instant?, settlement: SettlementFacts? = nil) {
            self.status = status
            self.reasons = reasons
            self.waitingFor = waitingFor
            self.currency = currency
            self.tier = tier
            self.credit = credit
            self.qualifying = qualifying
            self.nextTier = nextTier
            self.nextThreshold = nextThreshold
            self.missingToNext = missingToNext
            self.windowEnd = windowEnd
            self.reachedAt = reachedAt
            self.dueBy = dueBy
            self.expiresAt = expiresAt
            self.settlement = settlement
        }
    }

    /// What became of a grant's credit, as the export and `explain` read it back.
    public struct SettlementFacts: Sendable {
        public var status: Settlement.Status
        public var issues: [Settlement.Issue]
        /// Applied on the grant's account in its currency, major units.
        public var appliedAmount: String
        public var appliedAt: Instant?

        public init(status: Settlement.Status, issues: [Settlement.Issue], appliedAmount: String, appliedAt: Instant?) {
            self.status = status
            self.issues = issues
            self.appliedAmount = appliedAmount
            self.appliedAt = appliedAt
        }
    }

    public static func sentence(_ f: Facts) -> String {
        let spent = "\(f.qualifying) \(f.currency) of qualifying spend (tax and ad credit excluded)"
        switch f.status {
        case .granted:
            var text = "Granted tier \(f.tier ?? 0): \(f.credit ?? "?") \(f.currency) of ad credit for \(spent)"
            if let reachedAt = f.reachedAt { text += ", threshold reached on \(day(reachedAt))" }
            if let dueBy = f.dueBy { text += "; the credit is applied by \(day(dueBy))" }
            if let expiresAt = f.expiresAt { text += " and expires on \(day(expiresAt))" }
            text += "."
            if let settlement = f.settlement { text += " " + applied(settlement, f) }
            return text
        case .thresholdNotReached:
            var text = "Not granted: the spend window ended"
            if let end = f.windowEnd { text += " on \(day(end))" }
            text += " with \(spent)"
            if let threshold = f.nextThreshold { text += ", below the first tier of \(threshold) \(f.currency)" }
            return text + "."
        case .ineligible:
            let reasons = f.reasons.map(\.plainWords)
            return "Not eligible: " + (reasons.isEmpty ? "the offer's conditions are not met" : reasons.joined(separator: "; and ")) + "."
        case .pending:
            switch f.waitingFor {
            case .cash?:
                return "Not started yet: the spend window opens when the ad account is first funded with cash."
            case .activation?:
                return "Not started yet: the promo code has not been activated; only spend after activation counts."
            case .campaign?:
                var text = "In progress: no campaign has been launched yet; one must launch before the window ends"
                if let end = f.windowEnd { text += " on \(day(end))" }
                return text + "; \(spent) so far."
            default:
                var text = "In progress: \(spent) so far"
                if let end = f.windowEnd { text += " in the window ending \(day(end))" }
                if let next = f.nextTier, let missing = f.missingToNext {
                    text += "; \(missing) \(f.currency) more reaches tier \(next)"
                }
                return text + "."
            }
        }
    }

    /// The sentence about the credit itself: applied when, or overdue since when, or applied
    /// with which problem.
    static func applied(_ s: SettlementFacts, _ f: Facts) -> String {
        let due = f.dueBy.map(day) ?? "its due date"
        let when = s.appliedAt.map { " on \(day($0))" } ?? ""
        switch s.status {
        case .awaiting: return "The credit has not been applied yet; it is due by \(due)."
        case .overdue: return "The credit is overdue since \(due): it has not been applied."
        case .settled: return "The credit was applied\(when)."
        case .settledLate: return "The credit was applied\(when), after its due date of \(due)."
        case .mismatch:
            let problems = s.issues.map { issue -> String in
                switch issue {
                case .duplicate: return "it was applied more than once"
                case .wrongAccount: return "it was applied to another ad account"
                case .wrongCurrency: return "it was applied in another currency"
                case .amountShort: return "\(s.appliedAmount) \(f.currency) of \(f.credit ?? "?") \(f.currency) reached this account"
                case .amountOver: return "\(s.appliedAmount) \(f.currency) was applied, more than the \(f.credit ?? "?") \(f.currency) granted"
                case .afterExpiry: return "it was applied after the credit expired"
                case .late: return "it was applied after its due date of \(due)"
                }
            }
            return "The credit was applied\(when) with a problem: " + problems.joined(separator: "; ") + "."
        }
    }

    /// `2025-12-01` when the instant is midnight UTC, else the full ISO 8601 instant.
    static func day(_ instant: Instant) -> String {
        let text = instant.iso8601
        return text.hasSuffix("T00:00:00Z") ? String(text.prefix(10)) : text
    }
}
