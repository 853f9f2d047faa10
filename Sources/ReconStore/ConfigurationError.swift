import PGClient

/// A database set up otherwise than the job needs (SPEC section 7, exit 78): the `recon`
/// schema missing or at another version than the binary's, a `billing` table or column
/// missing, a privilege missing. Not a bug and not bad data: it names the object and the fix,
/// with the server's own message when there is one.
public struct ConfigurationError: Error, CustomStringConvertible {
    /// What is wrong, naming the object.
    public let problem: String
    /// What to do about it.
    public let fix: String

    public init(problem: String, fix: String) {
        self.problem = problem
        self.fix = fix
    }

    public var description: String { "\(problem); fix: \(fix)" }

    static let migrate = "run `spend-recon migrate` (as the owner of the recon schema)"
    static let roles = "run sql/roles-admin.sql (as an admin) and sql/roles.sql (as the schemas' owner), and grant "
        + "spend_recon_job to the job's login (README, \"First run\")"
    static let billing = "give billing the tables and columns of SPEC section 2 (sql/billing_tables.sql has them)"

    /// The configuration problem a server error reports, or nil when it reports something else.
    /// The server's message names only objects for these SQLSTATEs, never row values.
    public init?(_ error: PostgresError) {
        guard error.kind == .server, let state = error.sqlState else { return nil }
        let message = error.message
        let inRecon = message.contains("recon.") || message.contains("\"recon\"") || error.schemaName == "recon"
        switch state {
        case "3F000" where inRecon, "42P01" where inRecon, "42703" where inRecon:
            // An undefined schema, table or column of the job's own: not migrated (or migrated elsewhere).
            self.init(problem: "the server says: \(message)", fix: Self.migrate)
        case "3F000", "42P01", "42703":
            self.init(problem: "the server says: \(message) (an input table or column the job reads)", fix: Self.billing)
        case "42501":
            self.init(problem: "the server says: \(message)", fix: Self.roles)
        case "42P07":
            self.init(problem: "the server says: \(message) (a table the migrations did not record)",
                      fix: "the recon schema was changed outside `spend-recon migrate`: restore it, or drop it and migrate "
                          + "again (it holds only the job's output)")
        default:
            return nil
        }
    }
}
