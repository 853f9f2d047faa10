import Exact
import Logging
import PGClient

/// The connections of a night, by role. `recon` connections read and write the `recon` schema:
/// the first (`control`) holds the run lock and the run record for the whole night, and all of
/// them read the stored subjects, then write decision batches (`BackgroundWriter`). `billing`
/// connections read the input: the facts, then the spend (`SpendStream`, one table each when
/// there are two). A connection is used by one thread at a time, and the stages hand the roles
/// on in that order: load, stream and write never share a connection.
public struct NightConnections {
    public let recon: [Connection]
    public let billing: [Connection]

    /// `recon` and `billing` are distinct connections, at least one of each.
    public init(recon: [Connection], billing: [Connection]) {
        precondition(!recon.isEmpty && !billing.isEmpty, "a night needs a recon and a billing connection")
        let distinct = Set((recon + billing).map(ObjectIdentifier.init))
        precondition(distinct.count == recon.count + billing.count, "a night's connections must be distinct")
        self.recon = recon
        self.billing = billing
    }

    /// Opens `recon` + `billing` connections at once.
    public static func open(recon: Int, billing: Int, conninfo: String?, logger: Logger) throws -> NightConnections {
        let connections = try Connection.open(recon + billing, conninfo: conninfo, logger: logger)
        return NightConnections(recon: Array(connections.prefix(recon)), billing: Array(connections.dropFirst(recon)))
    }

    /// Holds the run lock and records the run; reads the final keys; writes.
    public var control: Connection { recon[0] }

    /// A second recon connection, when there is one: reads the open subjects, then writes.
    var secondRecon: Connection? { recon.count > 1 ? recon[1] : nil }

    /// The readers of `billing` as of `asOf`, one per billing connection.
    func readers(asOf: Instant) -> [FactReader] {
        billing.map { FactReader(connection: $0, asOf: asOf) }
    }
}
