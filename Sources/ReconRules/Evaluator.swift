import Exact

/// Evaluates subjects of one program as of one instant (SPEC section 4). Pure: the same facts
/// and `asOf` always give the same decision.
public struct Evaluator: Sendable {
    public let program: Program
    public let asOf: Instant

    public init(program: Program, asOf: Instant) {
        self.program = program
        self.asOf = asOf
    }

    /// P3 (and C3's approval): account standing, re-checked every night until the cutoff.
    func standingReasons(_ account: Account) -> [Reason] {
        var reasons: [Reason] = []
        if account.status != "approved" { reasons.append(.accountNotApproved) }
        if account.policyViolation { reasons.append(.policyViolation) }
        if account.safetyFlagged { reasons.append(.safetyFlagged) }
        return reasons
    }

    /// P6's second half: an enrolment, as of `asOf`, in a promotion the program conflicts with.
    func conflictReasons(_ enrollments: [Enrollment]) -> [Reason] {
        conflictingSince(enrollments) != nil ? [.conflictingPromotion] : []
    }

    /// The instant of the earliest enrolment, as of `asOf`, in a promotion the program conflicts
    /// with: from then on P6 fails, before it an early grant may already have fallen.
    public func conflictingSince(_ enrollments: [Enrollment]) -> Instant? {
        enrollments.lazy.filter { $0.enrolledAt <= asOf && program.conflictingPromotions.contains($0.promotion) }
            .map(\.enrolledAt).min()
    }

    /// P9: the account country's ladder, and whether the account's currency is its currency.
    /// Applies only to a country in the program's markets; a market with no tiers is no market.
    func tierLadder(for account: Account) -> (ladder: [Tier], reasons: [Reason]) {
        guard program.markets.contains(account.country) else { return ([], []) }
        let ladder = program.ladder(country: account.country)
        if ladder.isEmpty { return ([], [.marketNotEligible]) }
        if ladder.contains(where: { $0.currency != account.currency }) { return ([], [.currencyMismatch]) }
        return (ladder, [])
    }

    func spendWindow(startingAt start: Instant) -> SpendWindow {
        let end = start.adding(days: program.windowDays)
        return SpendWindow(start: start, end: end, cutoff: end.adding(days: program.settleDays))
    }

    /// Steps 1–5 of SPEC section 4's order of evaluation, once the eligibility reasons and the
    /// window (if any) are known. `campaignBy` is the instant a campaign was launched, for
    /// programs that require one (partner P7), or nil when none is required. The decision is
    /// handed on from step to step by move (`consuming`), not copied: a copy retains and
    /// releases each of its strings and arrays, and a first night makes 592,000 evaluations.
    func conclude(_ decision: consuming Decision, reasons: [Reason], window: SpendWindow?, ladder: [Tier], rows: [SpendRow],
                  requiresCampaign: Bool, campaignAt: Instant?) throws(MoneyOverflow) -> Decision {
        decision.window = window
        var ledger: SpendLedger?
        if let window {
            ledger = try SpendLedger(rows: rows, window: window, windowDays: program.windowDays, ladder: ladder, asOf: asOf)
            decision.spend = ledger!.breakdown
            decision.reachedTier = ledger!.reached.last?.tier
            decision.tiersReached = ledger!.reached
            decision.nextTier = ladder.first { $0.threshold > ledger!.breakdown.qualifying }
        }
        let pastCutoff = window.map { asOf >= $0.cutoff } ?? false

        // 1. Every eligibility rule that fails now.
        if !reasons.isEmpty {
            return ineligible(decision, reasons: reasons, final: pastCutoff || reasons.contains { $0.isFinal }, at: asOf)
        }
        // 2. No window yet.
        guard let window, let ledger else {
            return withoutWindow(decision, waiting: decision.waitingFor ?? .window)
        }
        let campaignLaunched = !requiresCampaign || (campaignAt.map { $0 < window.end } ?? false)
        // 3. Top tier reached by asOf (and a campaign launched): granted at once.
        if let top = ladder.last, let reach = ledger.reached.last, reach.tier == top, campaignLaunched {
            return grant(decision, tier: top, reachedAt: reach.at, dueBy: reach.at.adding(days: program.grantSLADays),
                         decisionTime: reach.at)
        }
        // 4. At or past the cutoff.
        if pastCutoff {
            if !campaignLaunched {
                return ineligible(decision, reasons: [.noCampaignLaunched], final: true, at: window.cutoff)
            }
            if let best = ledger.reached.last {
                return grant(decision, tier: best.tier, reachedAt: best.at,
                             dueBy: window.end.adding(days: program.grantSLADays), decisionTime: window.cutoff)
            }
            decision.status = .thresholdNotReached
            decision.isFinal = true
            decision.decidedAt = window.cutoff
            return decision
        }
        // 5. Otherwise pending.
        return pending(decision, waiting: requiresCampaign && campaignAt == nil ? .campaign : .window)
    }

    /// Step 2: no window yet (no cash, no activation): pending, until the credit has expired and
    /// no grant can happen any more.
    func withoutWindow(_ decision: consuming Decision, waiting: Waiting) -> Decision {
        if let expiry = program.creditExpiresAt, asOf >= expiry {
            return ineligible(decision, reasons: [.programEnded], final: true, at: asOf)
        }
        return pending(decision, waiting: waiting)
    }

    func pending(_ decision: consuming Decision, waiting: Waiting) -> Decision {
        decision.status = .pending
        decision.isFinal = false
        decision.waitingFor = waiting
        return decision
    }

    func ineligible(_ decision: consuming Decision, reasons: [Reason], final: Bool, at: Instant) -> Decision {
        decision.status = .ineligible
        decision.reasons = reasons.sortedDistinct()
        decision.isFinal = final
        decision.waitingFor = nil
        decision.decidedAt = at
        return decision
    }

    /// P10/P11: a grant, unless its decision time is at or after the credit expiry.
    func grant(_ decision: consuming Decision, tier: Tier, reachedAt: Instant, dueBy: Instant, decisionTime: Instant) -> Decision {
        if let expiry = program.creditExpiresAt, decisionTime >= expiry {
            return ineligible(decision, reasons: [.programEnded], final: true, at: decisionTime)
        }
        decision.status = .granted
        decision.isFinal = true
        decision.waitingFor = nil
        decision.tier = tier
        decision.reachedAt = reachedAt
        decision.dueBy = dueBy
        decision.expiresAt = program.creditExpiresAt
        decision.decidedAt = decisionTime
        return decision
    }

    func baseDecision(_ subject: Subject, account: Account) -> Decision {
        Decision(subject: subject, status: .pending, reasons: [], isFinal: false, waitingFor: nil,
                 country: account.country, currency: account.currency, paymentMode: account.paymentMode,
                 tier: nil, reachedTier: nil, tiersReached: [], nextTier: nil, spend: SpendBreakdown(), window: nil,
                 reachedAt: nil, dueBy: nil, expiresAt: nil, decidedAt: nil, asOf: asOf)
    }
}
