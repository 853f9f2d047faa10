import Exact
import PGClient

/// Where the last settlement stood (`recon.settlement_mark`): the `as_of` every entry was
/// settled as of, and the oldest transaction the snapshot it read could not see (an `xid8` as
/// text; nil before migration 012's first settlement). A night settles what changed since.
struct SettlementMark: Sendable, Equatable {
    var asOf: Instant
    var snapshotXmin: String?

    static func read(on connection: Connection) throws -> SettlementMark? {
        try connection.execute("SELECT as_of, snapshot_xmin::text FROM recon.settlement_mark").rows.first.map {
            SettlementMark(asOf: try $0.decode(0), snapshotXmin: try $0.decodeIfPresent(1, as: String.self))
        }
    }

    /// The oldest transaction the current snapshot cannot see: read first in the stage's
    /// repeatable-read transaction, it is that transaction's snapshot.
    static func snapshotXmin(on connection: Connection) throws -> String {
        try connection.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text")[0].decode(0)
    }

    func write(on connection: Connection) throws {
        try connection.execute("""
            INSERT INTO recon.settlement_mark (as_of, snapshot_xmin) VALUES ($1, $2::xid8)
            ON CONFLICT (one) DO UPDATE SET as_of = EXCLUDED.as_of, snapshot_xmin = EXCLUDED.snapshot_xmin
            """, [asOf, snapshotXmin])
    }
}
