import Exact

/// The spend a window saw, split the way support needs to explain it (minor units).
public struct SpendBreakdown: Sendable, Equatable {
    /// Counted toward the tiers: amount − tax − credit of the rows that counted.
    public var qualifying: Int64 = 0
    /// Tax and credit of the rows that counted.
    public var excludedTax: Int64 = 0
    public var excludedCredit: Int64 = 0
    /// Qualifying amount of in-window bills not paid by the cutoff (as of the evaluation).
    public var excludedUnpaid: Int64 = 0
    /// Qualifying amount of the account's rows in the `window_days` before the window start.
    public var excludedBeforeWindow: Int64 = 0

    public init() {}
}

/// A half-open spend window `[start, end)` and the cutoff `end + settle_days`.
public struct SpendWindow: Sendable, Equatable {
    public var start: Instant
    public var end: Instant
    public var cutoff: Instant

    public func contains(_ instant: Instant) -> Bool { start <= instant && instant < end }
}

/// The outcome of evaluating one subject as of one instant.
public struct Decision: Sendable, Equatable {
    public var subject: Subject
    public var status: Status
    /// Every failing reason, in rule order; empty unless ineligible.
    public var reasons: [Reason]
    /// No later nightly run can change it (SPEC section 5).
    public var isFinal: Bool
    public var waitingFor: Waiting?
    public var country: String
    public var currency: Currency
    public var paymentMode: String
    /// The granted tier (granted only).
    public var tier: Tier?
    /// The highest tier reached so far (any status), and the next one up.
    public var reachedTier: Tier?
    /// Each tier reached so far and when, lowest first (the ledger's own list: no dictionary is
    /// built per evaluation, and a final decision takes several).
    public var tiersReached: [TierReach] = []
    public var nextTier: Tier?
    public var spend: SpendBreakdown
    public var window: SpendWindow?
    public var reachedAt: Instant?
    public var dueBy: Instant?
    public var expiresAt: Instant?
    /// When the decision fell: reached_at of an early grant, the cutoff of one at the window's
    /// end, the evaluation instant of an ineligibility; nil while pending.
    public var decidedAt: Instant?
    public var asOf: Instant
    /// For a subject that holds its program's grant: the once-only reasons the set-up or
    /// activation order alone would now give it (an earlier rival loaded after the grant). The
    /// grant stays; a rerun files a discrepancy for review.
    public var rankedBehind: [Reason] = []

    /// When the tier of `level` was reached, if it was.
    public func tierReachedAt(level: Int) -> Instant? {
        tiersReached.first { $0.tier.level == level }?.at
    }

    /// Spend still missing to the next tier (minor units), when there is one.
    public var missingToNextTier: Int64? {
        nextTier.map { max(0, $0.threshold - spend.qualifying) }
    }
}

/// A tier reached, and the time of the row that carried the cumulative qualifying spend to its
/// threshold.
public struct TierReach: Sendable, Equatable {
    public var tier: Tier
    public var at: Instant

    public init(tier: Tier, at: Instant) {
        self.tier = tier
        self.at = at
    }
}
