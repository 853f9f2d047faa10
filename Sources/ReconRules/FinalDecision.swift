import Exact

/// A final decision never changes (SPEC section 5), so what is recorded for a subject must not
/// depend on which nights happened to run. Evaluated as of a night, a final decision would carry
/// that night's view: an ineligibility listing a conflicting enrolment made after it was already
/// settled, an early grant whose spend and `reached_at` include bills paid after the top tier was
/// reached, `decided_at` equal to whichever night first saw it. Nightly cadences would then
/// disagree, and a rerun over unchanged data would find "differences".
///
/// So a final decision is recorded as it stood at the earliest instant it was already final: the
/// evaluation as of that instant. Facts only change at known instants (a set-up, first cash, a
/// campaign, an activation, a deadline, an enrolment, a row's spend or payment time, a window's
/// end or cutoff), so the earliest final instant is one of them, or the night itself.
public enum FinalDecision {
    /// `decision` is final as of its `asOf`. Returns the evaluation at the earliest of
    /// `candidates` in `[existsFrom, decision.asOf)` at which the subject was already final, or
    /// `decision` when it was final at none of them.
    ///
    /// Finality has two sources. A final reason (P1, P2, P4, P5, P6's once-per-account, C1, C2,
    /// C4, origin, cash, currency) or a passed cutoff, once true, stays true: the earliest such
    /// instant is found by binary search. An early grant needs the top tier reached (which also
    /// stays true once true) but also no reason at that instant — and a non-final reason (a
    /// suspension, a conflicting enrolment) can come and go. So before the first final reason,
    /// the instants from the one where the top tier is first reached are tried in order, and
    /// the first that grants wins: the night that would have granted it.
    public static func earliest(_ decision: Decision, existsFrom: Instant, candidates: [Instant],
                                evaluate: (Instant) throws -> Decision) rethrows -> Decision {
        guard decision.isFinal else { return decision }
        let instants = Array(Set(candidates.filter { existsFrom <= $0 && $0 < decision.asOf })).sorted()
        var evaluated: [Int: Decision] = [:]
        func at(_ index: Int) throws -> Decision {
            if index == instants.count { return decision }
            if let known = evaluated[index] { return known }
            let result = try evaluate(instants[index])
            evaluated[index] = result
            return result
        }
        /// The first index in `0...end` whose evaluation satisfies `holds` (monotone), or `end`.
        func firstIndex(before end: Int, where holds: (Decision) -> Bool) throws -> Int {
            var low = 0
            var high = end
            while low < high {
                let middle = (low + high) / 2
                if holds(try at(middle)) { high = middle } else { low = middle + 1 }
            }
            return low
        }
        let settled = try firstIndex(before: instants.count, where: isSettledForGood)
        if topTierReached(decision) {
            let reached = try firstIndex(before: settled, where: topTierReached)
            for index in reached..<settled where try at(index).isFinal {
                return try at(index)
            }
        }
        return try at(settled)
    }

    /// Final for a reason that no later fact can undo: a final reason, or the cutoff passed.
    static func isSettledForGood(_ decision: Decision) -> Bool {
        decision.reasons.contains(where: \.isFinal) || (decision.window.map { decision.asOf >= $0.cutoff } ?? false)
    }

    static func topTierReached(_ decision: Decision) -> Bool {
        decision.reachedTier != nil && decision.nextTier == nil
    }
}
