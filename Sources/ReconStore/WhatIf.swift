import Exact
import PGClient
import ReconRules

/// `spend-recon simulate`: every subject of one program evaluated twice as of an instant, with
/// the program as stored and as changed, each as `run` would decide it on a fresh database (no
/// stored subject, so no grant held and no standing seen before). The facts are read once and
/// the spend streamed once (over both sides' spans), each account fed to both passes, the
/// changed side's on a thread of its own, so the two sides cost about what one night does.
/// It writes nothing and takes no lock.
public struct WhatIf {
    let connections: NightConnections

    /// `connections.control` reads the program; the billing connections read the facts.
    public init(connections: NightConnections) {
        self.connections = connections
    }

    /// The program as stored, or nil when there is none by that id.
    public func storedProgram(_ id: String) throws -> Program? {
        try ProgramCatalog(connection: connections.control).load(only: id).first
    }

    /// Both sides' decisions as of `asOf`, handed to `stored` and `changed`. The changed side is
    /// evaluated on a thread of its own, fed the same accounts through a queue: with nothing to
    /// write, the two evaluations are what a what-if costs, and they run at once.
    public func compare<A: DecisionSink, B: DecisionSink>(_ program: Program, with changedProgram: Program, asOf: Instant,
                                                          stored: inout A, changed: inout B) throws {
        let facts = try NightLoader(connections: connections, asOf: asOf).readEveryFact(programs: [program])
        var before = LoadedNight(programs: [program], facts: facts, stored: StoredSubjects(), skipsFinal: false, observed: [])
            .pass(asOf: asOf)
        let after = LoadedNight(programs: [changedProgram], facts: facts, stored: StoredSubjects(), skipsFinal: false,
                                observed: []).pass(asOf: asOf)
        let spans = AccountSpan.merged(before.spans, after.spans)
        let queue = HandoffQueue<[SpendPiece]>(capacity: 8)
        let changedSide = BackgroundThread(name: "spend-recon.whatif") { [changed] in
            try Self.evaluate(after, from: queue, into: changed)
        }
        do {
            var chunk: [SpendPiece] = []
            try SpendStream(readers: connections.readers(asOf: asOf)).stream(
                spans, accounts: before.accounts, knownAccounts: before.knownAccounts,
                reject: { rejection in
                    try before.reject(rejection, into: &stored)
                    chunk.append(SpendPiece(accountID: nil, rows: [], rejections: [rejection]))
                },
                body: { accountID, rows in
                    try before.account(accountID, rows: rows, into: &stored)
                    chunk.append(SpendPiece(accountID: accountID, rows: rows, rejections: []))
                    if chunk.count >= 64 {
                        try queue.put(chunk)
                        chunk = []
                    }
                })
            if !chunk.isEmpty { try queue.put(chunk) }
            queue.finish()
            _ = try before.finish(into: &stored)
        } catch {
            queue.cancel(error)
            changedSide.join()
            throw error
        }
        changed = try changedSide.join().get()
    }

    /// The changed side's thread: the pieces in the order streamed, then the rest of the pass.
    private static func evaluate<B: DecisionSink>(_ pass: EvaluationPass, from queue: HandoffQueue<[SpendPiece]>,
                                                  into sink: B) throws -> B {
        var pass = pass
        var sink = sink
        do {
            while let chunk = try queue.take() {
                for piece in chunk {
                    for rejection in piece.rejections { try pass.reject(rejection, into: &sink) }
                    if let accountID = piece.accountID { try pass.account(accountID, rows: piece.rows, into: &sink) }
                }
            }
            _ = try pass.finish(into: &sink)
            return sink
        } catch {
            // The streaming side stops at its next put.
            queue.cancel(error)
            throw error
        }
    }

    /// The comparison `simulate` prints: both sides tallied per country and currency.
    public func compare(_ program: Program, with changedProgram: Program, asOf: Instant) throws -> WhatIfComparison {
        var stored = WhatIfTally()
        var changed = WhatIfTally()
        try compare(program, with: changedProgram, asOf: asOf, stored: &stored, changed: &changed)
        return try WhatIfComparison(programID: program.id, asOf: asOf.iso8601, stored: stored, changed: changed)
    }
}
