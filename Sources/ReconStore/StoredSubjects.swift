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
    /// The final subjects' keys: the night skips them.
    var final = Final()
    /// The open subjects' keys and stored decisions: the night evaluates them again.
    var open = Open()
    /// Final subjects.
    var count: Int { final.count }

    init() {}

    init(final: Final, open: Open) {
        self.final = final
        self.open = open
    }

    mutating func insert(program: String, subject: String, final isFinal: Bool) {
        insert(program: program, key: Key(subject), final: isFinal)
    }

    /// An open subject inserted here has no stored digest to compare with, and may have
    /// reasons: `Open.insert(program:key:row:)` says more.
    mutating func insert(program: String, key: Key, final isFinal: Bool) {
        if isFinal {
            final.insert(program: program, key: key)
        } else {
            open.insert(program: program, key: key, row: OpenRow())
        }
    }

    func isFinal(_ work: SubjectWork) -> Bool {
        final.contains(program: work.programID, key: Key(work))
    }

    /// Whether integration `integrationID`'s subject in `program` is stored as final.
    func isFinal(program: String, integrationID: Int64) -> Bool {
        final.contains(program: program, key: .integration(integrationID))
    }

    /// Where a subject about to be written stands: with no stored row, open (with its stored
    /// decision's digest, nil when it has none), or final. One lookup for an open subject, the
    /// usual case on a later night.
    func standing(of subject: Subject) -> Standing {
        let key = Key(subject)
        if let row = open.row(program: subject.programID, key: key) { return .open(row) }
        return final.contains(program: subject.programID, key: key) ? .final : .absent
    }

    enum Standing: Equatable {
        case absent
        case open(OpenRow)
        case final
    }

    /// What a night knows of an open subject's stored row.
    struct OpenRow: Equatable {
        /// The stored decision's digest; nil when it has none.
        var digest: DecisionDigest?
        /// Whether the night that stored it saw the account in good standing (judged, and no
        /// `account_not_approved`, `policy_violation` or `safety_flagged`): instants before
        /// tonight are then judged in good standing (`Account.inGoodStanding`).
        var standingObserved = false
    }

    /// Final subjects' keys, per program, and the grants among them (`HeldGrants`).
    struct Final {
        private var keys = ProgramSlots<Keys>()
        private(set) var count = 0
        /// The grants already written, per program id.
        var held: [String: HeldGrants] = [:]

        mutating func insert(program: String, key: Key) {
            let slot = keys.slot(of: program, making: Keys())
            if keys[slot].insert(key) { count += 1 }
        }

        func contains(program: String, key: Key) -> Bool {
            keys.slot(of: program).map { keys[$0].contains(key) } ?? false
        }
    }

    /// Open subjects' keys and what is known of their stored rows, per program; an integration's
    /// by its id, any other by its text.
    struct Open {
        private var rows = ProgramSlots<Rows>()

        mutating func insert(program: String, key: Key, row: OpenRow) {
            let slot = rows.slot(of: program, making: Rows())
            switch key {
            case let .integration(id): rows[slot].integrations[id] = row
            case let .text(text): rows[slot].texts[text] = row
            }
        }

        /// nil: not open.
        func row(program: String, key: Key) -> OpenRow? {
            guard let slot = rows.slot(of: program) else { return nil }
            switch key {
            case let .integration(id): return rows[slot].integrations[id]
            case let .text(text): return rows[slot].texts[text]
            }
        }

        struct Rows {
            var integrations: [Int64: OpenRow] = [:]
            var texts: [String: OpenRow] = [:]
        }
    }

    /// Values per program. A platform has a handful of programs, so finding one is a short scan
    /// that compares the program id (usually the very string stored, which compares by
    /// identity) instead of hashing it on every one of 200,000 keys and subjects: that hashing
    /// was a tenth of a later night's evaluating thread.
    struct ProgramSlots<Value> {
        private var programs: [String] = []
        private var values: [Value] = []

        func slot(of program: String) -> Int? {
            programs.firstIndex(of: program)
        }

        mutating func slot(of program: String, making value: @autoclosure () -> Value) -> Int {
            if let slot = slot(of: program) { return slot }
            programs.append(program)
            values.append(value())
            return programs.count - 1
        }

        subscript(slot: Int) -> Value {
            get { values[slot] }
            _modify { yield &values[slot] }
        }
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
