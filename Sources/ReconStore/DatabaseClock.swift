import Exact
import PGClient

/// The database's clock, which decides what "now" is for a writing run (SPEC section 7): a
/// default `as_of` taken from the job host's clock could lie ahead of it and be refused.
public enum DatabaseClock {
    public static func now(_ connection: Connection) throws -> Instant {
        try connection.execute("SELECT clock_timestamp()")[0].decode(0, as: Instant.self)
    }
}
