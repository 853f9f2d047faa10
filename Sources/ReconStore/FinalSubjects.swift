/// The subjects whose decision is final, which a night skips: subject keys per program, so each
/// program's id is held once rather than once per subject (most of a platform's subjects are
/// final after the first weeks, and this set is the largest thing a later night holds).
struct FinalSubjects {
    private var keysByProgram: [String: Set<String>] = [:]
    private(set) var count = 0

    init() {}

    mutating func insert(program: String, subject: String) {
        if keysByProgram[program, default: []].insert(subject).inserted { count += 1 }
    }

    func contains(program: String, subject: String) -> Bool {
        keysByProgram[program]?.contains(subject) ?? false
    }
}
