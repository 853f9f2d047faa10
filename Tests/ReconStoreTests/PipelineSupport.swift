import Exact
import PGClient
@testable import ReconStore
import ReconRules

/// A sink that keeps what a pass hands it: the tests' view of the evaluate stage.
struct CollectedDecisions: DecisionSink {
    var decisions: [Decision] = []
    var rejections: [Rejection] = []

    /// The decisions by `program subject_key`.
    var byKey: [String: Decision] {
        Dictionary(decisions.map { ($0.subject.programID + " " + $0.subject.key, $0) }, uniquingKeysWith: { a, _ in a })
    }

    mutating func decided(_ decision: consuming Decision) throws {
        decisions.append(decision)
    }

    mutating func rejected(_ rejection: Rejection) throws {
        rejections.append(rejection)
    }
}

extension StoreFixture {
    /// A night's connections on this server: `db` first among `recon`, the rest opened here.
    func nightConnections(recon: Int = 1, billing: Int = 1) throws -> NightConnections {
        let opened = try (0..<(recon - 1 + billing)).map { _ in try Connection(conninfo: conninfo, logger: quietLogger()) }
        return NightConnections(recon: [db] + opened.prefix(recon - 1), billing: Array(opened.dropFirst(recon - 1)))
    }

    /// Every subject's decision as of `asOf`, final or not, as a rerun evaluates them (held
    /// grants, observed standing); nothing is written. `wholeAccounts`: the stream reads every row
    /// of the subjects' accounts instead of their spans only.
    func evaluateEverySubject(asOf: Instant, wholeAccounts: Bool = false) throws -> CollectedDecisions {
        let connections = try nightConnections()
        let night = try NightLoader(connections: connections, asOf: asOf).loadEverySubject(programID: nil)
        return try evaluate(night, asOf: asOf, connections: connections, wholeAccounts: wholeAccounts)
    }

    /// The plan, stream and evaluate stages over a loaded night.
    func evaluate(_ night: consuming LoadedNight, asOf: Instant, connections: NightConnections,
                  wholeAccounts: Bool = false) throws -> CollectedDecisions {
        var pass = night.pass(asOf: asOf)
        var sink = CollectedDecisions()
        let readers = connections.readers(asOf: asOf)
        guard wholeAccounts else {
            _ = try SpendStream(readers: readers).feed(&pass, into: &sink)
            return sink
        }
        let accounts = pass.accounts
        try readers[0].streamSpend(accounts: accounts, .wholeAccounts(pass.pendingAccountIDs),
                                   reject: { rejection, _ in try pass.reject(rejection, into: &sink) },
                                   body: { try pass.account($0, rows: $1, into: &sink) })
        _ = try pass.finish(into: &sink)
        return sink
    }

    /// A night as `spend-recon run` runs it: two recon connections and two billing readers.
    func reconciler(batchSize: Int) throws -> Reconciler {
        var reconciler = Reconciler(connections: try nightConnections(recon: 2, billing: 2), logger: quietLogger())
        reconciler.batchSize = batchSize
        return reconciler
    }
}
