import Exact

/// One validated bill or top-up consumption, in the account's currency's minor units.
public struct SpendRow: Sendable, Equatable {
    public enum Source: String, Sendable {
        case bill = "billed_spend"
        case topup = "topup_consumption"
    }

    public var source: Source
    public var id: Int64
    public var accountID: Int64
    /// `spend_at` of a bill, `consumed_at` of a top-up.
    public var at: Instant
    public var amount: Int64
    public var tax: Int64
    public var credit: Int64
    /// Bills only; nil = unpaid. Top-ups are consumed, so always count.
    public var paidAt: Instant?

    public init(source: Source, id: Int64, accountID: Int64, at: Instant, amount: Int64, tax: Int64 = 0, credit: Int64 = 0,
                paidAt: Instant? = nil) {
        self.source = source
        self.id = id
        self.accountID = accountID
        self.at = at
        self.amount = amount
        self.tax = tax
        self.credit = credit
        self.paidAt = paidAt
    }

    /// amount − tax − credit; validation guarantees it is not negative.
    public var qualifying: Int64 { amount - tax - credit }

    /// Whether this row counts toward a window whose cutoff is `cutoff`, as of `asOf`: a top-up
    /// once consumed; a bill once paid, strictly before the cutoff and at or before `asOf`.
    public func counts(cutoff: Instant, asOf: Instant) -> Bool {
        switch source {
        case .topup: return true
        case .bill:
            guard let paidAt else { return false }
            return paidAt <= asOf && paidAt < cutoff
        }
    }

    /// Stable order of rows for cumulative sums: by time, then source, then id.
    public static func chronological(_ a: SpendRow, _ b: SpendRow) -> Bool {
        if a.at != b.at { return a.at < b.at }
        if a.source != b.source { return a.source == .bill }
        return a.id < b.id
    }
}
