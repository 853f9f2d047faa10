import Exact

/// One evaluation pass as of an instant: the subjects of a plan (`SubjectsByAccount`), fed
/// account by account in ascending order as the spend stream passes them, each decision and
/// rejection handed to a `DecisionSink`. Pure: it reads nothing and writes nothing, so a night,
/// a rerun, `explain` and the tests drive the same pass from whatever stream they have.
///
/// An account with no row inside its span never arrives from the stream: it is evaluated with
/// no spend as soon as the stream has passed it, so that decisions (and the writer's batches)
/// flow at an even pace rather than piling up after the last row.
public struct EvaluationPass {
    public let asOf: Instant
    private var subjects: SubjectsByAccount
    /// The accounts of the subjects, validated (the stream validates rows against them).
    public let accounts: AccountLookup
    /// How many accounts the platform has, about (`Facts.knownAccounts`).
    public let knownAccounts: Int?
    private let enrollments: [Int64: [Enrollment]]
    private let standingObserved: (SubjectWork) -> Bool
    /// Asked before each account: throwing (a stop request) ends the pass there, at a boundary.
    public var checkpoint: () throws -> Void = {}
    /// Told (done, total) after each subject, for a progress display.
    public var progress: ((_ done: Int, _ total: Int) -> Void)?
    /// Subjects in the plan.
    public let total: Int
    private var done = 0
    private var passed = 0
    private var lastStreamed: Int64?
    private var unsent: [Rejection]
    private var seen = Set<Rejection>()

    /// The pass over every subject of `programs` in `facts` that `include` accepts; `held` are
    /// the grants already written (`HeldGrants`); `standingObserved` says whether an earlier
    /// night saw a subject in good standing (`SubjectWork.evaluate`).
    public init(programs: [Program], facts: consuming Facts, asOf: Instant, held: [String: HeldGrants] = [:],
                include: (SubjectWork) -> Bool = { _ in true },
                standingObserved: @escaping (SubjectWork) -> Bool = { _ in false }) {
        var facts = facts
        subjects = SubjectsByAccount(programs: programs, facts: facts, asOf: asOf, held: held, include: include)
        // The subjects hold what they need now; keep memory to one copy of each.
        facts.integrations = []
        facts.codes = []
        self.asOf = asOf
        accounts = facts.accounts
        knownAccounts = facts.knownAccounts
        enrollments = facts.enrollments
        unsent = facts.rejections
        self.standingObserved = standingObserved
        total = subjects.remaining
    }

    /// Accounts with a subject.
    public var accountCount: Int { subjects.accountIDs.count }

    /// Each account's span of spend time, ascending: what the stream is to read.
    public var spans: [AccountSpan] { subjects.spans(asOf: asOf, accounts: accounts) }

    /// Accounts not evaluated yet, ascending (a read of whole accounts asks for these).
    public var pendingAccountIDs: [Int64] { subjects.untakenAccountIDs }

    /// A rejected row, handed on unless the same one was before.
    public mutating func reject<Sink: DecisionSink>(_ rejection: Rejection, into sink: inout Sink) throws {
        try sendFactRejections(into: &sink)
        if seen.insert(rejection).inserted { try sink.rejected(rejection) }
    }

    /// One account's valid rows from the stream, after every account below it. A second piece of
    /// an account would find its subjects taken and be lost: it stops the pass instead.
    public mutating func account<Sink: DecisionSink>(_ accountID: Int64, rows: [SpendRow], into sink: inout Sink) throws {
        if let lastStreamed, accountID <= lastStreamed {
            throw SpendOrderError(accountID: accountID, after: lastStreamed)
        }
        lastStreamed = accountID
        try evaluateRowless(below: accountID, into: &sink)
        try evaluate(accountID, rows: rows, into: &sink)
    }

    /// The stream ended: every account not yet evaluated had no row, and is evaluated now.
    /// Returns the subjects evaluated and the distinct rejected rows.
    public mutating func finish<Sink: DecisionSink>(into sink: inout Sink) throws -> (subjects: Int, rejectedRows: Int) {
        try sendFactRejections(into: &sink)
        try evaluateRowless(below: nil, into: &sink)
        return (total, seen.count)
    }

    private mutating func sendFactRejections<Sink: DecisionSink>(into sink: inout Sink) throws {
        guard !unsent.isEmpty else { return }
        let rejections = unsent
        unsent = []
        for rejection in rejections where seen.insert(rejection).inserted { try sink.rejected(rejection) }
    }

    private mutating func evaluateRowless<Sink: DecisionSink>(below bound: Int64?, into sink: inout Sink) throws {
        let accountIDs = subjects.accountIDs
        while passed < accountIDs.count, bound.map({ accountIDs[passed] < $0 }) ?? true {
            try evaluate(accountIDs[passed], rows: [], into: &sink)
            passed += 1
        }
    }

    private mutating func evaluate<Sink: DecisionSink>(_ accountID: Int64, rows: [SpendRow], into sink: inout Sink) throws {
        try checkpoint()
        try sendFactRejections(into: &sink)
        guard let work = subjects.take(accountID), let account = accounts.account(accountID) else { return }
        let enrollments = self.enrollments[accountID] ?? []
        // In time order once per account: every evaluation (a final decision takes several)
        // then sums rows that are already in order, which the ledger's sort only verifies.
        let rows = SpendRow.inChronologicalOrder(rows)
        for subject in work {
            try sink.decided(try subject.evaluate(asOf: asOf, account: account, rows: rows, enrollments: enrollments,
                                                  standingObserved: { standingObserved(subject) }))
            done += 1
            progress?(done, total)
        }
    }
}
