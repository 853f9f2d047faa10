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
    /// `decision` is final as of its `asOf`. Returns `evaluate(instant)` for the earliest of
    /// `candidates` before `decision.asOf` at which the subject was already final, or `decision`
    /// when none was. Finality is monotone in time (once final, always final: the property the
    /// rules are built on and the seeded simulation checks), so a binary search finds it in
    /// log2(candidates) evaluations.
    public static func earliest(_ decision: Decision, candidates: [Instant],
                                evaluate: (Instant) throws -> Decision) rethrows -> Decision {
        guard decision.isFinal else { return decision }
        let instants = Array(Set(candidates.filter { $0 < decision.asOf })).sorted()
        var low = 0
        var high = instants.count
        var best = decision
        while low < high {
            let middle = (low + high) / 2
            let earlier = try evaluate(instants[middle])
            if earlier.isFinal {
                best = earlier
                high = middle
            } else {
                low = middle + 1
            }
        }
        return best
    }
}
