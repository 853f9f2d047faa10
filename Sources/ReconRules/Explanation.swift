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

        public init(status: Status, reasons: [Reason], waitingFor: Waiting?, currency: String, tier: Int?, credit: String?,
                    qualifying: String, nextTier: Int?, nextThreshold: String?, missingToNext: String?, windowEnd: Instant?,
                    reachedAt: Instant?, dueBy: Instant?, expiresAt: Instant?) {
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
            return text + "."
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

    /// `2025-12-01` when the instant is midnight UTC, else the full ISO 8601 instant.
    static func day(_ instant: Instant) -> String {
        let text = instant.iso8601
        return text.hasSuffix("T00:00:00Z") ? String(text.prefix(10)) : text
    }
}
