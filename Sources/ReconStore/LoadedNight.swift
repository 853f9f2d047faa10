import Exact
import ReconRules

/// A night's input once loaded (`NightLoader`): the programs, the facts, and what is stored.
/// The plan stage turns it into an `EvaluationPass`.
struct LoadedNight {
    var programs: [Program]
    var facts: Facts
    /// The stored subjects: a night skips the final ones and compares the open ones; their
    /// grants are held (`HeldGrants`) either way.
    var stored: StoredSubjects
    /// Whether final subjects are skipped (a night) or evaluated again (a rerun).
    var skipsFinal: Bool
    /// The subjects an earlier night saw in good standing, read on their own for a rerun; nil
    /// for a night, which has it from the open rows.
    var observed: Set<SubjectID>?

    /// Subjects skipped because they are final.
    var finalSkipped: Int { skipsFinal ? stored.count : 0 }

    /// The pass over the loaded subjects as of `asOf`, holding the facts (and letting go of the
    /// integrations and codes once the subjects are built).
    consuming func pass(asOf: Instant) -> EvaluationPass {
        let stored = self.stored
        let skipsFinal = self.skipsFinal
        let standingObserved: (SubjectWork) -> Bool
        if let observed {
            standingObserved = { observed.contains(SubjectID($0.programID, $0.subjectKey)) }
        } else {
            standingObserved = { stored.open.row(program: $0.programID, key: .init($0))?.standingObserved ?? false }
        }
        return EvaluationPass(programs: programs, facts: facts, asOf: asOf, held: stored.final.held,
                              include: { !skipsFinal || !stored.isFinal($0) }, standingObserved: standingObserved)
    }
}
