import Exact
import PGClient
import ReconRules

/// `spend-recon simulate`: every subject of one program evaluated twice as of an instant, with
/// the program as stored and as changed, each as `run` would decide it on a fresh database (no
/// stored subject, so no grant held and no standing seen before). The facts are read once and
/// the spend streamed once (over both sides' spans), each account fed to both passes, so the
/// two sides cost little more than one. It writes nothing and takes no lock.
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

    /// Both sides' decisions as of `asOf`, handed to `stored` and `changed`.
    public func compare<A: DecisionSink, B: DecisionSink>(_ program: Program, with changedProgram: Program, asOf: Instant,
                                                          stored: inout A, changed: inout B) throws {
        let facts = try NightLoader(connections: connections, asOf: asOf).readEveryFact(programs: [program])
        var before = LoadedNight(programs: [program], facts: facts, stored: StoredSubjects(), skipsFinal: false, observed: [])
            .pass(asOf: asOf)
        var after = LoadedNight(programs: [changedProgram], facts: facts, stored: StoredSubjects(), skipsFinal: false,
                                observed: []).pass(asOf: asOf)
        let spans = AccountSpan.merged(before.spans, after.spans)
        try SpendStream(readers: connections.readers(asOf: asOf)).stream(
            spans, accounts: before.accounts, knownAccounts: before.knownAccounts,
            reject: { rejection in
                try before.reject(rejection, into: &stored)
                try after.reject(rejection, into: &changed)
            },
            body: { accountID, rows in
                try before.account(accountID, rows: rows, into: &stored)
                try after.account(accountID, rows: rows, into: &changed)
            })
        _ = try before.finish(into: &stored)
        _ = try after.finish(into: &changed)
    }

    /// The comparison `simulate` prints: both sides tallied per country and currency.
    public func compare(_ program: Program, with changedProgram: Program, asOf: Instant) throws -> WhatIfComparison {
        var stored = WhatIfTally()
        var changed = WhatIfTally()
        try compare(program, with: changedProgram, asOf: asOf, stored: &stored, changed: &changed)
        return try WhatIfComparison(programID: program.id, asOf: asOf.iso8601, stored: stored, changed: changed)
    }
}
