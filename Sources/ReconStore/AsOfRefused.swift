import Exact
import PGClient

/// A writing run asked to evaluate an instant it must not write (SPEC section 7, exit 64): the
/// future, which would finalize subjects on data that does not exist yet, or, for a nightly
/// `run`, an instant before the last successful run's, which would rewrite newer state.
public struct AsOfRefused: Error, CustomStringConvertible {
    public let description: String

    /// Checks `asOf` against the database's clock and, for `kind` `run`, the last successful
    /// run's `as_of`. Called under the run lock, before anything is written.
    static func check(_ asOf: Instant, kind: String, connection: Connection) throws {
        let row = try connection.execute("""
            SELECT clock_timestamp(),
                   (SELECT max(as_of) FROM recon.runs WHERE kind = 'run' AND status = 'succeeded')
            """)[0]
        let clock = try row.decode(0, as: Instant.self)
        if asOf > clock {
            throw AsOfRefused(description: """
                --as-of \(asOf.iso8601) is later than the database's clock (\(clock.iso8601)): a writing \(kind) \
                would finalize subjects on data that does not exist yet; use --dry-run to look ahead
                """)
        }
        if kind == "run", let last = try row.decodeIfPresent(1, as: Instant.self), asOf < last {
            throw AsOfRefused(description: """
                --as-of \(asOf.iso8601) is earlier than the last successful run's (\(last.iso8601)): a writing run \
                would rewrite newer decisions; use --dry-run to see that night, or rerun --from --to to correct a past range
                """)
        }
    }
}
