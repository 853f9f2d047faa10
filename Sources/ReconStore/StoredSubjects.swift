import ReconRules

/// The subjects that already have a stored decision when a night starts: the final ones, which
/// the night skips, and the open ones, whose rows it updates. A subject in neither is new, and
/// its decision is copied straight in (`DecisionWriter`).
///
/// Keys are held per program, so each program's id is held once rather than once per subject
/// (most of a platform's subjects are final after the first weeks, and this is the largest
/// thing a later night holds). An integration's key (`integration:<id>`, as `Integration`
/// writes it) is held as its id: hashing and comparing 200,000 key strings was a quarter of a
/// later night's job CPU. Any other key, a code's or one not in that exact form, stays text.
struct StoredSubjects {
    private var finalByProgram: [String: Keys] = [:]
    private var openByProgram: [String: Keys] = [:]
    /// Final subjects.
    private(set) var count = 0

    init() {}

    mutating func insert(program: String, subject: String, final: Bool) {
        let key = Key(subject)
        if final {
            if finalByProgram[program, default: Keys()].insert(key) { count += 1 }
        } else {
            _ = openByProgram[program, default: Keys()].insert(key)
        }
    }

    func isFinal(_ work: SubjectWork) -> Bool {
        finalByProgram[work.programID]?.contains(Key(work)) ?? false
    }

    func isStored(_ subject: Subject) -> Bool {
        let key = Key(subject)
        return finalByProgram[subject.programID]?.contains(key) ?? false
            || openByProgram[subject.programID]?.contains(key) ?? false
    }

    /// A subject key: an integration's id, or the key's text.
    enum Key: Hashable {
        case integration(Int64)
        case text(String)

        static let integrationPrefix = "integration:"

        /// A stored key: an integration id only when the text is exactly what `Integration`
        /// writes for it (a minus sign only for a negative id, no plus sign, no leading zero), so
        /// that a key maps one way only.
        init(_ stored: String) {
            if stored.hasPrefix(Self.integrationPrefix) {
                let digits = stored.dropFirst(Self.integrationPrefix.count)
                if let id = Int64(digits), String(id) == digits {
                    self = .integration(id)
                    return
                }
            }
            self = .text(stored)
        }

        init(_ work: SubjectWork) {
            switch work {
            case let .partner(_, integration): self = .integration(integration.id)
            case let .promo(_, code): self = .text(code.subjectKey)
            }
        }

        init(_ subject: Subject) {
            if let id = subject.integrationID { self = .integration(id) } else { self = .text(subject.key) }
        }
    }

    /// One program's keys, integer ids apart from text.
    struct Keys {
        var integrations: Set<Int64> = []
        var texts: Set<String> = []

        mutating func insert(_ key: Key) -> Bool {
            switch key {
            case let .integration(id): return integrations.insert(id).inserted
            case let .text(text): return texts.insert(text).inserted
            }
        }

        func contains(_ key: Key) -> Bool {
            switch key {
            case let .integration(id): return integrations.contains(id)
            case let .text(text): return texts.contains(text)
            }
        }
    }
}
