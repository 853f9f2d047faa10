import Exact

/// A final decision never changes (SPEC section 5), so what is recorded for a subject must not
/// depend on which nights happened to run. Evaluated as of a night, a final decision would carry
/// that night's view: an ineligibility listing a conflicting enrolment made after it was already
/// settled, an early grant whose spend and `reached_at` include bills paid after the top tier was
/// reached, `decided_at` equal to whichever night first saw it. Nightly cadences would then
/// disagree, and a rerun over unchanged data would find "differences".
///
/// So a final decision is recorded as it stood at the earliest instant it was already final: the
/// evaluation as of that instant. Finality can only begin at known instants (a set-up or receipt,
/// an activation, a deadline, a cutoff; for an early grant also first cash, a campaign, a row's
/// spend or payment time), so the earliest final instant is one of them, or the night itself.
/// (An enrolment can only block a grant, never start finality, so it is not a candidate.)
public enum FinalDecision {
    /// Returns the evaluation at the earliest instant in `[existsFrom, decision.asOf)` at which
    /// the subject was already final, or `decision` when it was final at none of them. A
    /// decision that is not final as of its `asOf` can still have been final earlier: an early
    /// grant, final the instant the top tier was reached, is not undone by a conflict or a
    /// suspension that came after it.
    ///
    /// Finality has two sources. A final reason (P1, P2, P4, P5, P6's once-per-account, C1, C2,
    /// C4, origin, cash, currency) or a passed cutoff, once true, stays true, and starts at one of
    /// a few instants (`settling`: the subject's set-up or receipt, its activation, its deadline,
    /// its cutoff): binary search finds the first. An early grant needs the top tier reached
    /// (which starts at one of `reaching`: a row's spend or payment time, first cash, a campaign,
    /// and also stays true) and no reason at that instant — but a non-final reason (a
    /// conflicting enrolment) can block it. So before the first settling instant, the `reaching`
    /// instants from the one where the top tier is first reached are tried in order, and the
    /// first that grants wins: the night that would have granted it.
    ///
    /// For a decision that is not final, `blockedFrom` is the instant from which what blocks it
    /// tonight held (a conflicting enrolment's time): only earlier instants can have granted.
    public static func earliest(_ decision: Decision, existsFrom: Instant, settling: [Instant], reaching: [Instant],
                                blockedFrom: Instant? = nil, evaluate: (Instant) throws -> Decision) rethrows -> Decision {
        // Not final tonight: only an early grant blocked now by a reason that comes and goes (a
        // conflict, standing) can have been final earlier, so only then is anything searched.
        guard mayHaveBeenFinalEarlier(decision) else { return decision }
        /// The distinct instants in `[existsFrom, end)`, in order.
        func window(_ instants: [Instant], before end: Instant) -> [Instant] {
            instants.filter { existsFrom <= $0 && $0 < end }.sortedDistinct()
        }
        // A handful of evaluations per subject (two binary searches): a list beats a dictionary.
        // The tests look at the decisions where they lie in it, and only the one returned is
        // copied out (each copy retains and releases every string and array of a decision).
        var evaluated: [(instant: Instant, decision: Decision)] = [(decision.asOf, decision)]
        func position(_ instant: Instant) throws -> Int {
            if let known = evaluated.firstIndex(where: { $0.instant == instant }) { return known }
            evaluated.append((instant, try evaluate(instant)))
            return evaluated.count - 1
        }
        /// The first of `instants` whose evaluation satisfies `holds` (monotone), or `fallback`.
        func first(of instants: [Instant], where holds: (Decision) -> Bool, or fallback: Instant) throws -> Instant {
            var low = 0
            var high = instants.count
            while low < high {
                let middle = (low + high) / 2
                let at = try position(instants[middle])
                if holds(evaluated[at].decision) { high = middle } else { low = middle + 1 }
            }
            return low < instants.count ? instants[low] : fallback
        }
        /// The first instant before `end`, from the one where the top tier was first reached,
        /// at which the subject was final: the night that would have granted it.
        func earlyGrant(before end: Instant) throws -> Decision? {
            let candidates = window(reaching, before: end)
            let reached = try first(of: candidates, where: topTierReached, or: end)
            for instant in candidates where instant >= reached {
                let at = try position(instant)
                if evaluated[at].decision.isFinal { return evaluated[at].decision }
            }
            return nil
        }
        guard decision.isFinal else { return try earlyGrant(before: min(decision.asOf, blockedFrom ?? decision.asOf)) ?? decision }
        let settled = try first(of: window(settling, before: decision.asOf), where: isSettledForGood, or: decision.asOf)
        if topTierReached(decision), let grant = try earlyGrant(before: settled) { return grant }
        return evaluated[try position(settled)].decision
    }

    /// Whether `earliest` can find anything earlier: a final decision, or an ineligibility
    /// (for reasons that come and go) of a subject that has reached its top tier.
    public static func mayHaveBeenFinalEarlier(_ decision: Decision) -> Bool {
        decision.isFinal || (decision.status == .ineligible && topTierReached(decision))
    }

    /// Final for a reason that no later fact can undo: a final reason, or the cutoff passed.
    static func isSettledForGood(_ decision: Decision) -> Bool {
        decision.reasons.contains(where: \.isFinal) || (decision.window.map { decision.asOf >= $0.cutoff } ?? false)
    }

    static func topTierReached(_ decision: Decision) -> Bool {
        decision.reachedTier != nil && decision.nextTier == nil
    }
}
