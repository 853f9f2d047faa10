/// The subjects that already have a stored decision when a night starts: the final ones, which
/// the night skips, and the open ones, whose rows it updates. A subject in neither is new, and
/// its decision is copied straight in (`DecisionWriter`). Keys are held per program, so each
/// program's id is held once rather than once per subject (most of a platform's subjects are
/// final after the first weeks, and this is the largest thing a later night holds).
struct StoredSubjects {
    private var finalByProgram: [String: Set<String>] = [:]
    private var openByProgram: [String: Set<String>] = [:]
    /// Final subjects.
    private(set) var count = 0

    init() {}

    mutating func insert(program: String, subject: String, final: Bool) {
        if final {
            if finalByProgram[program, default: []].insert(subject).inserted { count += 1 }
        } else {
            openByProgram[program, default: []].insert(subject)
        }
    }

    func isFinal(program: String, subject: String) -> Bool {
        finalByProgram[program]?.contains(subject) ?? false
    }

    func isStored(program: String, subject: String) -> Bool {
        isFinal(program: program, subject: subject) || (openByProgram[program]?.contains(subject) ?? false)
    }
}
