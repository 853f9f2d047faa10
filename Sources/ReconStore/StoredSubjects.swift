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
    /// The programs seen, and each one's final and open keys at the same position. A platform
    /// has a handful of programs, so finding one is a short scan that compares the program id
    /// (usually the very string stored, which compares by identity) instead of hashing it on
    /// every one of 200,000 keys and subjects: that hashing was a tenth of a later night's
    /// evaluating thread.
    private var programs: [String] = []
    private var finalKeys: [Keys] = []
    private var openKeys: [Keys] = []
    /// Final subjects.
    private(set) var count = 0

    init() {}

    mutating func insert(program: String, subject: String, final: Bool) {
        insert(program: program, key: Key(subject), final: final)
    }

    mutating func insert(program: String, key: Key, final: Bool) {
        let slot = slot(of: program) ?? {
            programs.append(program)
            finalKeys.append(Keys())
            openKeys.append(Keys())
            return programs.count - 1
        }()
        if final {
            if finalKeys[slot].insert(key) { count += 1 }
        } else {
            _ = openKeys[slot].insert(key)
        }
    }

    private func slot(of program: String) -> Int? {
        programs.firstIndex(of: program)
    }

    func isFinal(_ work: SubjectWork) -> Bool {
        guard let slot = slot(of: work.programID) else { return false }
        return finalKeys[slot].contains(Key(work))
    }

    /// Whether integration `integrationID`'s subject in `program` is stored as final.
    func isFinal(program: String, integrationID: Int64) -> Bool {
        guard let slot = slot(of: program) else { return false }
        return finalKeys[slot].contains(.integration(integrationID))
    }

    func isStored(_ subject: Subject) -> Bool {
        guard let slot = slot(of: subject.programID) else { return false }
        let key = Key(subject)
        return finalKeys[slot].contains(key) || openKeys[slot].contains(key)
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

        /// Whether `text` (UTF-8) is exactly integration `id`'s key as `Integration` writes it,
        /// so that `Key(text)` would be `.integration(id)`; compared in place, no string made.
        static func isKey(_ text: UnsafeRawBufferPointer, ofIntegration id: Int64) -> Bool {
            let prefix = integrationPrefix.utf8
            guard text.count > prefix.count, text.prefix(prefix.count).elementsEqual(prefix) else { return false }
            var end = text.count
            var magnitude = id.magnitude
            repeat {
                end -= 1
                guard end >= prefix.count, text[end] == UInt8(ascii: "0") + UInt8(magnitude % 10) else { return false }
                magnitude /= 10
            } while magnitude > 0
            if id < 0 {
                end -= 1
                guard end >= prefix.count, text[end] == UInt8(ascii: "-") else { return false }
            }
            return end == prefix.count
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
        var integrations = IntegrationIDSet()
        var texts: Set<String> = []

        mutating func insert(_ key: Key) -> Bool {
            switch key {
            case let .integration(id): return integrations.insert(id)
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
